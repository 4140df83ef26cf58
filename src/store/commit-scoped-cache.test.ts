import { describe, expect, it } from 'vitest';
import { CommitScopedCache } from './commit-scoped-cache.js';

describe('CommitScopedCache', () => {
  it('should read the version once per synchronous run and reload after another commit', async () => {
    let version = 1;
    let reads = 0;
    const cache = new CommitScopedCache(() => {
      reads++;
      return version;
    });
    let loads = 0;
    const load = () => ++loads;
    expect([cache.get('a', load), cache.get('a', load), cache.get('b', load)]).toEqual([1, 1, 2]);
    expect(reads).toBe(1);
    version = 2; // another connection commits: seen from the next run on, not within this one
    expect(cache.get('a', load)).toBe(1);
    await Promise.resolve();
    expect(cache.get('a', load)).toBe(3);
    expect(reads).toBe(2);
    await Promise.resolve();
    expect(cache.get('a', load)).toBe(3);
    expect(reads).toBe(3);
  });

  it('should forget everything when invalidated', () => {
    const cache = new CommitScopedCache(() => 1);
    let loads = 0;
    cache.get('a', () => ++loads);
    cache.invalidate();
    expect(cache.get('a', () => ++loads)).toBe(2);
  });
});

describe('CommitScopedCache across connections of one process', () => {
  it('should re-check its version within a run once another connection wrote', () => {
    let version = 1;
    const reader = new CommitScopedCache(() => version);
    const writer = new CommitScopedCache(() => 1);
    let loads = 0;
    expect(reader.get('a', () => ++loads)).toBe(1);
    version = 2;
    writer.invalidate(); // what the writing store does when its transaction ends
    expect(reader.get('a', () => ++loads)).toBe(2);
  });
});
