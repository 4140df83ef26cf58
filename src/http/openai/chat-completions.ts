/** POST /v1/chat/completions: retrieve for the latest turn, add cited passages that fit, forward, relay the answer. */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { SearchIndex } from '../../retrieval/search-index.js';
import { recordChatRetrieval } from '../../ops/metrics.js';
import type { SearchHit } from '../../retrieval/hybrid-search.js';
import { parseChatRequest, type ChatRequest } from './chat-request.js';
import { attachContext, buildSearchQueries } from './context-builder.js';
import { fitContext, type FittedContext } from './fit-context.js';
import { detectHousekeeping, type Housekeeping } from './housekeeping.js';
import { sendOpenAIError } from './openai-error.js';
import { offersOwnTools, removeOwnTools } from './own-tools.js';
import { readRawBody } from './read-raw-body.js';
import { relayResponse } from './relay-response.js';
import { retrieveForQueries, type RetrievalSettings } from './retrieve-passages.js';
import { requestedAnswerTokens } from './token-budget.js';
import type { TokenCounter } from './token-counter.js';
import type { UpstreamClient } from './upstream-client.js';

/** Everything a proxied request needs. */
export interface ProxyContext {
  index: SearchIndex;
  client: UpstreamClient;
  retrieval: RetrievalSettings;
  /** Characters of passage text added at most. */
  contextChars: number;
  tokens: TokenCounter;
  maxBodyBytes: number;
  /** Tool names (plugin operationIds) the proxy answers itself and removes from requests. */
  ownTools: ReadonlySet<string>;
}

/** Response header with the number of passages added. */
export const PASSAGES_HEADER = 'X-Kbgate-Passages';
/** Response header listing the cited sources in order, each URI-encoded, comma-separated. */
export const SOURCES_HEADER = 'X-Kbgate-Sources';
/** Response header saying whether passages were added, or why not ({@link RetrievalOutcome}). */
export const RETRIEVAL_HEADER = 'X-Kbgate-Retrieval';

/**
 * What retrieval did for a chat request: `added` passages; found none at or above the relevance threshold
 * (`below-threshold`) or no collection to search (`no-collection`); found some but the conversation left no room
 * in the model's context (`no-room`); skipped a request about the conversation itself (`housekeeping`: NextChat's
 * title and memory-summary requests, "summarize our conversation"); had no user text to search (`no-query`);
 * is switched off (`disabled`, KBGATE_PROXY_PASSAGES=0); or the search failed (`failed`).
 */
export type RetrievalOutcome =
  | 'added'
  | 'below-threshold'
  | 'no-collection'
  | 'no-room'
  | 'housekeeping'
  | 'no-query'
  | 'disabled'
  | 'failed';

/** The body to forward and what was added to it. */
export interface PreparedChat {
  body: Uint8Array | string;
  used: SearchHit[];
  outcome: RetrievalOutcome;
  /** Which housekeeping request it is, for the log. */
  housekeeping?: Housekeeping;
  /** The relevant passages found and how they were fitted, when any were found. */
  found?: SearchHit[];
  fitted?: FittedContext;
}

/** Forwards one chat completion request with knowledge-base context added when it is relevant and fits. */
export async function forwardChat(
  ctx: ProxyContext,
  req: Request,
  res: Response,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const raw = await readRawBody(req, ctx.maxBodyBytes);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    sendOpenAIError(res, 400, 'Request body is not valid JSON', 'invalid_request_error', 'invalid_json');
    return;
  }
  const chat = parseChatRequest(json);
  const prepared: PreparedChat =
    chat === null
      ? { body: raw, used: [], outcome: 'no-query' }
      : await prepareChat(ctx, chat, raw, signal, log);
  if (signal.aborted) return;
  const { outcome, used, housekeeping } = prepared;
  log.info({ retrieval: outcome, passages: used.length, housekeeping }, 'chat retrieval');
  recordChatRetrieval(outcome, used.length);
  const upstream = await ctx.client.send({
    method: 'POST',
    path: '/chat/completions',
    headers: forwardedHeaders(req),
    body: prepared.body,
    signal,
  });
  await relayResponse(upstream, res, {
    headers: retrievalHeaders(prepared),
    onBroken: (err) => log.warn({ err }, 'upstream stream broke off'),
  });
}

/** The request headers passed upstream: content negotiation only, never the caller's credentials. */
export function forwardedHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * The request with passages added when retrieval finds relevant ones that fit; else as received (bytes kept).
 *
 * @remarks Exported for the console's preview, which shows what a question would be given without forwarding it.
 */
export async function prepareChat(
  ctx: ProxyContext,
  chat: ChatRequest,
  raw: Buffer,
  signal: AbortSignal,
  log: Logger,
): Promise<PreparedChat> {
  const request = removeOwnTools(chat, ctx.ownTools);
  const unchanged = offersOwnTools(chat, ctx.ownTools) ? JSON.stringify(request) : raw;
  const found = await findPassages(ctx, request, log);
  if (found.hits.length === 0) return { ...found, body: unchanged, used: [] };
  const fitted = await fitContext(
    ctx.tokens,
    {
      messages: request.messages,
      model: typeof request.model === 'string' ? request.model : null,
      maxTokens: requestedAnswerTokens(request),
      maxChars: ctx.contextChars,
    },
    found.hits,
    signal,
  );
  if (fitted.failure !== undefined)
    log.warn({ err: fitted.failure }, 'token check failed; estimating tokens');
  if (fitted.blocks.length === 0)
    return { body: unchanged, used: [], outcome: 'no-room', found: found.hits, fitted };
  const messages = attachContext(request.messages, fitted.blocks);
  return {
    body: JSON.stringify({ ...request, messages }),
    used: fitted.blocks.map((b) => b.hit),
    outcome: 'added',
    found: found.hits,
    fitted,
  };
}

/** Relevant hits for the conversation, or why there are none; a failing search is logged, never fatal. */
async function findPassages(
  ctx: ProxyContext,
  chat: ChatRequest,
  log: Logger,
): Promise<{ hits: SearchHit[]; outcome: RetrievalOutcome; housekeeping?: Housekeeping }> {
  if (ctx.retrieval.topK === 0) return { hits: [], outcome: 'disabled' };
  const housekeeping = detectHousekeeping(chat.messages);
  if (housekeeping !== null) return { hits: [], outcome: 'housekeeping', housekeeping };
  const queries = buildSearchQueries(chat.messages);
  if (queries.length === 0) return { hits: [], outcome: 'no-query' };
  try {
    const { hits, outcome } = await retrieveForQueries(ctx.index, ctx.retrieval, queries);
    return { hits, outcome: outcome === 'found' ? 'added' : outcome };
  } catch (err) {
    log.warn({ err }, 'retrieval failed; forwarding the chat without context');
    return { hits: [], outcome: 'failed' };
  }
}

function retrievalHeaders({ used, outcome }: PreparedChat): Record<string, string> {
  const headers: Record<string, string> = {
    [PASSAGES_HEADER]: String(used.length),
    [RETRIEVAL_HEADER]: outcome,
  };
  if (used.length > 0) {
    headers[SOURCES_HEADER] = used.map((hit) => encodeURIComponent(hit.source.path ?? hit.id)).join(', ');
  }
  return headers;
}
