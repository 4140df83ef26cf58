/** Where a query's words occur in a passage, matched the way the lexical index matches them (stems, CJK words). */
import { analyzeQuery, stem } from '../../text/analyze.js';
import { detectLatinLanguage } from '../../text/languages.js';
import { normalizeText, segmentWordsBounded } from '../../text/tokenize.js';

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const CAMEL_BOUNDARY = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
const JOINER = /[-_]/u;

/** A highlighted span of a text: `[start, end)` in UTF-16 code units. */
export type Span = [number, number];

/**
 * The spans of `text` that hold one of `query`'s informative words, in order, adjacent ones joined.
 *
 * @remarks A passage word matches when its stem (in the passage's language or English), or one of its
 * camelCase or hyphen parts' stems, is one of the query terms' index terms; function words count only when the
 * query has nothing else. Words are found with ICU's word segmenter, so Chinese, Japanese and Thai words are
 * whole spans, as in the index.
 */
export function highlightSpans(text: string, query: string): Span[] {
  const wanted = wantedTerms(query);
  if (wanted.size === 0) return [];
  const normalized = normalizeWithOffsets(text);
  const words = [...segmentWordsBounded(normalized.text)].filter((s) => s.isWordLike);
  const latin = detectLatinLanguage(words.map((w) => w.segment.toLowerCase()));
  const spans: Span[] = [];
  for (const word of words) {
    if (!matches(word.segment, wanted, latin)) continue;
    const start = normalized.starts[word.index] ?? 0;
    const end = normalized.ends[word.index + word.segment.length - 1] ?? text.length;
    const last = spans.at(-1);
    if (last !== undefined && last[1] >= start) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  return spans;
}

/** The text normalised as the index sees it ({@link normalizeText}), with each character's original grapheme span. */
function normalizeWithOffsets(text: string): { text: string; starts: number[]; ends: number[] } {
  let out = '';
  const starts: number[] = [];
  const ends: number[] = [];
  for (const { segment, index } of GRAPHEMES.segment(text)) {
    const piece = normalizeText(segment);
    out += piece;
    for (let i = 0; i < piece.length; i += 1) {
      starts.push(index);
      ends.push(index + segment.length);
    }
  }
  return { text: out, starts, ends };
}

function wantedTerms(query: string): Set<string> {
  const { terms } = analyzeQuery(query);
  const informative = terms.some((t) => !t.stopword) ? terms.filter((t) => !t.stopword) : terms;
  return new Set(informative.flatMap((t) => t.alternatives.flat()));
}

function matches(word: string, wanted: ReadonlySet<string>, latin: Parameters<typeof stem>[1]): boolean {
  const pieces = [word, ...word.split(JOINER), ...word.split(CAMEL_BOUNDARY)];
  return pieces.some((piece) => {
    const lower = piece.toLowerCase();
    return lower !== '' && (wanted.has(stem(lower, latin)) || wanted.has(stem(lower, 'en')));
  });
}
