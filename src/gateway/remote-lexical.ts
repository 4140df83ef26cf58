/**
 * The lexical retriever over a Chroma server, which has full-text filters (`$contains`) but no ranking: the query's
 * most informative words pick candidates, and kbgate ranks them by BM25F with the same query plan, term weights and
 * relevance as its own lexical index.
 */
import type { Metadata } from '../engine/types.js';
import { foldDiacritics, ftsText, planLexicalQuery, type LexicalPlan } from '../store/fts-text.js';
import { HEAD_WEIGHT, headText } from '../store/lexical-tables.js';
import { analyzeQuery, stem } from '../text/analyze.js';
import { detectLatinLanguage } from '../text/languages.js';

/** Most query words whose document frequency is probed (the longest content words). */
export const MAX_PROBED_WORDS = 8;
/** A probe shorter than this is the word itself rather than its stem's prefix. */
const MIN_PROBE_LENGTH = 3;
/** BM25's term-frequency saturation and length normalisation, as SQLite FTS5 uses them. */
const K1 = 1.2;
const B = 0.75;

/** A query word and the substrings that find it in documents, whatever its inflection or capitalisation. */
export interface ProbedWord {
  word: string;
  /** Case variants of the word's stem prefix: `studi`, `Studi`, `STUDI` for "studies". */
  probes: string[];
}

/** Chroma's `where_document` expression matching any of `probes`. */
export type ContainsFilter = { $contains: string } | { $or: { $contains: string }[] };

/**
 * The content words of a query (function words only when there is nothing else), at most
 * {@link MAX_PROBED_WORDS}, longest first, each with its probes.
 *
 * @remarks `$contains` is a case-sensitive substring test, so a word is probed by the common prefix of its written
 * form and its stem (`studies` -> `studi`, which also finds "studied"), lower-case, capitalised and upper-case.
 */
export function probedWords(query: string): ProbedWord[] {
  const { terms } = analyzeQuery(query);
  const content = terms.filter((t) => !t.stopword);
  const chosen = (content.length > 0 ? content : terms)
    .slice()
    .sort((a, b) => b.word.length - a.word.length)
    .slice(0, MAX_PROBED_WORDS);
  return chosen.map((t) => {
    const stem = t.alternatives[0]?.[0] ?? t.word;
    const prefix = commonPrefix(t.word, stem);
    const base = prefix.length >= Math.min(MIN_PROBE_LENGTH, t.word.length) ? prefix : t.word;
    const capital = base.charAt(0).toUpperCase() + base.slice(1);
    return { word: t.word, probes: [...new Set([base, capital, base.toUpperCase()])] };
  });
}

/** The `where_document` filter matching documents that contain any probe of any of `words`. */
export function containsFilter(words: readonly ProbedWord[]): ContainsFilter {
  const probes = [...new Set(words.flatMap((w) => w.probes))];
  if (probes.length === 1) return { $contains: probes[0]! };
  return { $or: probes.map((p) => ({ $contains: p })) };
}

/**
 * Plans the query as kbgate's lexical index does ({@link planLexicalQuery}), with document frequencies measured on
 * the server by probe: each word's count of documents containing it, and the collection's size.
 */
export function planFromFrequencies(
  query: string,
  documentCount: number,
  frequencies: ReadonlyMap<string, number>,
): LexicalPlan | null {
  const byTerm = new Map<string, number>();
  for (const term of analyzeQuery(query).terms) {
    const df = frequencies.get(term.word);
    if (df === undefined) continue;
    for (const alt of term.alternatives) {
      if (alt.length !== 1) continue;
      const key = foldDiacritics(alt[0]!);
      byTerm.set(key, Math.max(df, byTerm.get(key) ?? 0));
    }
  }
  return planLexicalQuery(query, {
    documentCount,
    frequencies: (terms) => new Map(terms.filter((t) => byTerm.has(t)).map((t) => [t, byTerm.get(t)!])),
    phraseFrequency: () => 0,
  });
}

/** A passage to score: its text and metadata (title and headings weigh {@link HEAD_WEIGHT} times). */
export interface ScoredInput {
  text: string;
  metadata: Metadata | null;
}

