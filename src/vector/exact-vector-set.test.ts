import { describe, expect, it } from 'vitest';
import type { Space } from '../engine/types.js';
import { gaussianVector, mulberry32, randomInt } from '../../test/helpers/random-data.js';
import { expectSameHits } from '../../test/helpers/vector-hits.js';
import { BruteForceIndex } from './brute-force-index.js';
import { ExactVectorSet } from './exact-vector-set.js';

const DIM = 24;

describe('ExactVectorSet', () => {
  it.each(['l2', 'ip', 'cosine'] as const)(
    'should search like an exact index through sets, replacements and removals, on both sides of the mirror threshold (%s)',
    (space: Space) => {
      const random = mulberry32(11);
      const set = new ExactVectorSet(DIM, space);
      const truth = new Map<number, Float32Array>();
      for (let step = 0; step < 400; step++) {
        const label = randomInt(300, random);
        if (random() < 0.2) {
          set.delete(label);
          truth.delete(label);
        } else {
          const v = gaussianVector(DIM, random);
          set.set(label, v);
          truth.set(label, v);
        }
        if (step % 10 !== 0) continue;
        const exact = new BruteForceIndex(DIM, space);
        exact.upsert([...truth.keys()], [...truth.values()]);
        const query = gaussianVector(DIM, random);
        const allowed = new Set(
          Array.from({ length: 1 + randomInt(120, random) }, () => randomInt(300, random)),
        );
        const k = 1 + randomInt(12, random);
        expect(set.size).toBe(truth.size);
        expectSameHits(set.search(query, k), exact.search(query, k));
        expectSameHits(set.search(query, k, allowed), exact.search(query, k, allowed));
      }
      expect(set.mirrorBytes).toBeGreaterThan(0);
    },
  );

  it('should scan with float distances up to its threshold and build the mirror only when a search needs it', () => {
    const random = mulberry32(3);
    const set = new ExactVectorSet(DIM, 'cosine', 4);
    for (let label = 0; label < 6; label++) set.set(label, gaussianVector(DIM, random));
    expect(set.mirrorBytes).toBe(0);
    set.search(gaussianVector(DIM, random), 2, new Set([1, 2, 3]));
    expect(set.mirrorBytes).toBe(0);
    set.search(gaussianVector(DIM, random), 2);
    expect(set.mirrorBytes).toBeGreaterThan(0);
  });

  it('should forget its vectors and release the mirror when closed', () => {
    const random = mulberry32(5);
    const set = new ExactVectorSet(DIM, 'l2', 0);
    set.set(1, gaussianVector(DIM, random));
    set.search(gaussianVector(DIM, random), 1);
    set.close();
    expect(set.mirrorBytes).toBe(0);
    expect(set.size).toBe(0);
    expect(set.search(gaussianVector(DIM, random), 1)).toEqual({ labels: [], distances: [] });
  });

  it('should refuse a query of another dimension', () => {
    expect(() => new ExactVectorSet(DIM, 'l2').search(new Float32Array(3), 1)).toThrow(/dimension/);
  });
});
