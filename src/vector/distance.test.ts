import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { clusteredVectors } from '../../test/helpers/random-data.js';
import {
  cosineDistance,
  distanceFunction,
  dot,
  innerProductDistance,
  normalized,
  prepareVector,
  squaredL2,
  storedDistance,
} from './distance.js';

const a = Float32Array.from([1, 2, 3]);
const b = Float32Array.from([4, -5, 6]);

describe('distance functions', () => {
  it('should compute l2 as the squared Euclidean distance', () => {
    // (1-4)^2 + (2+5)^2 + (3-6)^2 = 9 + 49 + 9
    expect(squaredL2(a, b)).toBe(67);
  });

  it('should compute ip as one minus the dot product', () => {
    // 4 - 10 + 18 = 12
    expect(dot(a, b)).toBe(12);
    expect(innerProductDistance(a, b)).toBe(-11);
  });

  it('should compute cosine as one minus the cosine similarity', () => {
    const expected = 1 - 12 / (Math.sqrt(14) * Math.sqrt(77));
    expect(cosineDistance(a, b)).toBeCloseTo(expected, 6);
    expect(cosineDistance(a, Float32Array.from([2, 4, 6]))).toBeCloseTo(0, 6);
    expect(cosineDistance(Float32Array.from([1, 0]), Float32Array.from([-1, 0]))).toBeCloseTo(2, 6);
  });

  it('should give distance 1, not NaN, when a cosine operand is the zero vector', () => {
    const zero = new Float32Array(3);
    expect(cosineDistance(zero, a)).toBe(1);
    expect(cosineDistance(a, zero)).toBe(1);
    expect(cosineDistance(zero, zero)).toBe(1);
    expect(Array.from(normalized(zero))).toEqual([0, 0, 0]);
  });

  it('should handle lengths that are not multiples of the unrolling', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5]);
    const y = Float32Array.from([5, 4, 3, 2, 1]);
    expect(dot(x, y)).toBe(35);
    expect(squaredL2(x, y)).toBe(40);
  });

  it('should agree between raw functions and the stored form of each space', () => {
    const [x, y] = clusteredVectors(2, 37, 2, 11) as [Float32Array, Float32Array];
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      const stored = prepareVector(space, x);
      const viaStored = storedDistance(space)(stored, 0, prepareVector(space, y), 37);
      expect(viaStored).toBeCloseTo(distanceFunction(space)(x, y), 5);
    }
  });

  it('should match the distances hnswlib-node reports in every space', () => {
    const vectors = clusteredVectors(20, 16, 3, 5);
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      const graph = new hnswlib.HierarchicalNSW(space, 16);
      graph.initIndex({ maxElements: 20 });
      vectors.forEach((v, i) => graph.addPoint(Array.from(v), i));
      const query = vectors[0] as Float32Array;
      const { neighbors, distances } = graph.searchKnn(Array.from(query), 5);
      neighbors.forEach((label, i) => {
        const ours = distanceFunction(space)(query, vectors[label] as Float32Array);
        expect(distances[i]).toBeCloseTo(ours, 3);
      });
    }
  });
});
