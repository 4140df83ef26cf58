/** Reciprocal rank fusion (Cormack, Clarke and Büttcher 2009) of ranked lists from different retrievers. */

/** The constant k of reciprocal rank fusion: a hit at rank r (from 1) scores 1 / (k + r). */
export const RRF_K = 60;

/** One retriever's results, best first. */
export interface RankedList<T> {
  mode: 'vector' | 'lexical';
  items: T[];
}

/** A fused item with its RRF score. */
export interface FusedItem<T> {
  item: T;
  score: number;
}

interface Tally<T> {
  item: T;
  score: number;
  bestRank: number;
}

/**
 * Fuses ranked lists by summing 1 / (k + rank) over the lists an item appears in, best first.
 *
 * @remarks Ties break by the best single rank, then by key, so the order is deterministic. The first list that
 * holds an item supplies it. Duplicates inside one list count once, at their best rank.
 */
export function fuseRankings<T>(
  lists: RankedList<T>[],
  keyOf: (item: T) => string,
  k = RRF_K,
): FusedItem<T>[] {
  const tallies = new Map<string, Tally<T>>();
  for (const list of lists) {
    const seen = new Set<string>();
    list.items.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) return;
      seen.add(key);
      const rank = index + 1;
      const tally = tallies.get(key) ?? { item, score: 0, bestRank: rank };
      tally.score += 1 / (k + rank);
      tally.bestRank = Math.min(tally.bestRank, rank);
      tallies.set(key, tally);
    });
  }
  return [...tallies.entries()]
    .sort(([ka, a], [kb, b]) => b.score - a.score || a.bestRank - b.bestRank || compare(ka, kb))
    .map(([, { item, score }]) => ({ item, score }));
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
