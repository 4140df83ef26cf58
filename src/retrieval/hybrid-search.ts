/** Hybrid retrieval: BM25 and vector results of one collection fused by reciprocal rank fusion, with citations. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../engine/database.js';
import { invalidArgument, isEngineError } from '../engine/errors.js';
import type { CollectionModel, Metadata } from '../engine/types.js';
import { fuseRankings, type RankedList } from './fuse-rankings.js';
import { sourceOf } from './source-of.js';

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
}

/** One retrieved passage. */
export interface SearchHit {
  id: string;
  text: string;
  score: number;
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
  /** The retriever's own score, higher is better. */
  score: number;
}

/**
 * Searches a collection lexically, by vector, or both fused by reciprocal rank fusion (k = 60).
 *
 * @remarks
 * The `where` filter restricts both retrievers before ranking. In hybrid mode a collection without a usable
 * embedding function (none bound, or FAILED_PRECONDITION from it) is searched lexically alone, and `modes` says
 * so; in vector mode that failure is the caller's error. Scores: RRF in hybrid mode, BM25 in lexical mode,
 * `1 - distance` in vector mode. A missing collection throws NOT_FOUND.
 */
export async function hybridSearch(engine: Engine, request: SearchRequest): Promise<SearchResponse> {
  const mode = checkRequest(request);
  const collection = engine.getCollection(
    request.tenant ?? DEFAULT_TENANT,
    request.database ?? DEFAULT_DATABASE,
    request.collection,
  );
  if (mode === 'lexical')
    return single('lexical', await searchLexical(engine, collection, request, request.topK));
  if (mode === 'vector') {
    const hits = await searchVector(engine, collection, request, request.topK, true);
    return single('vector', hits ?? []);
  }
  const depth = Math.max(request.topK, FUSION_DEPTH);
  const vector = await searchVector(engine, collection, request, depth, false);
  const lexical = await searchLexical(engine, collection, request, depth);
  const lists: RankedList<Candidate>[] = [];
  if (vector !== null) lists.push({ mode: 'vector', items: vector });
  lists.push({ mode: 'lexical', items: lexical });
  const fused = fuseRankings(lists, (c) => c.id).slice(0, request.topK);
  return {
    results: fused.map(({ item, score }) => toHit(item, score)),
    modes: lists.map((l) => l.mode),
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

function single(mode: 'vector' | 'lexical', hits: Candidate[]): SearchResponse {
  return { results: hits.map((c) => toHit(c, c.score)), modes: [mode] };
}

async function searchLexical(
  engine: Engine,
  collection: CollectionModel,
  request: SearchRequest,
  k: number,
): Promise<Candidate[]> {
  const result = await engine.lexicalQuery(collection.id, {
    queryText: request.query,
    nResults: k,
    where: request.where,
    include: ['documents', 'metadatas'],
  });
  return result.ids.map((id, i) => ({
    id,
    text: result.documents?.[i] ?? '',
    metadata: result.metadatas?.[i] ?? null,
    score: result.scores[i] ?? 0,
  }));
}

/** Vector candidates, or null when the collection has no usable embedding function and `required` is false. */
async function searchVector(
  engine: Engine,
  collection: CollectionModel,
  request: SearchRequest,
  k: number,
  required: boolean,
): Promise<Candidate[] | null> {
  const unbound = collection.embedding === null || collection.embedding === 'none';
  if (unbound && !required) return null;
  try {
    const result = await engine.query(collection.id, {
      queryTexts: [request.query],
      nResults: k,
      where: request.where,
      include: ['documents', 'metadatas', 'distances'],
    });
    return (result.ids[0] ?? []).map((id, i) => ({
      id,
      text: result.documents?.[0]?.[i] ?? '',
      metadata: result.metadatas?.[0]?.[i] ?? null,
      score: 1 - (result.distances?.[0]?.[i] ?? 1),
    }));
  } catch (err) {
    if (!required && isEngineError(err, 'FAILED_PRECONDITION')) return null;
    throw err;
  }
}

function toHit(candidate: Candidate, score: number): SearchHit {
  return {
    id: candidate.id,
    text: candidate.text,
    score,
    source: sourceOf(candidate.metadata),
    metadata: candidate.metadata,
  };
}
