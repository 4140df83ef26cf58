import { describe, expect, it } from 'vitest';
import type { Space } from '../engine/types.js';
import { clusteredVectors } from '../../test/helpers/random-data.js';
import { BruteForceIndex } from './brute-force-index.js';
import { prepareVector } from './distance.js';
import { QuantizedMirror } from './quantized-mirror.js';

const DIM = 64;
const N = 2_000;
const data = clusteredVectors(N + 20, DIM, 10, 3);
const labels = Array.from({ length: N }, (_, i) => i + 1);

function build(space: Space): { mirror: QuantizedMirror; exact: BruteForceIndex } {
  const mirror = new QuantizedMirror(DIM, space);
  const exact = new BruteForceIndex(DIM, space);
  labels.forEach((label, i) => mirror.put(label, prepareVector(space, data[i]!)));
  exact.upsert(labels, data.slice(0, N));
  return { mirror, exact };
}

describe('QuantizedMirror', () => {
  it.each(['l2', 'ip', 'cosine'] as const)(
    'should rank the exact top 10 among its first 56 candidates in %s space',
    (space) => {
      const { mirror, exact } = build(space);
      for (const query of data.slice(N)) {
        const candidates = new Set(mirror.candidates(prepareVector(space, query), 56));
        for (const label of exact.search(query, 10).labels) expect(candidates.has(label)).toBe(true);
      }
    },
  );

  it('should only offer allowed labels, and forget removed ones', () => {
    const { mirror } = build('cosine');
    const allowed = new Set(labels.filter((l) => l % 7 === 0));
    const query = prepareVector('cosine', data[N]!);
    expect(mirror.candidates(query, 50, allowed).every((l) => allowed.has(l))).toBe(true);
    mirror.remove(7);
    mirror.remove(123_456);
    expect(mirror.has(7)).toBe(false);
    expect(mirror.size).toBe(N - 1);
    expect(mirror.candidates(query, N, allowed)).not.toContain(7);
    expect(mirror.candidates(query, N)).toHaveLength(N - 1);
  });

  it('should keep every other vector intact when a removal moves the last one into the gap', () => {
    const mirror = new QuantizedMirror(2, 'l2');
    mirror.put(1, new Float32Array([0, 0]));
    mirror.put(2, new Float32Array([10, 10]));
    mirror.put(3, new Float32Array([5, 5]));
    mirror.remove(1);
    expect(mirror.candidates(new Float32Array([5, 5]), 1)).toEqual([3]);
    expect(mirror.candidates(new Float32Array([10, 10]), 1)).toEqual([2]);
    mirror.put(3, new Float32Array([20, 20]));
    expect(mirror.candidates(new Float32Array([19, 19]), 1)).toEqual([3]);
  });

  it('should rank as well when the dimension is not a multiple of 16 and rows are added after scans', () => {
    const dim = 37;
    const vectors = clusteredVectors(1_020, dim, 10, 5);
    const mirror = new QuantizedMirror(dim, 'l2');
    const exact = new BruteForceIndex(dim, 'l2');
    const query = vectors[1_000]!;
    for (let i = 0; i < 1_000; i++) {
      mirror.put(i, vectors[i]!);
      exact.upsert([i], [vectors[i]!]);
      // Scans leave scratch data past the last row, where the next rows' padding will be.
      if (i % 97 === 0) mirror.candidates(query, 5, new Set([0, i]));
    }
    const candidates = new Set(mirror.candidates(query, 56));
    for (const label of exact.search(query, 10).labels) expect(candidates.has(label)).toBe(true);
  });

  it('should see a label added after an allowed set was first scanned', () => {
    const { mirror } = build('cosine');
    const allowed = new Set([1, 2, N + 1]);
    const query = prepareVector('cosine', data[N]!);
    expect(mirror.candidates(query, 10, allowed).sort()).toEqual([1, 2]);
    mirror.put(N + 1, prepareVector('cosine', data[N]!));
    expect(mirror.candidates(query, 10, allowed)[0]).toBe(N + 1);
  });

  it.each(['l2', 'ip', 'cosine'] as const)(
    'should bound how far each approximate distance is from the exact one in %s space',
    (space) => {
      const { mirror, exact } = build(space);
      for (const query of data.slice(N)) {
        const found = mirror.nearest(prepareVector(space, query), 200);
        const all = exact.search(query, N);
        const truth = new Map(all.labels.map((l, i) => [l, all.distances[i]]));
        found.labels.forEach((label, i) => {
          const error = Math.abs(found.distances[i]! - truth.get(label)!);
          expect(error).toBeLessThanOrEqual(found.errors[i]! + 1e-6);
        });
      }
    },
  );

  it('should report the storage it holds, and hold none once closed', () => {
    const mirror = new QuantizedMirror(DIM, 'l2');
    const empty = mirror.residentBytes;
    for (let i = 0; i < 1_000; i++) mirror.put(i, data[i]!);
    expect(mirror.residentBytes).toBeGreaterThanOrEqual(empty + 1_000 * DIM);
    mirror.close();
    expect(mirror.residentBytes).toBe(0);
    expect(() => mirror.nearest(data[N]!, 1)).toThrow(/closed/);
  });
});
