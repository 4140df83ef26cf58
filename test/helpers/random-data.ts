/** Seeded random data for tests and benchmarks: the same seed always gives the same numbers. */
import { createRng } from '../../src/engine/where/random-where.js';

/** A function returning uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/**
 * Creates the mulberry32 generator: a tiny, fast 32-bit PRNG, good enough for test data (not for secrets).
 *
 * @remarks Any integer seed is accepted; only its low 32 bits matter. The same generator as the filter oracle's.
 */
export const mulberry32: (seed: number) => Random = createRng;

/** Draws one standard normal number (Box-Muller) from a uniform generator. */
export function gaussian(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Draws a vector of independent standard normal components, scaled by `scale`. */
export function gaussianVector(dim: number, random: Random, scale = 1): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = gaussian(random) * scale;
  return out;
}

/** Returns an integer in [0, n) drawn from the generator. */
export function randomInt(n: number, random: Random): number {
  return Math.floor(random() * n);
}

/** Options of {@link clusteredVectors}. */
export interface ClusterOptions {
  /** Standard deviation of a point around its cluster centre, relative to the centres' spread (default 0.5). */
  spread?: number;
  /**
   * Dimensions of each cluster's own random subspace in which its points vary (default min(dim, 16)); pass
   * `dim` for isotropic noise. Real embeddings vary along few directions, which is what makes ANN work.
   */
  latentDim?: number;
}

/**
 * Generates `n` vectors of `dim` components grouped around `clusters` random centres, like real embeddings
 * (which are clumpy and of low intrinsic dimension, not uniform).
 *
 * @remarks
 * Point `i` belongs to cluster `i % clusters`. It is `centre + spread * (B z + 0.1 e)`, where `B` is the
 * cluster's random `dim x latentDim` basis (columns scaled to unit variance per component), and `z`, `e` are
 * standard normal vectors of `latentDim` and `dim` components.
 */
export function clusteredVectors(
  n: number,
  dim: number,
  clusters: number,
  seed: number,
  options: ClusterOptions = {},
): Float32Array[] {
  const random = mulberry32(seed);
  const spread = options.spread ?? 0.5;
  const latentDim = Math.max(1, Math.min(dim, options.latentDim ?? 16));
  const count = Math.max(1, clusters);
  const centres = Array.from({ length: count }, () => gaussianVector(dim, random));
  const bases = Array.from({ length: count }, () =>
    gaussianVector(dim * latentDim, random, 1 / Math.sqrt(latentDim)),
  );
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % count;
    out.push(clusterPoint(centres[c]!, bases[c]!, latentDim, spread, random));
  }
  return out;
}

function clusterPoint(
  centre: Float32Array,
  basis: Float32Array,
  latentDim: number,
  spread: number,
  random: Random,
): Float32Array {
  const dim = centre.length;
  const z = gaussianVector(latentDim, random);
  const point = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    let offset = 0.1 * gaussian(random);
    for (let l = 0; l < latentDim; l++) offset += basis[j * latentDim + l]! * z[l]!;
    point[j] = centre[j]! + spread * offset;
  }
  return point;
}

/** Picks `count` distinct integers from `items` (or all of them when fewer), seeded. */
export function sampleDistinct(items: readonly number[], count: number, seed: number): number[] {
  const random = mulberry32(seed);
  const copy = items.slice();
  const take = Math.min(count, copy.length);
  for (let i = 0; i < take; i++) {
    const j = i + randomInt(copy.length - i, random);
    [copy[i], copy[j]] = [copy[j] as number, copy[i] as number];
  }
  return copy.slice(0, take);
}
