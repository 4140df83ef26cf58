import { beforeAll, describe, expect, it } from 'vitest';
import type { HnswParams } from '../engine/types.js';
import { clusteredVectors, sampleDistinct } from '../../test/helpers/random-data.js';
import { BruteForceIndex } from './brute-force-index.js';
import { HnswIndex } from './hnsw-index.js';

const DEFAULTS: HnswParams = { space: 'cosine', efConstruction: 100, efSearch: 100, maxNeighbors: 16 };
const v = (...xs: number[]): Float32Array => Float32Array.from(xs);
const labelsFor = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Mean fraction of the true top k (by the oracle) that the index under test returns. */
function recallAt(
  k: number,
  queries: Float32Array[],
  test: (q: Float32Array) => number[],
  truth: (q: Float32Array) => number[],
): number {
  let hits = 0;
  let total = 0;
  for (const q of queries) {
    const expected = new Set(truth(q));
    hits += test(q).filter((label) => expected.has(label)).length;
    total += Math.min(k, expected.size);
  }
  return hits / total;
}

describe('HnswIndex', () => {
  it('should find nearest labels with distances that match distance.ts', () => {
    const index = HnswIndex.create(2, { ...DEFAULTS, space: 'l2' });
    index.upsert([1, 2, 3], [v(0, 0), v(3, 4), v(1, 1)]);
    expect(index.search(v(0, 0), 3)).toEqual({ labels: [1, 3, 2], distances: [0, 2, 25] });
  });

  it('should replace the vector of a label upserted again', () => {
    const index = HnswIndex.create(2, { ...DEFAULTS, space: 'l2' });
    index.upsert([1, 2], [v(0, 0), v(10, 10)]);
    index.upsert([1], [v(20, 20)]);
    expect(index.size).toBe(2);
    expect(index.search(v(19, 19), 2).labels).toEqual([1, 2]);
  });

  it('should no longer return removed labels and ignore unknown ones', () => {
    const index = HnswIndex.create(1, { ...DEFAULTS, space: 'l2' });
    index.upsert([1, 2, 3], [v(1), v(2), v(3)]);
    index.remove([2, 42]);
    index.remove([2]);
    expect(index.size).toBe(2);
    expect(index.search(v(2), 5).labels).toEqual([1, 3]);
  });

  it('should serve a removed label upserted again and new labels added after removals', () => {
    const vectors = clusteredVectors(400, 4, 3, 31);
    const index = HnswIndex.create(4, { ...DEFAULTS, space: 'l2' });
    index.upsert(labelsFor(300), vectors.slice(0, 300));
    index.remove(labelsFor(150));
    index.upsert([7], [vectors[7]!]);
    const fresh = labelsFor(100).map((i) => 1000 + i);
    index.upsert(fresh, vectors.slice(300));
    expect(index.size).toBe(251);
    const found = [7, ...fresh].filter((label) => {
      const own = label === 7 ? vectors[7]! : vectors[label - 1000 + 299]!;
      return index.search(own, 1).labels[0] === label;
    });
    expect(found.length).toBe(101);
    const gone = new Set(labelsFor(150).filter((l) => l !== 7));
    expect(index.search(vectors[0]!, 251).labels.some((l) => gone.has(l))).toBe(false);
  });

  it('should grow beyond its initial capacity', () => {
    const vectors = clusteredVectors(1500, 8, 4, 21);
    const index = HnswIndex.create(8, DEFAULTS);
    index.upsert(labelsFor(1500), vectors);
    expect(index.size).toBe(1500);
    expect(index.search(vectors[1234]!, 1).labels).toEqual([1235]);
  });

  it('should cap k at the number of live items, and at the allowed ones', () => {
    const index = HnswIndex.create(1, { ...DEFAULTS, space: 'l2' });
    index.upsert([1, 2, 3], [v(1), v(2), v(3)]);
    index.remove([3]);
    expect(index.search(v(0), 50).labels).toEqual([1, 2]);
    expect(index.search(v(0), 50, new Set([2, 3, 4])).labels).toEqual([2]);
    expect(index.search(v(0), 0).labels).toEqual([]);
    expect(HnswIndex.create(1, DEFAULTS).search(v(1), 10).labels).toEqual([]);
  });

  it('should reject a vector of the wrong dimension or a label hnswlib cannot hold', () => {
    const index = HnswIndex.create(2, DEFAULTS);
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => index.upsert([1], [v(1, 2, 3)])).toThrow(invalid);
    expect(() => index.upsert([-1], [v(1, 2)])).toThrow(invalid);
    expect(() => index.upsert([2 ** 33], [v(1, 2)])).toThrow(invalid);
    expect(() => index.search(v(1), 3)).toThrow(invalid);
  });
});

