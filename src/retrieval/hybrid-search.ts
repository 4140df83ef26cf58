/** Hybrid retrieval: BM25 and vector results of one collection fused by reciprocal rank fusion, with citations. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../engine/database.js';
import { invalidArgument, isEngineError } from '../engine/errors.js';
import type { Metadata } from '../engine/types.js';
import { asSearchIndex } from './engine-search-index.js';
import { fuseRankings, type RankedList } from './fuse-rankings.js';
import type { SearchableCollection, SearchIndex } from './search-index.js';
import { sourceOf } from './source-of.js';
import { vectorRelevance } from './vector-relevance.js';

/** Which retrievers run: both fused (default), embeddings only, or BM25 only. */
export type SearchMode = 'hybrid' | 'vector' | 'lexical';

/** The modes a caller may ask for. */
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'vector', 'lexical'];

/** A search of one collection. */
export interface SearchRequest {
  collection: string;
  query: string;
  topK: number;
  where?: Record<string, unknown>;
  mode?: SearchMode;
  tenant?: string;
  database?: string;
}

/** Where a passage comes from, read from the ingester's chunk metadata; null where unknown. */
export interface SearchSource {
  path: string | null;
  title: string | null;
  heading: string | null;
  anchor: string | null;
  lines: [number, number] | null;
  /** For paged documents (PDF): the page the passage starts on; absent for others. */
  page?: number;
}

/** Each retriever's own score for a passage; null where that retriever did not run or did not find it. */
export interface SearchScores {
  /** BM25F (higher is better; comparable within one query only). */
  lexical: number | null;
  /** Cosine similarity of query and passage embeddings, from -1 to 1. */
  vector: number | null;
}

/** One retrieved passage. */
export interface SearchHit {
  id: string;
  text: string;
  /**
   * The ranking score: reciprocal rank fusion when both retrievers ran, else the one retriever's own score
   * (BM25F, or cosine similarity).
   */
  score: number;
  /**
   * How well the passage answers the query, from 0 to 1, comparable across queries and collections: the better of
   * the lexical relevance (the share of the query's informative words the passage matches, weighted by rarity)
   * and the vector relevance (cosine similarity rescaled by {@link vectorRelevance}).
   */
  relevance: number;
  scores: SearchScores;
  source: SearchSource;
  metadata: Metadata | null;
}

/** Results best first, and the retrievers that actually ran. */
export interface SearchResponse {
  results: SearchHit[];
  modes: ('vector' | 'lexical')[];
  truncated?: boolean;
}

/** Largest `topK` a search accepts (the HTTP route allows less). */
export const MAX_TOP_K = 1000;

/** How many candidates each retriever contributes to the fusion, at least. */
const FUSION_DEPTH = 50;

interface Candidate {
  id: string;
  text: string;
  metadata: Metadata | null;
  /** BM25F score and lexical relevance, when the lexical retriever found it. */
  lexical: { score: number; relevance: number } | null;
  /** Cosine similarity, when the vector retriever found it. */
  similarity: number | null;
  /** Lexical relevance of a hit the lexical retriever did not return, measured afterwards. */
  lexicalRelevance?: number;
}

/**
 * Searches a collection lexically, by vector, or both fused by reciprocal rank fusion (k = 60).
 *
 * @remarks
 * The `where` filter restricts both retrievers before ranking. In hybrid mode a collection without a usable
 * embedding function (none bound, or FAILED_PRECONDITION from it) is searched lexically alone, and `modes` says
 * so; in vector mode that is INVALID_ARGUMENT, naming the modes that work. Every hit carries each retriever's own
 * score and a relevance in [0, 1] (see {@link SearchHit}). A missing collection throws NOT_FOUND.
 */
export async function hybridSearch(
  source: Engine | SearchIndex,
  request: SearchRequest,
): Promise<SearchResponse> {
  const mode = checkRequest(request);
  const engine = asSearchIndex(source);
  const collection = await engine.describe(
    request.tenant ?? DEFAULT_TENANT,
    request.database ?? DEFAULT_DATABASE,
    request.collection,
  );
  if (mode === 'lexical') {
    const hits = await searchLexical(engine, collection, request, request.topK);
    return { results: hits.map((c) => toHit(c, c.lexical?.score ?? 0, collection)), modes: ['lexical'] };
  }
  if (mode === 'vector') {
    const hits = await searchVector(engine, collection, request, request.topK, true);
    const results = (hits ?? []).map((c) => toHit(c, c.similarity ?? 0, collection));
    return { results, modes: ['vector'] };
  }
  const depth = Math.max(request.topK, FUSION_DEPTH);
  // Both retrievers at once: over a Chroma server each is a round trip of its own.
  const [vector, lexical] = await Promise.all([
    searchVector(engine, collection, request, depth, false),
    searchLexical(engine, collection, request, depth),
  ]);
  if (vector === null) {
    const results = lexical.slice(0, request.topK).map((c) => toHit(c, c.lexical?.score ?? 0, collection));
    return { results, modes: ['lexical'] };
  }
  const lists: RankedList<Candidate>[] = [
    { mode: 'vector', items: vector },
    { mode: 'lexical', items: lexical },
  ];
  const fused = fuseRankings(lists, (c) => c.id).slice(0, request.topK);
  const merged = mergeCandidates(
    fused.map((f) => f.item),
    vector,
    lexical,
  );
  await addLexicalRelevance(engine, collection, request.query, merged);
  return {
    results: merged.map((c, i) => toHit(c, fused[i]!.score, collection)),
    modes: ['vector', 'lexical'],
  };
}

