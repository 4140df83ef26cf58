/** Assertions on vector search results. */
import { expect } from 'vitest';
import type { VectorHits } from '../../src/engine/ports.js';

/**
 * Expects the same labels in the same order, with distances equal up to float rounding (an index may compute a
 * cosine distance from normalized copies, an exact scan from the raw vectors).
 */
export function expectSameHits(actual: VectorHits, expected: VectorHits): void {
  expect(actual.labels).toEqual(expected.labels);
  actual.distances.forEach((d, i) => expect(d).toBeCloseTo(expected.distances[i]!, 5));
}
