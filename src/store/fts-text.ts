/** The text that goes into, and the queries that go against, the store's FTS5 index. */

const TERM = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * The text indexed for a document.
 *
 * @remarks The single hook for language-aware pre-segmentation (e.g. spaces between CJK/Thai words): the
 * store indexes `ftsText(document)` and queries with terms taken from `ftsText(query)`.
 */
export function ftsText(document: string): string {
  return document;
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
