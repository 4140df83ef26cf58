/** How many tokens a chat request may spend on knowledge-base passages, and a conservative per-script estimate. */

/** Tokens assumed for the chat template around the messages: the model's default system prompt and the answer cue. */
export const TEMPLATE_TOKENS = 64;
/** Tokens assumed per message for its role name and separators (`USER: `, `</s>`, `<|im_start|>user\n`). */
export const MESSAGE_TOKENS = 8;
/** Answer tokens kept free when the request sets no `max_tokens`: this much, at most a quarter of the context. */
export const DEFAULT_ANSWER_TOKENS = 1024;
/** Share of the context kept free for what the counts cannot know (tokenizer boundaries, template details). */
const MARGIN_SHARE = 0.05;
/** The least safety margin, in tokens. */
const MIN_MARGIN_TOKENS = 32;

/** What the room for passages is worked out from. */
export interface BudgetInput {
  /** The model's context length in tokens. */
  contextLength: number;
  /** Tokens of the conversation's text as sent. */
  conversationTokens: number;
  /** Messages in the conversation. */
  messageCount: number;
  /** The request's `max_tokens` (or `max_completion_tokens`), or null when it sets none. */
  maxTokens: number | null;
}

/**
 * Tokens left for the context block (instruction and passages) once the conversation, its template, the answer
 * and a safety margin are counted; zero or less means there is no room.
 *
 * @remarks
 * FastChat refuses a prompt that fills the context and otherwise caps the answer at what is left, so whatever kbgate
 * adds is taken from the answer: the answer keeps the request's `max_tokens`, or {@link DEFAULT_ANSWER_TOKENS}
 * (at most a quarter of the context) when the request leaves it open, as NextChat does.
 */
export function passageTokenBudget(input: BudgetInput): number {
  const { contextLength } = input;
  const answer = input.maxTokens ?? Math.min(DEFAULT_ANSWER_TOKENS, Math.floor(contextLength / 4));
  const margin = Math.max(MIN_MARGIN_TOKENS, Math.ceil(contextLength * MARGIN_SHARE));
  const template = TEMPLATE_TOKENS + MESSAGE_TOKENS * input.messageCount;
  return contextLength - answer - margin - template - input.conversationTokens;
}

/** The request's answer limit: a positive whole `max_tokens` or `max_completion_tokens`, else null. */
export function requestedAnswerTokens(request: Record<string, unknown>): number | null {
  for (const key of ['max_tokens', 'max_completion_tokens']) {
    const value = request[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return null;
}

const LATIN_WORD = /^\p{Script=Latin}+$/u;
const ALPHABET_WORD = /^[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{M}]+$/u;
const PIECES =
  /\p{Script=Latin}+|[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}][\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{M}]*| +|[^ ]/gsu;

/**
 * A conservative token count for `text` when the upstream cannot count: meant to be at or above what the
 * tokenizers of open chat models (Llama, Mistral, Qwen, ...) produce.
 *
 * @remarks
 * Per piece: a Latin word costs one token per 3 letters (tokenizers average 3-4), a Cyrillic, Greek, Arabic or
 * Hebrew word one per 2 letters (2-3), every Han, kana, Hangul or Thai character one (about 1), every digit,
 * punctuation mark, symbol, tab and newline one, characters outside the Basic Multilingual Plane (emoji) three
 * (byte fallback), and every other character one; a single space joins the next word for free, longer runs cost
 * one per extra space.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(PIECES)) tokens += pieceTokens(piece);
  return tokens;
}

function pieceTokens(piece: string): number {
  if (LATIN_WORD.test(piece)) return Math.ceil(piece.length / 3);
  if (ALPHABET_WORD.test(piece)) return Math.ceil(piece.length / 2);
  if (piece.startsWith(' ')) return piece.length - 1;
  return (piece.codePointAt(0) ?? 0) > 0xffff ? 3 : 1;
}
