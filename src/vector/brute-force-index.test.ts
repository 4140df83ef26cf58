import { describe, expect, it } from 'vitest';
import { isEngineError } from '../engine/errors.js';
import type { CollectionModel } from '../engine/types.js';
import { clusteredVectors, mulberry32 } from '../../test/helpers/random-data.js';
import { BruteForceIndex, BruteForceIndexFactory } from './brute-force-index.js';
import { distanceFunction } from './distance.js';

const v = (...xs: number[]): Float32Array => Float32Array.from(xs);

describe('BruteForceIndex', () => {
  it('should return the exact nearest labels sorted by ascending distance', () => {
    const index = new BruteForceIndex(2, 'l2');
    index.upsert([1, 2, 3], [v(0, 0), v(3, 4), v(1, 1)]);
    expect(index.search(v(0, 0), 3)).toEqual({ labels: [1, 3, 2], distances: [0, 2, 25] });
  });

  it('should match a naive scan on random data in every space', () => {
    const vectors = clusteredVectors(300, 24, 5, 3);
    const query = clusteredVectors(1, 24, 5, 4)[0] as Float32Array;
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      const index = new BruteForceIndex(24, space);
      index.upsert(
        vectors.map((_, i) => i + 1),
        vectors,
      );
      const naive = vectors
        .map((x, i) => ({ label: i + 1, d: distanceFunction(space)(query, x) }))
        .sort((p, q) => p.d - q.d)
        .slice(0, 10);
      const hits = index.search(query, 10);
      expect(hits.labels).toEqual(naive.map((p) => p.label));
      hits.distances.forEach((d, i) => expect(d).toBeCloseTo(naive[i]!.d, 4));
    }
  });

  it('should break distance ties by ascending label', () => {
    const index = new BruteForceIndex(2, 'l2');
    index.upsert([9, 4, 7, 2], [v(1, 0), v(0, 1), v(-1, 0), v(0, -1)]);
    expect(index.search(v(0, 0), 3).labels).toEqual([2, 4, 7]);
  });

  it('should replace the vector of a label that is upserted again', () => {
    const index = new BruteForceIndex(2, 'l2');
    index.upsert([1, 2], [v(0, 0), v(10, 10)]);
    index.upsert([1], [v(20, 20)]);
    expect(index.size).toBe(2);
    expect(index.search(v(10, 10), 1).labels).toEqual([2]);
    expect(index.search(v(20, 20), 1).distances).toEqual([0]);
  });

  it('should forget removed labels, ignore unknown ones and keep the others intact', () => {
    const index = new BruteForceIndex(2, 'l2');
    index.upsert([1, 2, 3, 4], [v(1, 1), v(2, 2), v(3, 3), v(4, 4)]);
    index.remove([2, 99]);
    expect(index.size).toBe(3);
    expect(index.has(2)).toBe(false);
    expect(index.search(v(4, 4), 10).labels).toEqual([4, 3, 1]);
    expect(Array.from(index.storedVector(4) ?? [])).toEqual([4, 4]);
  });

  it('should grow past its initial capacity', () => {
    const random = mulberry32(1);
    const index = new BruteForceIndex(3, 'l2');
    const vectors = Array.from({ length: 1000 }, () => v(random(), random(), random()));
    index.upsert(
      vectors.map((_, i) => i),
      vectors,
    );
    expect(index.size).toBe(1000);
    expect(index.search(vectors[777]!, 1)).toEqual({ labels: [777], distances: [0] });
  });

  it('should return only allowed labels, whether the allowed set is small or large', () => {
    const index = new BruteForceIndex(1, 'l2');
    index.upsert([1, 2, 3, 4, 5], [v(1), v(2), v(3), v(4), v(5)]);
    expect(index.search(v(0), 10, new Set([5, 3, 42])).labels).toEqual([3, 5]);
    expect(index.search(v(0), 2, new Set([1, 2, 3, 4, 5, 6, 7])).labels).toEqual([1, 2]);
  });

  it('should cap k at the number of items and return nothing for k 0 or an empty set', () => {
    const index = new BruteForceIndex(1, 'l2');
    index.upsert([1, 2], [v(1), v(2)]);
    expect(index.search(v(0), 100).labels).toEqual([1, 2]);
    expect(index.search(v(0), 0).labels).toEqual([]);
    expect(index.search(v(0), 5, new Set()).labels).toEqual([]);
  });

  it('should reject vectors of the wrong dimension with INVALID_ARGUMENT', () => {
    const index = new BruteForceIndex(2, 'l2');
    expect(() => index.upsert([1], [v(1, 2, 3)])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    let caught: unknown;
    try {
      index.search(v(1), 1);
    } catch (err) {
      caught = err;
    }
    expect(isEngineError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('BruteForceIndexFactory', () => {
  it('should open empty indexes in the collection space', () => {
    const collection = {
      id: 'c1',
      hnsw: { space: 'ip', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
    };
    const index = new BruteForceIndexFactory().open(collection as CollectionModel, 2);
    index.upsert([1, 2], [v(1, 0), v(0, 3)]);
    expect(index.search(v(0, 1), 2)).toEqual({ labels: [2, 1], distances: [-2, 1] });
  });
});
