/** Shaping nearest-neighbour hits into Chroma's query result. */
import { invalidArgument } from './errors.js';
import type { VectorIndex } from './ports.js';
import type { Include, QueryResult, StoredRecord } from './types.js';

export function searchOne(
  index: VectorIndex | null,
  query: Float32Array,
  nResults: number,
  allowed: Set<number> | undefined,
): { labels: number[]; distances: number[] } {
  if (!index || (allowed && allowed.size === 0)) return { labels: [], distances: [] };
  if (query.length !== index.dimension) {
    throw invalidArgument(
      `Query dimension ${query.length} does not match collection dimensionality ${index.dimension}`,
    );
  }
  return index.search(query, nResults, allowed);
}

/** Builds Chroma's query result from hits, dropping labels whose record vanished meanwhile. */
export function buildQueryResult(
  hits: { labels: number[]; distances: number[] }[],
  byRowid: Map<number, StoredRecord>,
  include: Include[],
): QueryResult {
  const rows = hits.map((h) => {
    const keep = h.labels.map((l, i) => [byRowid.get(l), h.distances[i] as number] as const);
    return keep.filter((pair): pair is readonly [StoredRecord, number] => pair[0] !== undefined);
  });
  const has = (f: Include) => include.includes(f);
  return {
    ids: rows.map((row) => row.map(([r]) => r.id)),
    embeddings: has('embeddings') ? rows.map((row) => row.map(([r]) => toArray(r.embedding))) : null,
    documents: has('documents') ? rows.map((row) => row.map(([r]) => r.document)) : null,
    metadatas: has('metadatas') ? rows.map((row) => row.map(([r]) => r.metadata)) : null,
    uris: has('uris') ? rows.map((row) => row.map(([r]) => r.uri)) : null,
    distances: has('distances') ? rows.map((row) => row.map(([, d]) => d)) : null,
    include,
  };
}

/** A stored embedding as a plain number list (empty when the record has none). */
export function toArray(embedding: Float32Array | null): number[] {
  return embedding ? Array.from(embedding) : [];
}
