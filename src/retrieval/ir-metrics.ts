/** Ranking quality measures over binary relevance judgements (as BEIR and trec_eval compute them). */

/**
 * Normalised discounted cumulative gain of a ranking at cut-off `k`, with binary gains.
 *
 * @remarks The ideal ranking puts every relevant document first; a query without relevant documents scores 0.
 */
export function ndcgAt(k: number, ranked: readonly string[], relevant: ReadonlySet<string>): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Share of the relevant documents found in the first `k` of a ranking (0 when nothing is relevant). */
export function recallAt(k: number, ranked: readonly string[], relevant: ReadonlySet<string>): number {
  if (relevant.size === 0) return 0;
  const found = new Set(ranked.slice(0, k).filter((id) => relevant.has(id)));
  return found.size / relevant.size;
}

/** Arithmetic mean; 0 for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/** 1 when a relevant document is among the first `k` of a ranking, else 0 (success@k, "hit rate"). */
export function hitAt(k: number, ranked: readonly string[], relevant: ReadonlySet<string>): number {
  return ranked.slice(0, k).some((id) => relevant.has(id)) ? 1 : 0;
}

/** 1 / rank of the first relevant document within the first `k` (its mean over queries is MRR@k); 0 when none. */
export function reciprocalRankAt(
  k: number,
  ranked: readonly string[],
  relevant: ReadonlySet<string>,
): number {
  const index = ranked.slice(0, k).findIndex((id) => relevant.has(id));
  return index === -1 ? 0 : 1 / (index + 1);
}
