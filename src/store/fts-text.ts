/** The text that goes into, and the queries that go against, the store's FTS5 index. */
import { segmentWords } from '../text/tokenize.js';

const TERM = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The text indexed for a document: words of unspaced scripts (Chinese, Japanese, Thai) separated by spaces.
 *
 * @remarks The store indexes `ftsText(document)` and queries with terms taken from `ftsText(query)`, so both
 * sides are segmented the same way.
 */
export function ftsText(document: string): string {
  return segmentWords(document);
}

/**
 * Turns free user text into a safe FTS5 query: every term quoted, terms joined with OR; null when no term.
 *
 * @remarks Quoting neutralises FTS5 syntax (`AND`, `NEAR`, `*`, `"`, column filters) in user input; the
 * table's tokenizer still stems quoted terms.
 */
export function toFtsQuery(query: string): string | null {
  const terms = [...new Set(ftsText(query).match(TERM) ?? [])];
  if (terms.length === 0) return null;
  return terms.map((term) => `"${term}"`).join(' OR ');
}
