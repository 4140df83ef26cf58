import { describe, expect, it } from 'vitest';
import { mean, ndcgAt, recallAt } from './ir-metrics.js';

describe('ndcgAt', () => {
  it('should be 1 when the relevant documents come first', () => {
    expect(ndcgAt(10, ['a', 'b', 'c'], new Set(['a', 'b']))).toBe(1);
  });

  it('should discount a relevant document by log2 of its rank + 1', () => {
    expect(ndcgAt(10, ['x', 'a'], new Set(['a']))).toBeCloseTo(1 / Math.log2(3), 12);
  });

  it('should ignore documents below the cut-off', () => {
    expect(ndcgAt(1, ['x', 'a'], new Set(['a']))).toBe(0);
  });

  it('should be 0 without relevant documents', () => {
    expect(ndcgAt(10, ['a'], new Set())).toBe(0);
  });
});

describe('recallAt', () => {
  it('should give the share of relevant documents retrieved within the cut-off', () => {
    expect(recallAt(2, ['a', 'x', 'b'], new Set(['a', 'b']))).toBe(0.5);
    expect(recallAt(3, ['a', 'x', 'b'], new Set(['a', 'b']))).toBe(1);
  });
});

describe('mean', () => {
  it('should average values and give 0 for none', () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(mean([])).toBe(0);
  });
});
