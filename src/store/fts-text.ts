/** The text that goes into, and the queries that go against, the store's FTS5 tables. */
import { analyzeQuery, indexTerms, stem, type QueryTerm } from '../text/analyze.js';
import type { LatinLanguage } from '../text/languages.js';

/** Most query terms a lexical query uses (longer queries keep their most informative terms). */
export const MAX_QUERY_TERMS = 32;
/** A word is tried as two joined words ("healthcheck" = "health check") from this length. */
const MIN_SPLIT_LENGTH = 6;
/** Each half of such a split has at least this many characters. */
const MIN_SPLIT_PART = 3;
/** The weight of a query word absent from the collection, as a share of a one-document word's. */
export const UNSEEN_WEIGHT = 0.75;
/** Most vocabulary splits and joins checked against the index per query. */
const MAX_PHRASE_CHECKS = 8;

/**
 * The indexed form of a text: its index terms (see {@link indexTerms}) with Latin diacritics folded.
 *
 * @remarks The store indexes `ftsText(document)` and plans queries from the same analysis, so both sides meet.
 */
export function ftsText(text: string): string {
  return foldDiacritics(indexTerms(text));
}

/** One informative query term: an FTS5 expression matching any of its forms, and its IDF weight. */
export interface TermGroup {
  word: string;
  /** The index-term sequences any of which matches the word. */
  alternatives: string[][];
  match: string;
  weight: number;
}

/** A planned lexical query: the MATCH expression for ranking, and the groups relevance is measured by. */
export interface LexicalPlan {
  match: string;
  groups: TermGroup[];
}

/** Document frequencies of index terms in one collection, and its document count. */
export interface Vocabulary {
  documentCount: number;
  /** Documents containing each term; absent terms may be left out of the map. */
  frequencies(terms: readonly string[]): Map<string, number>;
  /** Documents containing the terms in this order, side by side. */
  phraseFrequency(phrase: readonly string[]): number;
}

/**
 * Plans a free-text query against a collection's lexical table; null when the text has no word.
 *
 * @remarks
 * Function words are dropped unless nothing else is left. Each remaining word becomes a group of alternatives: its
 * stems, a compound's parts as a phrase or joined, and, where the collection's vocabulary has them, a long word
 * split in two ("healthcheck" -> "health check") and two neighbouring words joined ("health check" ->
 * "healthcheck"). Every alternative is quoted, so FTS5 syntax in user text is inert. A group's weight is BM25's
 * IDF of its most frequent alternative; a word the collection never uses gets the weight of a word in one document.
 */
export function planLexicalQuery(query: string, vocabulary: Vocabulary): LexicalPlan | null {
  const { terms, latin } = analyzeQuery(query);
  if (terms.length === 0) return null;
  const content = terms.filter((t) => !t.stopword);
  const chosen: Group[] = (content.length > 0 ? content : terms).map((t) => ({
    word: t.word,
    alternatives: t.alternatives.map(foldAll),
  }));
  const joins = joinCandidates(chosen, latin);
  const df = vocabulary.frequencies(termsOf([...chosen, ...joins]));
  for (const join of joins) if ((df.get(join.alternatives[0]![0]!) ?? 0) > 0) addAlternatives(join);
  const primary = new Map(chosen.map((g) => [g, g.alternatives.map((alt) => alt)]));
  const splits = splitCandidates(chosen, latin);
  for (const [term, count] of vocabulary.frequencies(termsOf(splits))) df.set(term, count);
  const frequency = memoizedFrequency(vocabulary, df);
  let phraseChecks = MAX_PHRASE_CHECKS;
  for (const split of splits) {
    for (const alt of split.alternatives) {
      if (!alt.every((t) => (df.get(t) ?? 0) > 0) || phraseChecks-- <= 0) continue;
      if (frequency(alt) > 0) addAlternatives({ ...split, alternatives: [alt] });
    }
  }
  const n = vocabulary.documentCount;
  const groups = chosen
    .map((g) => ({
      word: g.word,
      alternatives: g.alternatives,
      match: orOf(g.alternatives),
      weight: groupWeight(n, groupFrequency(g, primary.get(g) ?? [], frequency)),
    }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, MAX_QUERY_TERMS);
  return { match: groups.map((g) => g.match).join(' OR '), groups };
}

/**
 * How much a query word counts for relevance: its IDF, and for a word the collection never uses, a share
 * {@link UNSEEN_WEIGHT} of a one-document word's (such words often only reword the question).
 */
function groupWeight(documentCount: number, frequency: number): number {
  const weight = idf(documentCount, frequency);
  return frequency > 0 ? weight : weight * UNSEEN_WEIGHT;
}

/**
 * A group's document frequency: that of its own forms when the collection has them (a split or join found in the
 * vocabulary widens the match, not the word's rarity), else the best of the forms found.
 */
function groupFrequency(group: Group, primary: string[][], frequency: (alt: string[]) => number): number {
  const own = Math.max(0, ...primary.map(frequency));
  return own > 0 ? own : Math.max(0, ...group.alternatives.map(frequency));
}

/** BM25's inverse document frequency (never negative); an unseen term counts as seen once. */
export function idf(documentCount: number, frequency: number): number {
  const df = Math.max(1, frequency);
  const n = Math.max(documentCount, df);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

interface Group {
  word: string;
  alternatives: string[][];
}

/** Alternatives that apply to some groups if the index has them. */
interface Candidate extends Group {
  /** The groups they extend (a join extends both neighbours; a split only its word). */
  targets: Group[];
}

/** Two neighbouring words joined into one ("health check" -> "healthcheck"), for both of them. */
function joinCandidates(groups: Group[], latin: LatinLanguage): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i + 1 < groups.length; i += 1) {
    const [a, b] = [groups[i]!, groups[i + 1]!];
    if (!isPlainWord(a.word) || !isPlainWord(b.word)) continue;
    const joined = [foldDiacritics(stem(a.word + b.word, latin))];
    out.push({ word: a.word + b.word, alternatives: [joined], targets: [a, b] });
  }
  return out;
}

