/** Exact nearest-neighbour scans over a {@link QuantizedMirror}: int8 candidates, re-scored from exact vectors. */
import type { VectorHits } from '../engine/ports.js';
import type { Space } from '../engine/types.js';
import { distanceFunction, prepareVector } from './distance.js';
import type { QuantizedMirror, ScoredCandidates } from './quantized-mirror.js';
import { TopK } from './top-k.js';

/** Reads exact vectors for labels, in order; null for a label without one. */
export type VectorSource = (labels: readonly number[]) => (Float32Array | null)[];

/** Exact distances from a scan's query to labels, in order; NaN for a label without a vector. */
export type ExactDistances = (labels: readonly number[]) => ArrayLike<number>;

/** {@link ExactDistances} that read the labels' vectors from `vectorsOf` and score them in doubles. */
export function distancesFromVectors(
  space: Space,
  query: Float32Array,
  vectorsOf: VectorSource,
): ExactDistances {
  const distance = distanceFunction(space);
  return (labels) => vectorsOf(labels).map((v) => (v ? distance(query, v) : NaN));
}

/** A scan re-scores this many candidates per wanted result exactly, plus {@link SCAN_EXTRA}. */
const SCAN_OVERSAMPLE = 8;
const SCAN_EXTRA = 32;
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
 * `distancesOf` gives the exact distances from `query` (see {@link distancesFromVectors}).
 */
export function scanMirror(
  mirror: QuantizedMirror,
  query: Float32Array,
  limit: number,
  distancesOf: ExactDistances,
  allowed?: ReadonlySet<number>,
): VectorHits {
  const prepared = prepareVector(mirror.space, query);
  for (let n = limit * SCAN_OVERSAMPLE + SCAN_EXTRA; ; n *= 4) {
    const found = mirror.nearest(prepared, n, allowed);
    const { hits, complete } = rescore(found, limit, distancesOf);
    if (complete || found.labels.length < n) return hits;
  }
}

/**
 * The `limit` best of candidates ranked by lower bound, by exact distance, re-scored in that order; `complete` when
 * no candidate left out could beat them.
 *
 * @remarks Re-scoring stops once the next candidate's lower bound (approximate distance minus error bound) is beyond
 * the `limit`-th exact distance: that candidate and every later one, returned or not, cannot beat it, so fewer exact
 * vectors are read for the same result. Labels without a vector (a NaN distance) are skipped.
 */
export function rescore(
  found: ScoredCandidates,
  limit: number,
  distancesOf: ExactDistances,
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
    const distances = distancesOf(labels);
    labels.forEach((label, i) => {
      const d = distances[i]!;
      if (!Number.isNaN(d)) best.push(label, d);
    });
    next += labels.length;
  }
  // Every candidate was scored: those left out have a lower bound at least the last one's.
  const complete = n === 0 || (best.full && lower(n - 1) > best.worst + RESCORE_MARGIN);
  return { hits: best.toHits(), complete };
}
