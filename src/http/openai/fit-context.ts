/** Chooses the passages that fit the model's context, counted in the model's own tokens when the upstream can. */
import type { SearchHit } from '../../retrieval/hybrid-search.js';
import { contentText, type ChatMessage } from './chat-request.js';
import {
  CONTEXT_FRAME,
  renderPassage,
  selectPassages,
  truncate,
  type PassageBlock,
} from './context-builder.js';
import { passageTokenBudget } from './token-budget.js';
import type { TokenCounter, TokenCounts } from './token-counter.js';

/** A first passage is cut down to the room left only when at least this many tokens are left for it. */
const MIN_PASSAGE_TOKENS = 48;
/** Share of the proportional length a cut-down passage keeps, since token density varies within a text. */
const CUT_SLACK = 0.8;

/** What the passages must fit beside. */
export interface FitRequest {
  messages: readonly ChatMessage[];
  /** The request's model, for the upstream's token check; null when it names none. */
  model: string | null;
  /** The request's answer limit, or null. */
  maxTokens: number | null;
  /** Characters of passage text at most (KBGATE_PROXY_CONTEXT_CHARS). */
  maxChars: number;
}

/** The passages chosen, in order, and how the tokens were counted. */
export interface FittedContext {
  blocks: PassageBlock[];
  source: TokenCounts['source'];
  failure?: unknown;
  /** The model's context length, the tokens left for passages, and the tokens the chosen passages take. */
  tokens: { contextLength: number; room: number; used: number };
}

/**
 * The leading passages of `hits` that fit within the context left by the conversation and the answer.
 *
 * @remarks
 * One token check counts the conversation, the frame around the passages and each passage; passages are then taken
 * in rank order while they fit. When not even the first fits whole, it is cut down in proportion and counted again.
 * Counts of parts add up to at least the count of the whole within a token per part (each part is counted with its
 * own start token), and {@link passageTokenBudget} keeps a margin for the rest, so nothing added by kbgate can push
 * the request past the model's context.
 */
export async function fitContext(
  counter: TokenCounter,
  request: FitRequest,
  hits: readonly SearchHit[],
  signal: AbortSignal,
): Promise<FittedContext> {
  const candidates = selectPassages(hits, request.maxChars);
  const conversation = request.messages.map((m) => contentText(m.content)).join('\n');
  const texts = [conversation, CONTEXT_FRAME, ...candidates.map((block, i) => renderPassage(block, i + 1))];
  const counted = await counter.count(request.model, texts, signal);
  const [conversationTokens = 0, frameTokens = 0, ...passageTokens] = counted.counts;
  const room =
    passageTokenBudget({
      contextLength: counted.contextLength,
      conversationTokens,
      messageCount: request.messages.length,
      maxTokens: request.maxTokens,
    }) - frameTokens;
  const blocks = takeWhileFits(candidates, passageTokens, room);
  const first = candidates[0];
  const used = passageTokens.slice(0, blocks.length).reduce((sum, n) => sum + n, 0);
  const tokens = { contextLength: counted.contextLength, room, used };
  const fitted = { blocks, source: counted.source, failure: counted.failure, tokens };
  if (blocks.length > 0 || first === undefined || room < MIN_PASSAGE_TOKENS) return fitted;
  const cut = await cutToFit(counter, request.model, first, passageTokens[0] ?? 0, room, signal);
  if (cut === null) return { ...fitted, blocks: [] };
  return { ...fitted, blocks: [cut.block], tokens: { ...tokens, used: cut.tokens } };
}

function takeWhileFits(candidates: PassageBlock[], tokens: number[], room: number): PassageBlock[] {
  let used = 0;
  let count = 0;
  for (const block of tokens) {
    if (used + block > room) break;
    used += block;
    count += 1;
  }
  return candidates.slice(0, count);
}

/** The passage cut to about `room` tokens and its count, if the count of the cut text confirms it fits. */
async function cutToFit(
  counter: TokenCounter,
  model: string | null,
  block: PassageBlock,
  tokens: number,
  room: number,
  signal: AbortSignal,
): Promise<{ block: PassageBlock; tokens: number } | null> {
  const chars = Math.floor((block.text.length * room * CUT_SLACK) / Math.max(tokens, 1));
  if (chars <= 0) return null;
  const cut = { hit: block.hit, text: truncate(block.text, chars) };
  const { counts } = await counter.count(model, [renderPassage(cut, 1)], signal);
  const count = counts[0] ?? Infinity;
  return count <= room ? { block: cut, tokens: count } : null;
}
