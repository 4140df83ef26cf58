/** Seeded random data for tests and benchmarks: the same seed always gives the same numbers. */

/** A function returning uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/**
 * Creates the mulberry32 generator: a tiny, fast 32-bit PRNG, good enough for test data (not for secrets).
 *
 * @remarks Any integer seed is accepted; only its low 32 bits matter.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
}

/**
 * Generates `n` vectors of `dim` components grouped around `clusters` random centres, like real embeddings
 * (which are clumpy, not uniform).
 *
 * @remarks Point `i` belongs to cluster `i % clusters`, so every cluster is about equally large.
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
  const centres = Array.from({ length: Math.max(1, clusters) }, () => gaussianVector(dim, random));
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const centre = centres[i % centres.length] as Float32Array;
    const point = new Float32Array(dim);
    for (let j = 0; j < dim; j++) point[j] = (centre[j] as number) + gaussian(random) * spread;
    out.push(point);
  }
  return out;
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
