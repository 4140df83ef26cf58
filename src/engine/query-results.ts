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
    distances: has('distances') ? rows.map((row) => row.map(([, d]) => shortestFloat32(d))) : null,
    include,
  };
}

/**
 * A stored embedding as a plain number list (empty when the record has none), each value the shortest decimal
 * that reads back as the same float32 (see {@link shortestFloat32}).
 */
export function toArray(embedding: Float32Array | null): number[] {
  return embedding ? Array.from(embedding, shortestFloat32) : [];
}

/**
 * The number with the fewest significant digits that rounds to the same float32 as `value`.
 *
 * @remarks Chroma stores vectors and distances as float32 and prints them as such: `0.1` comes back as `0.1`,
 * not `0.10000000149011612`, and in about half the bytes. Round-tripping is monotonic in the number of digits
 * (a correctly rounded p-digit decimal that reads back as the float also does with p + 1), so the digits are
 * found by bisection over 1 to 9, the most a float32 needs.
 */
export function shortestFloat32(value: number): number {
  const f = Math.fround(value);
  // Integers below 2^24 are exact in float32 and already as short as they get.
  if (!Number.isFinite(f) || (Number.isInteger(f) && Math.abs(f) < 16_777_216)) return f;
  let low = 1;
  let high = 9;
  while (low < high) {
    const digits = (low + high) >> 1;
    if (Math.fround(Number(f.toPrecision(digits))) === f) high = digits;
    else low = digits + 1;
  }
  return Number(f.toPrecision(low));
}
