/** Exact nearest-neighbour scans over a {@link QuantizedMirror}: int8 candidates, re-scored from exact vectors. */
import type { VectorHits } from '../engine/ports.js';
import { distanceFunction, prepareVector, type DistanceFunction } from './distance.js';
import type { QuantizedMirror, ScoredCandidates } from './quantized-mirror.js';
import { TopK } from './top-k.js';

/** Reads exact vectors for labels, in order; null for a label without one. */
export type VectorSource = (labels: readonly number[]) => (Float32Array | null)[];

/** A scan re-scores this many candidates per wanted result exactly, plus {@link SCAN_EXTRA}. */
const SCAN_OVERSAMPLE = 4;
const SCAN_EXTRA = 16;
/** Candidates re-scored per read after the first `limit`. */
const RESCORE_STEP = 8;
/** Slack for float rounding when deciding that no candidate left can beat the current results. */
const RESCORE_MARGIN = 1e-5;

/**
 * The `limit` nearest of `allowed` (or of all) the mirror holds, with exact distances from the raw `query`.
 *
 * @remarks The mirror ranks by the lower bound of each exact distance; a few times `limit` of its best are re-scored
 * exactly (see {@link rescore}), so only a fraction of the exact vectors is read. When those candidates cannot prove
 * the result (many vectors within the quantization error of one another, as in low dimensions), the scan asks the
 * mirror for four times as many and re-scores again, until the result is proven exact or every vector was scored.
 */
export function scanMirror(
  mirror: QuantizedMirror,
  query: Float32Array,
  limit: number,
  vectorsOf: VectorSource,
  allowed?: ReadonlySet<number>,
): VectorHits {
  const prepared = prepareVector(mirror.space, query);
  const distance = distanceFunction(mirror.space);
  for (let n = limit * SCAN_OVERSAMPLE + SCAN_EXTRA; ; n *= 4) {
    const found = mirror.nearest(prepared, n, allowed);
    const { hits, complete } = rescore(query, found, limit, distance, vectorsOf);
    if (complete || found.labels.length < n) return hits;
  }
}

/**
 * The `limit` best of candidates ranked by lower bound, by exact distance, re-scored in that order; `complete` when
 * no candidate left out could beat them.
 *
 * @remarks Re-scoring stops once the next candidate's lower bound (approximate distance minus error bound) is beyond
 * the `limit`-th exact distance: that candidate and every later one, returned or not, cannot beat it, so fewer exact
 * vectors are read for the same result. Labels the source has no vector for are skipped.
 */
export function rescore(
  query: Float32Array,
  found: ScoredCandidates,
  limit: number,
  distance: DistanceFunction,
  vectorsOf: VectorSource,
): { hits: VectorHits; complete: boolean } {
  if (!(limit > 0)) return { hits: { labels: [], distances: [] }, complete: true };
  const n = found.labels.length;
  const lower = (i: number): number => found.distances[i]! - found.errors[i]!;
  const best = new TopK(limit);
  let next = 0;
  while (next < n) {
    if (best.full && lower(next) > best.worst + RESCORE_MARGIN)
      return { hits: best.toHits(), complete: true };
    const labels = found.labels.slice(next, next + (next === 0 ? limit : RESCORE_STEP));
    const vectors = vectorsOf(labels);
    labels.forEach((label, i) => {
      const v = vectors[i];
      if (v) best.push(label, distance(query, v));
    });
    next += labels.length;
  }
  // Every candidate was scored: those left out have a lower bound at least the last one's.
  const complete = n === 0 || (best.full && lower(n - 1) > best.worst + RESCORE_MARGIN);
  return { hits: best.toHits(), complete };
}