describe('HnswIndex recall against BruteForceIndex', () => {
  const N = 10_000;
  const DIM = 384;
  const labels = labelsFor(N);
  const generated = clusteredVectors(N + 100, DIM, 20, 7, { latentDim: 64 });
  const queries = generated.slice(N);
  const oracle = new BruteForceIndex(DIM, 'cosine');
  let index: HnswIndex;

  beforeAll(() => {
    const vectors = generated.slice(0, N);
    oracle.upsert(labels, vectors);
    index = HnswIndex.create(DIM, DEFAULTS);
    index.upsert(labels, vectors);
  });

  it('should reach recall@10 >= 0.95 at Chroma default parameters', () => {
    const recall = recallAt(
      10,
      queries,
      (q) => index.search(q, 10).labels,
      (q) => oracle.search(q, 10).labels,
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });

  it('should reach filtered recall@10 >= 0.99 at 10% selectivity, scanning exactly or walking the graph', () => {
    const allowed = new Set(sampleDistinct(labels, N / 10, 5));
    const walker = (q: Float32Array): number[] => index.search(q, 10, allowed).labels;
    const truth = (q: Float32Array): number[] => oracle.search(q, 10, allowed).labels;
    expect(recallAt(10, queries, walker, truth)).toBeGreaterThanOrEqual(0.99);
    const graphOnly = HnswIndex.create(DIM, DEFAULTS, null, { exactScanFactor: 0 });
    graphOnly.upsert(
      labels.slice(0, N / 2),
      labels.slice(0, N / 2).map((l) => oracle.storedVector(l)!),
    );
    const half = new Set([...allowed].filter((l) => l <= N / 2));
    const graphRecall = recallAt(
      10,
      queries,
      (q) => graphOnly.search(q, 10, half).labels,
      (q) => oracle.search(q, 10, half).labels,
    );
    expect(graphRecall).toBeGreaterThanOrEqual(0.99);
  });

  it('should keep filtered recall@10 >= 0.99 on the graph path when the filter excludes whole clusters', () => {
    // 100 tight clusters; the filter keeps clusters 3, 13, ..., 93 (10% of the data), far from most queries.
    // At 40,000 points a walk at the plain ef of 100 reaches only ~0.98 here; the scaled ef reaches 1.
    const [n, dim] = [40_000, 64];
    const data = clusteredVectors(n + 200, dim, 100, 11);
    const vectors = data.slice(0, n);
    const probes = data.slice(n);
    const all = labelsFor(n);
    const correlated = new Set(all.filter((l) => (l - 1) % 10 === 3));
    const exact = new BruteForceIndex(dim, 'cosine');
    exact.upsert(all, vectors);
    const graphOnly = HnswIndex.create(dim, DEFAULTS, null, { exactScanFactor: 0 });
    graphOnly.upsert(all, vectors);
    const recall = recallAt(
      10,
      probes,
      (q) => graphOnly.search(q, 10, correlated).labels,
      (q) => exact.search(q, 10, correlated).labels,
    );
    expect(recall).toBeGreaterThanOrEqual(0.99);
  });

  it('should return only allowed labels with float32-exact distances on the graph path', () => {
    const allowed = new Set(sampleDistinct(labels, 3000, 8));
    const hits = index.search(queries[0]!, 10, allowed);
    expect(hits.labels.every((l) => allowed.has(l))).toBe(true);
    const exact = oracle.distancesTo(queries[0]!, hits.labels);
    hits.distances.forEach((d, i) => expect(d).toBeCloseTo(exact[i]!, 5));
    expect([...hits.distances].sort((a, b) => a - b)).toEqual(hits.distances);
  });
});
