import { describe, expect, it } from 'vitest';
import { hitAt, mean, ndcgAt, recallAt, reciprocalRankAt } from './ir-metrics.js';

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

describe('hitAt', () => {
  it('should be 1 when a relevant document is within the cut-off, else 0', () => {
    expect(hitAt(3, ['x', 'y', 'a'], new Set(['a']))).toBe(1);
    expect(hitAt(2, ['x', 'y', 'a'], new Set(['a']))).toBe(0);
    expect(hitAt(3, ['a'], new Set())).toBe(0);
  });
});

describe('reciprocalRankAt', () => {
  it('should be one over the rank of the first relevant document', () => {
    expect(reciprocalRankAt(10, ['a', 'b'], new Set(['a', 'b']))).toBe(1);
    expect(reciprocalRankAt(10, ['x', 'y', 'b', 'a'], new Set(['a', 'b']))).toBeCloseTo(1 / 3, 12);
  });

  it('should be 0 when no relevant document is within the cut-off', () => {
    expect(reciprocalRankAt(2, ['x', 'y', 'a'], new Set(['a']))).toBe(0);
  });
});
