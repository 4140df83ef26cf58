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
 * @remarks The mirror ranks by approximate distance; a few times `limit` of its best are re-scored exactly (see
 * {@link rescore}), so the results carry exact distances while only a fraction of the exact vectors is read.
 */
export function scanMirror(
  mirror: QuantizedMirror,
  query: Float32Array,
  limit: number,
  vectorsOf: VectorSource,
  allowed?: ReadonlySet<number>,
): VectorHits {
  const prepared = prepareVector(mirror.space, query);
  const found = mirror.nearest(prepared, limit * SCAN_OVERSAMPLE + SCAN_EXTRA, allowed);
  return rescore(query, found, limit, distanceFunction(mirror.space), vectorsOf);
}

/**
 * The `limit` best of approximate candidates by exact distance, re-scored in order of approximate distance.
 *
 * @remarks Re-scoring stops once no remaining candidate can beat the `limit`-th exact distance (its approximate
 * distance minus the largest error bound from there on is beyond it), so fewer exact vectors are read for the same
 * result. Labels the source has no vector for are skipped.
 */
export function rescore(
  query: Float32Array,
  found: ScoredCandidates,
  limit: number,
  distance: DistanceFunction,
  vectorsOf: VectorSource,
): VectorHits {
  if (!(limit > 0)) return { labels: [], distances: [] };
  const n = found.labels.length;
  const laterError = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) laterError[i] = Math.max(laterError[i + 1]!, found.errors[i]!);
  const best = new TopK(limit);
  let next = 0;
  while (next < n) {
    if (best.full && found.distances[next]! - laterError[next]! > best.worst + RESCORE_MARGIN) break;
    const labels = found.labels.slice(next, next + (next === 0 ? limit : RESCORE_STEP));
    const vectors = vectorsOf(labels);
    labels.forEach((label, i) => {
      const v = vectors[i];
      if (v) best.push(label, distance(query, v));
    });
    next += labels.length;
  }
  return best.toHits();
}
