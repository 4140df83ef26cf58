/** Passage excerpts: the part of a long passage that holds the query's words, cut at line or sentence starts. */
import { indexTerms } from '../text/analyze.js';

const ELLIPSIS = '…';

/** Sentence and line starts: after a newline, or after sentence punctuation and a space (or CJK full stops). */
const BOUNDARY = /\n+|(?<=[.!?;:])\s+|(?<=[。！？；])/gu;

/**
 * Shortens `text` to at most `maxChars` characters (ellipses included), keeping the window that holds the most of
 * `query`'s words: it starts at a line or sentence start, and is cut at a word boundary when it can be.
 *
 * @remarks A text already short enough is returned as it is. Query words are compared as index terms (stems), so
 * "configured" in the query finds "configuration" in the passage. Windows never split a surrogate pair.
 */
export function excerpt(text: string, query: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, maxChars));
  const wanted = new Set(
    indexTerms(query)
      .split(' ')
      .filter((t) => t !== ''),
  );
  const starts = segmentStarts(text);
  const found = starts.map((start, i) => termsIn(text.slice(start, starts[i + 1] ?? text.length), wanted));
  let best = { start: 0, hits: -1 };
  starts.forEach((start, i) => {
    const seen = new Set<string>();
    for (let j = i; j < starts.length; j += 1) {
      const end = starts[j + 1] ?? text.length;
      if (j > i && end - start > maxChars) break;
      for (const term of found[j] ?? []) seen.add(term);
    }
    if (seen.size > best.hits) best = { start, hits: seen.size };
  });
  const lead = best.start > 0 ? ELLIPSIS : '';
  const room = maxChars - lead.length;
  const rest = text.slice(best.start).trimEnd();
  if (rest.length <= room) return lead + rest;
  return lead + cutAtWord(rest, room - ELLIPSIS.length) + ELLIPSIS;
}

/** Offsets where a sentence or line begins, including 0. */
function segmentStarts(text: string): number[] {
  const starts = [0];
  for (const match of text.matchAll(BOUNDARY)) {
    const at = (match.index ?? 0) + match[0].length;
    if (at < text.length && at !== starts.at(-1)) starts.push(at);
  }
  return starts;
}

/** The wanted terms a segment contains. */
function termsIn(segment: string, wanted: ReadonlySet<string>): string[] {
  if (wanted.size === 0) return [];
  return indexTerms(segment)
    .split(' ')
    .filter((term) => wanted.has(term));
}

function cutAtWord(text: string, max: number): string {
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  const cut = text.slice(0, end);
  const space = cut.search(/\s\S*$/u);
  return space > end / 2 ? cut.slice(0, space) : cut;
}
