/** Lexical analysis shared by indexing and querying: words, identifier parts, stems, query term groups. */
import { detectLatinLanguage, isQueryStopword, stemWord, type LatinLanguage } from './languages.js';
import { segmentWords } from './tokenize.js';

/** A word with its joiners: `health-check`, `max_tokens`, `healthCheck`, `better-sqlite3`. */
const COMPOUND = /[\p{L}\p{M}\p{N}]+(?:[-_][\p{L}\p{M}\p{N}]+)*/gu;
const JOINER = /[-_]/u;
/** camelCase and PascalCase boundaries: `healthCheck` -> health|Check, `HTMLParser` -> HTML|Parser. */
const CAMEL_BOUNDARY = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
/** Words longer than this are indexed as they are (hashes, base64, garbage), never stemmed. */
const MAX_STEMMED_LENGTH = 40;

/** One written word: the pieces a hyphen or underscore separates, lower-cased, each with its camelCase parts. */
interface Word {
  parts: string[];
  /** Per part, its camelCase pieces (`healthCheck` -> health, check); one entry when it has none. */
  camel: string[][];
}

/**
 * The index terms of a text, in order, joined by spaces: what the lexical index stores for a document.
 *
 * @remarks
 * Unspaced scripts are segmented into words first. A compound (`health-check`, `max_tokens`) is indexed as its
 * parts (`health check`); a camelCase word both whole and as its parts (`healthcheck health check`), so "health
 * check", "health-check" and "healthCheck" all meet; queries bridge the joined spelling ("healthcheck") through
 * the collection's vocabulary. Latin words are stemmed in the language the text's function words
 * indicate (English by default), Cyrillic as Russian (Ukrainian when its letters appear), Greek and Arabic by their
 * own stemmers; Chinese, Japanese and Thai words are kept whole.
 */
export function indexTerms(text: string): string {
  const words = readWords(text);
  const latin = detectLatinLanguage(words.flatMap((w) => w.parts));
  const out: string[] = [];
  for (const word of words) {
    word.parts.forEach((part, i) => {
      out.push(stem(part, latin));
      const camel = word.camel[i]!;
      if (camel.length > 1) for (const piece of camel) out.push(stem(piece, latin));
    });
  }
  return out.join(' ');
}

/** One informative unit of a query and the index-term sequences (phrases) any of which matches it. */
export interface QueryTerm {
  /** The word (or part of a compound) as written, lower-cased. */
  word: string;
  /** Alternatives, each a sequence of index terms that must appear in order; deduplicated. */
  alternatives: string[][];
  /** A function word ("how", "的", "как"): dropped when the query has other terms. */
  stopword: boolean;
}

/** A query read for the lexical index: its terms in order, and the stemming language used. */
export interface AnalyzedQuery {
  terms: QueryTerm[];
  latin: LatinLanguage;
}

/**
 * Reads free text as a query: one term per word or part of a compound, each with the index terms that match it
 * (the stem in English and in the query's detected language; for a part of a compound, also the joined form, so
 * "health-check" finds "healthcheck" as well as "health" and "check").
 */
export function analyzeQuery(text: string): AnalyzedQuery {
  const words = readWords(text);
  const latin = detectLatinLanguage(words.flatMap((w) => w.parts));
  const terms: QueryTerm[] = [];
  const languages = latin === 'en' ? (['en'] as const) : ([latin, 'en'] as const);
  for (const word of words) {
    const joined = word.parts.length > 1 ? word.parts.join('') : null;
    word.parts.forEach((part, i) => {
      const camel = word.camel[i]!;
      const alternatives: string[][] = [];
      for (const language of languages) {
        alternatives.push([stem(part, language)]);
        if (camel.length > 1) alternatives.push(camel.map((piece) => stem(piece, language)));
        if (joined !== null) alternatives.push([stem(joined, language)]);
      }
      terms.push({
        word: part,
        alternatives: dedupe(alternatives),
        stopword: isQueryStopword(part, latin),
      });
    });
  }
  return { terms: dedupeTerms(terms), latin };
}

/** The stem of `word` in `latin` (for Latin script) or its own script's language. */
export function stem(word: string, latin: LatinLanguage): string {
  return word.length > MAX_STEMMED_LENGTH ? word : stemWord(word, latin);
}

/** The words of a text, each split into its lower-cased parts. */
function readWords(text: string): Word[] {
  const words: Word[] = [];
  for (const match of segmentWords(text).matchAll(COMPOUND)) {
    const pieces = match[0].split(JOINER).filter((p) => p !== '');
    if (pieces.length === 0) continue;
    words.push({
      parts: pieces.map((p) => p.toLowerCase()),
      camel: pieces.map((p) => p.split(CAMEL_BOUNDARY).map((c) => c.toLowerCase())),
    });
  }
  return words;
}

function dedupe(alternatives: string[][]): string[][] {
  const seen = new Set<string>();
  return alternatives.filter((alt) => {
    const key = alt.join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupeTerms(terms: QueryTerm[]): QueryTerm[] {
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = term.alternatives.map((a) => a.join(' ')).join('|');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
