import { describe, expect, it } from 'vitest';
import { BruteForceIndex } from './brute-force-index.js';
import { ExactVectorSet } from './exact-vector-set.js';

const DIM = 8;
const N = 3_000;

/** Dense low-dimensional vectors (as test batches are made): many lie within int8 error of one another. */
function denseVectors(): Float32Array[] {
  return Array.from({ length: N }, (_, i) =>
    Float32Array.from({ length: DIM }, (_, d) =>
      Math.sin(7 + Math.floor(i / 40) * 1000 + (i % 40) * 31 + d * 7),
    ),
  );
}

describe('scanMirror on vectors closer together than the int8 error', () => {
  it.each(['l2', 'ip', 'cosine'] as const)(
    'should return exactly what a float scan returns, in %s space',
    (space) => {
      const vectors = denseVectors();
      const set = new ExactVectorSet(DIM, space, 0); // every search goes through the mirror
      const exact = new BruteForceIndex(DIM, space);
      vectors.forEach((v, i) => set.set(i, v));
      exact.upsert(
        vectors.map((_, i) => i),
        vectors,
      );
      for (let i = 0; i < N; i += 37) {
        const query = vectors[i]!;
        for (const k of [1, 10]) {
          const found = set.search(query, k);
          const truth = exact.search(query, k);
          expect(found.distances).toEqual(truth.distances.map((d) => expect.closeTo(d, 6)));
          if (space !== 'ip') expect(found.labels[0]).toBe(truth.labels[0]);
        }
      }
    },
  );
});
