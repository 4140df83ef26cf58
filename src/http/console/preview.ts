/** What the retrieval proxy would add to a question: its own retrieval and fitting, run without forwarding. */
import type { Logger } from 'pino';
import { prepareChat, type ProxyContext, type RetrievalOutcome } from '../openai/chat-completions.js';
import { latestUserIndex, parseChatRequest, type ChatMessage } from '../openai/chat-request.js';
import { describeSource } from '../openai/context-builder.js';
import type { SearchSource } from '../../retrieval/hybrid-search.js';

/** A question to preview, as one user turn of a chat request. */
export interface PreviewRequest {
  question: string;
  /** The chat model, for the upstream's token count and context length; null estimates. */
  model: string | null;
  /** The request's answer limit, as `max_tokens` sets it; null leaves the proxy's default room for the answer. */
  maxTokens: number | null;
}

/** One passage as the proxy would add it. */
export interface PreviewPassage {
  id: string;
  /** The cited source line, as the model sees it after the passage number. */
  cite: string;
  /** The text added, possibly cut to the budget. */
  text: string;
  relevance: number;
  source: SearchSource;
}

/** What the proxy would do with the question. */
export interface Preview {
  outcome: RetrievalOutcome;
  /** Which NextChat housekeeping request it was taken for. */
  housekeeping?: string;
  collection: string;
  minRelevance: number;
  /** Passages at most, and characters of passage text at most. */
  maxPassages: number;
  maxChars: number;
  /** Relevant passages found before fitting. */
  found: number;
  passages: PreviewPassage[];
  /** Tokens: counted by the upstream's tokenizer or estimated; null when nothing was fitted. */
  budget: { contextLength: number; room: number; used: number; counted: 'upstream' | 'estimate' } | null;
  /** The latest user message as it would be forwarded (with the passages), or null when it goes unchanged. */
  message: string | null;
}

/**
 * Runs the proxy's `prepareChat` on a one-turn chat: the same housekeeping check, retrieval, relevance gate and
 * token budget as a real request, but nothing is forwarded (only FastChat's token check may be asked).
 */
export async function previewQuestion(
  ctx: ProxyContext,
  request: PreviewRequest,
  signal: AbortSignal,
  log: Logger,
): Promise<Preview> {
  const wire: Record<string, unknown> = { messages: [{ role: 'user', content: request.question }] };
  if (request.model !== null) wire.model = request.model;
  if (request.maxTokens !== null) wire.max_tokens = request.maxTokens;
  const chat = parseChatRequest(wire);
  if (chat === null) throw new Error('a one-turn chat request always parses');
  const prepared = await prepareChat(ctx, chat, Buffer.from(JSON.stringify(wire)), signal, log);
  const fitted = prepared.fitted;
  return {
    outcome: prepared.outcome,
    ...(prepared.housekeeping ? { housekeeping: prepared.housekeeping } : {}),
    collection: ctx.retrieval.collection,
    minRelevance: ctx.retrieval.minRelevance,
    maxPassages: ctx.retrieval.topK,
    maxChars: ctx.contextChars,
    found: prepared.found?.length ?? 0,
    passages: (prepared.outcome === 'added' ? (fitted?.blocks ?? []) : []).map((block) => ({
      id: block.hit.id,
      cite: describeSource(block.hit.source, block.hit.id),
      text: block.text,
      relevance: block.hit.relevance,
      source: block.hit.source,
    })),
    budget: fitted ? { ...fitted.tokens, counted: fitted.source } : null,
    message: prepared.outcome === 'added' ? latestUserText(prepared.body) : null,
  };
}

function latestUserText(body: Uint8Array | string): string | null {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const messages = (JSON.parse(text) as { messages?: ChatMessage[] }).messages ?? [];
  const user = messages[latestUserIndex(messages)];
  return typeof user?.content === 'string' ? user.content : null;
}