/** A long word the index does not know, split in two ("healthcheck" -> "health check"). */
function splitCandidates(groups: Group[], latin: LatinLanguage): Candidate[] {
  const out: Candidate[] = [];
  for (const group of groups) {
    const word = group.word;
    if (!isPlainWord(word) || word.length < MIN_SPLIT_LENGTH) continue;
    const alternatives: string[][] = [];
    for (let at = MIN_SPLIT_PART; at <= word.length - MIN_SPLIT_PART; at += 1) {
      alternatives.push([stem(word.slice(0, at), latin), stem(word.slice(at), latin)].map(foldDiacritics));
    }
    out.push({ word, alternatives, targets: [group] });
  }
  return out;
}

function isPlainWord(word: string): boolean {
  return (
    /^[\p{L}\p{N}]+$/u.test(word) && !/[\p{scx=Han}\p{scx=Thai}\p{scx=Hiragana}\p{scx=Katakana}]/u.test(word)
  );
}

function termsOf(groups: readonly Group[]): string[] {
  const out = new Set<string>();
  for (const group of groups) for (const alt of group.alternatives) for (const t of alt) out.add(t);
  return [...out];
}

function addAlternatives(candidate: Candidate): void {
  for (const group of candidate.targets) {
    for (const alternative of candidate.alternatives) {
      const key = alternative.join(' ');
      if (!group.alternatives.some((a) => a.join(' ') === key)) group.alternatives.push(alternative);
    }
  }
}

/** Document frequency of an alternative: a term's from the vocabulary, a phrase's counted once, then remembered. */
function memoizedFrequency(vocabulary: Vocabulary, df: Map<string, number>): (alt: string[]) => number {
  const phrases = new Map<string, number>();
  return (alt) => {
    if (alt.length === 1) return df.get(alt[0]!) ?? 0;
    if (alt.some((t) => (df.get(t) ?? 0) === 0)) return 0;
    const key = alt.join(' ');
    let count = phrases.get(key);
    if (count === undefined) phrases.set(key, (count = vocabulary.phraseFrequency(alt)));
    return count;
  };
}

function orOf(alternatives: string[][]): string {
  const quoted = alternatives.map((alt) => `"${alt.join(' ')}"`);
  return quoted.length === 1 ? quoted[0]! : `(${quoted.join(' OR ')})`;
}

function foldAll(terms: string[]): string[] {
  return terms.map(foldDiacritics);
}

/** Removes combining diacritical marks (U+0300-U+036F): `café` -> `cafe`; Thai and Indic marks stay. */
export function foldDiacritics(text: string): string {
  if (!/[^\p{ASCII}]/u.test(text)) return text;
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/gu, '')
    .normalize('NFC');
}

/** @internal The groups a query plans to, for tests: each group's alternatives in order. */
export function queryTermsOf(query: string): QueryTerm[] {
  return analyzeQuery(query).terms;
}
