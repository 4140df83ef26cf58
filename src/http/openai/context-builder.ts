/** Turns a conversation into a search query, and search hits into a cited context system message. */
import type { SearchHit, SearchSource } from '../../retrieval/hybrid-search.js';
import { contentText, type ChatMessage } from './chat-request.js';

/** A latest user message of at most this many words is a follow-up: the previous one is searched with it. */
export const FOLLOW_UP_MAX_WORDS = 6;
/** Characters of conversation searched at most. */
export const MAX_QUERY_CHARS = 2000;
/** A passage is only added when at least this much of the budget is left for it (the first always is). */
const MIN_PASSAGE_CHARS = 200;

/** The instruction that opens the context message. */
export const CONTEXT_INSTRUCTION =
  'Answer using the numbered knowledge-base passages below when they are relevant. Cite each passage you use ' +
  'with its number in square brackets, like [1] or [2][3]. If the passages do not contain the answer, say so ' +
  'instead of guessing.';

const WORDS = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * The text to search for: the latest user message, with the previous user message before it when the latest is a
 * short follow-up ("and on Windows?"); null when there is no user text.
 */
export function buildSearchQuery(messages: readonly ChatMessage[]): string | null {
  const texts = messages
    .filter((m) => m.role === 'user')
    .map((m) => contentText(m.content).trim())
    .filter((t) => t !== '');
  const latest = texts.at(-1);
  if (latest === undefined) return null;
  const previous = texts.at(-2);
  const query =
    previous !== undefined && countWords(latest) <= FOLLOW_UP_MAX_WORDS ? `${previous}\n${latest}` : latest;
  return query.slice(-MAX_QUERY_CHARS);
}

/** The context message's text and the hits it cites, numbered from 1 in order, within `budgetChars` of passage text. */
export function buildContext(
  hits: readonly SearchHit[],
  budgetChars: number,
): { text: string; used: SearchHit[] } {
  const used: SearchHit[] = [];
  const blocks: string[] = [];
  let left = budgetChars;
  for (const hit of hits) {
    if (used.length > 0 && left < MIN_PASSAGE_CHARS) break;
    const text = truncate(hit.text.trim(), left);
    left -= text.length;
    used.push(hit);
    blocks.push(`[${used.length}] ${describeSource(hit.source, hit.id)}\n${text}`);
  }
  return { text: [CONTEXT_INSTRUCTION, ...blocks].join('\n\n'), used };
}

/**
 * Adds the context to the conversation: appended to the last system message, or as a new first system message.
 *
 * @remarks
 * FastChat keeps only the last system message it sees, so a second system message would replace the client's.
 */
export function injectContext(messages: readonly ChatMessage[], context: string): ChatMessage[] {
  const index = lastSystemIndex(messages);
  if (index === -1) return [{ role: 'system', content: context }, ...messages];
  const out = [...messages];
  const system = messages[index] as ChatMessage;
  const existing = contentText(system.content).trim();
  out[index] = { ...system, content: existing === '' ? context : `${existing}\n\n${context}` };
  return out;
}

/** `Title — path#anchor (lines a-b)`, with whichever parts the source has. */
export function describeSource(source: SearchSource, id: string): string {
  const title = source.title ?? source.heading;
  let where = source.path ?? '';
  if (where !== '' && source.anchor) where += `#${source.anchor}`;
  if (where !== '' && source.lines) where += ` (lines ${source.lines[0]}-${source.lines[1]})`;
  if (title && where !== '') return `${title} — ${where}`;
  return title || where || id;
}

function lastSystemIndex(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.role === 'system') return i;
  return -1;
}

function countWords(text: string): number {
  let count = 0;
  for (const segment of WORDS.segment(text)) if (segment.isWordLike) count += 1;
  return count;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}