/** BM25F score (0 when no query word occurs) and relevance (share of the plan's term weight matched, 0-1). */
export interface LexicalScore {
  score: number;
  relevance: number;
}

/** A passage's text as the scorer needs it: its length in index terms and what it holds of the plan's terms. */
interface AnalyzedText {
  length: number;
  occurrences(alternatives: readonly (readonly string[])[]): number;
}

/** Scripts written without spaces, which only the full analysis segments into words. */
const UNSPACED =
  /[\p{scx=Han}\p{scx=Thai}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** Words are stemmed only when they begin as some query term does (stemming keeps a word's start). */
const PREFIX_LENGTH = 3;

/**
 * Scores passages against a plan, with average lengths taken over the passages themselves.
 *
 * @remarks Candidates are a few hundred passages per query, so their text is not analyzed whole as the index does
 * ({@link ftsText}) when the plan allows it: only the words that begin like a query term are stemmed (in the text's
 * language, as the index would), which gives the same counts for texts in spaced scripts at a fraction of the cost.
 */
export function scorePassages(plan: LexicalPlan, passages: readonly ScoredInput[]): LexicalScore[] {
  const fast = plan.groups.every((g) => g.alternatives.every((alt) => alt.length === 1));
  const terms = new Set(plan.groups.flatMap((g) => g.alternatives.map((alt) => alt[0]!)));
  const prefixes = new Set([...terms].map((t) => t.slice(0, PREFIX_LENGTH)));
  const analyzed = passages.map((p) => ({
    body:
      fast && !UNSPACED.test(p.text) ? countTerms(p.text, terms, prefixes) : analyzeWhole(ftsText(p.text)),
    head: analyzeWhole(headText(p.metadata)),
  }));
  const avgBody = average(analyzed.map((a) => a.body.length));
  const avgHead = average(analyzed.map((a) => a.head.length));
  const total = plan.groups.reduce((sum, g) => sum + g.weight, 0);
  return analyzed.map(({ body, head }) => {
    let score = 0;
    let matched = 0;
    for (const group of plan.groups) {
      const inBody = body.occurrences(group.alternatives);
      const inHead = head.occurrences(group.alternatives);
      if (inBody + inHead === 0) continue;
      matched += group.weight;
      const tf = inBody / norm(body.length, avgBody) + (HEAD_WEIGHT * inHead) / norm(head.length, avgHead);
      score += (group.weight * tf * (K1 + 1)) / (tf + K1);
    }
    return { score, relevance: total > 0 ? Math.min(1, matched / total) : 0 };
  });
}

/** Index terms of analyzed text, for any alternative (phrases too). */
function analyzeWhole(indexed: string): AnalyzedText {
  const terms = indexed.split(' ').filter((t) => t !== '');
  return { length: terms.length, occurrences: (alternatives) => occurrences(terms, alternatives) };
}

/** Counts of single-term alternatives in plain text, stemming only the words that may match. */
function countTerms(text: string, terms: ReadonlySet<string>, prefixes: ReadonlySet<string>): AnalyzedText {
  const words = text.toLowerCase().match(WORD) ?? [];
  const latin = detectLatinLanguage(words);
  const counts = new Map<string, number>();
  for (const word of words) {
    if (!prefixes.has(foldDiacritics(word.slice(0, PREFIX_LENGTH + 1)).slice(0, PREFIX_LENGTH))) continue;
    const term = foldDiacritics(stem(word, latin));
    if (terms.has(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return {
    length: words.length,
    occurrences: (alternatives) => alternatives.reduce((sum, alt) => sum + (counts.get(alt[0]!) ?? 0), 0),
  };
}

function norm(length: number, averageLength: number): number {
  return averageLength > 0 ? 1 - B + (B * length) / averageLength : 1;
}

function average(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** How many times any of the alternatives (sequences of index terms) occurs in `terms`. */
function occurrences(terms: readonly string[], alternatives: readonly (readonly string[])[]): number {
  let count = 0;
  for (let i = 0; i < terms.length; i += 1) {
    if (alternatives.some((alt) => alt.every((t, j) => terms[i + j] === t))) count += 1;
  }
  return count;
}

function commonPrefix(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return a.slice(0, i);
}