function checkRequest(request: SearchRequest): SearchMode {
  if (typeof request.query !== 'string' || request.query.trim() === '') {
    throw invalidArgument('query must be a non-empty string');
  }
  if (!Number.isInteger(request.topK) || request.topK < 1 || request.topK > MAX_TOP_K) {
    throw invalidArgument(`topK must be an integer from 1 to ${MAX_TOP_K}`);
  }
  const mode = request.mode ?? 'hybrid';
  if (!SEARCH_MODES.includes(mode)) throw invalidArgument(`mode must be one of ${SEARCH_MODES.join(', ')}`);
  return mode;
}

async function searchLexical(
  engine: SearchIndex,
  collection: SearchableCollection,
  request: SearchRequest,
  k: number,
): Promise<Candidate[]> {
  const passages = await engine.lexical(collection, queryOf(request, k));
  return passages.map((p) => ({
    id: p.id,
    text: p.text,
    metadata: p.metadata,
    lexical: { score: p.score, relevance: p.relevance },
    similarity: null,
  }));
}

function queryOf(
  request: SearchRequest,
  k: number,
): { text: string; k: number; where?: Record<string, unknown> } {
  return request.where === undefined
    ? { text: request.query, k }
    : { text: request.query, k, where: request.where };
}

/** Vector candidates, or null when the collection has no usable embedding function and `required` is false. */
async function searchVector(
  engine: SearchIndex,
  collection: SearchableCollection,
  request: SearchRequest,
  k: number,
  required: boolean,
): Promise<Candidate[] | null> {
  const unbound = collection.embedding === null || collection.embedding === 'none';
  if (unbound && !required) return null;
  try {
    const passages = await engine.vector(collection, queryOf(request, k));
    return passages.map((p) => ({
      id: p.id,
      text: p.text,
      metadata: p.metadata,
      lexical: null,
      similarity: similarityOf(collection.space, p.distance),
    }));
  } catch (err) {
    if (!isEngineError(err, 'FAILED_PRECONDITION')) throw err;
    if (!required) return null;
    const why = unbound ? 'it has no embedding function (it was created lexical-only)' : err.message;
    throw invalidArgument(
      `Collection "${collection.name}" cannot be searched in vector mode: ${why}. Modes "lexical" and "hybrid" ` +
        '(which then searches lexically) work on it. For vector search, create the collection with an embedding ' +
        'function (KBGATE_EMBEDDING=default, multilingual or openai:<model>) and ingest its documents again.',
      err,
    );
  }
}

/** Cosine similarity from a distance: exact for `cosine`, and for `ip` and `l2` over unit vectors. */
export function similarityOf(space: string, distance: number | null): number | null {
  if (distance === null || !Number.isFinite(distance)) return null;
  const similarity = space === 'l2' ? 1 - distance / 2 : 1 - distance;
  return Math.max(-1, Math.min(1, similarity));
}

/** One candidate per fused id, with what both retrievers know of it. */
function mergeCandidates(fused: Candidate[], vector: Candidate[], lexical: Candidate[]): Candidate[] {
  const byVector = new Map(vector.map((c) => [c.id, c]));
  const byLexical = new Map(lexical.map((c) => [c.id, c]));
  return fused.map((c) => ({
    ...c,
    lexical: byLexical.get(c.id)?.lexical ?? null,
    similarity: byVector.get(c.id)?.similarity ?? null,
  }));
}

/** Fills in the lexical relevance of hits only the vector retriever found (their BM25 score stays null). */
async function addLexicalRelevance(
  engine: SearchIndex,
  collection: SearchableCollection,
  query: string,
  candidates: Candidate[],
): Promise<void> {
  const missing = candidates.filter((c) => c.lexical === null);
  if (missing.length === 0) return;
  const relevances = await engine.lexicalRelevance(collection, query, missing);
  missing.forEach((c, i) => {
    c.lexicalRelevance = relevances[i] ?? 0;
  });
}

function toHit(candidate: Candidate, score: number, collection: SearchableCollection): SearchHit {
  const lexicalRelevance = candidate.lexical?.relevance ?? candidate.lexicalRelevance ?? 0;
  const vector =
    candidate.similarity === null ? 0 : vectorRelevance(candidate.similarity, collection.embedding);
  return {
    id: candidate.id,
    text: candidate.text,
    score,
    relevance: round(Math.max(lexicalRelevance, vector)),
    scores: { lexical: candidate.lexical?.score ?? null, vector: candidate.similarity },
    source: sourceOf(candidate.metadata),
    metadata: candidate.metadata,
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
