import { describe, expect, it } from 'vitest';
import { fuseRankings, RRF_K } from './fuse-rankings.js';

const key = (s: string) => s;

describe('fuseRankings', () => {
  it('should score an item by the sum of 1 / (k + rank) over the lists holding it', () => {
    const fused = fuseRankings(
      [
        { mode: 'vector', items: ['a', 'b'] },
        { mode: 'lexical', items: ['b', 'c'] },
      ],
      key,
    );
    expect(fused.map((f) => f.item)).toEqual(['b', 'a', 'c']);
    expect(fused[0]?.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1), 12);
    expect(fused[1]?.score).toBeCloseTo(1 / (RRF_K + 1), 12);
  });

  it('should rank an item found by both retrievers above items found by one', () => {
    const fused = fuseRankings(
      [
        { mode: 'vector', items: ['v1', 'v2', 'both'] },
        { mode: 'lexical', items: ['l1', 'l2', 'both'] },
      ],
      key,
    );
    expect(fused[0]?.item).toBe('both');
  });

  it('should break ties by best rank and then by key', () => {
    const fused = fuseRankings(
      [
        { mode: 'vector', items: ['y', 'x'] },
        { mode: 'lexical', items: ['x', 'y'] },
      ],
      key,
    );
    expect(fused.map((f) => f.item)).toEqual(['x', 'y']);
  });

  it('should count a duplicate inside one list once', () => {
    const fused = fuseRankings([{ mode: 'lexical', items: ['a', 'a'] }], key);
    expect(fused).toEqual([{ item: 'a', score: 1 / (RRF_K + 1) }]);
  });

  it('should return nothing for empty lists', () => {
    expect(fuseRankings([{ mode: 'lexical', items: [] }], key)).toEqual([]);
  });
});
