/** Chroma's distance functions over Float32Array vectors: `l2` (squared), `ip` (1 - dot) and `cosine` (1 - cos). */
import type { Space } from '../engine/types.js';

/** A distance between two vectors of equal length; smaller is closer. */
export type DistanceFunction = (a: Float32Array, b: Float32Array) => number;

/** A distance between `query` and the vector stored at `offset` in a contiguous `data` array. */
export type StoredDistance = (data: Float32Array, offset: number, query: Float32Array, dim: number) => number;

/** The dot product of two vectors of equal length. */
export function dot(a: Float32Array, b: Float32Array): number {
  return dotAt(a, 0, b, b.length);
}

/** The squared Euclidean distance, Chroma's and hnswlib's `l2`. */
export function squaredL2(a: Float32Array, b: Float32Array): number {
  return squaredL2At(a, 0, b, b.length);
}

/** Chroma's `ip` distance: one minus the dot product. */
export function innerProductDistance(a: Float32Array, b: Float32Array): number {
  return 1 - dot(a, b);
}

/**
 * Chroma's `cosine` distance: one minus the cosine similarity.
 *
 * @remarks A zero vector has no direction; its similarity to anything is taken as 0, so the distance is 1
 * (which is also what hnswlib computes, as it leaves zero vectors unnormalized).
 */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  const normA = Math.sqrt(dot(a, a));
  const normB = Math.sqrt(dot(b, b));
  if (normA === 0 || normB === 0) return 1;
  return 1 - dot(a, b) / (normA * normB);
}

/** A unit-length copy of `v`; a zero vector gives a zero copy. */
export function normalized(v: Float32Array): Float32Array {
  const out = new Float32Array(v);
  const norm = Math.sqrt(dot(v, v));
  if (norm === 0) return out;
  const inv = 1 / norm;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * inv;
  return out;
}

/** The distance function of a space, over raw (not normalized) vectors. */
export function distanceFunction(space: Space): DistanceFunction {
  if (space === 'l2') return squaredL2;
  if (space === 'ip') return innerProductDistance;
  return cosineDistance;
}

/**
 * The dot product of `query` with the vector at `offset` of `data`, unrolled by four for speed.
 *
 * @remarks Accumulates in doubles, so it is at least as exact as hnswlib's float sums.
 */
export function dotAt(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim % 4);
  for (; i < end4; i += 4) {
    const o = offset + i;
    s0 += data[o]! * query[i]!;
    s1 += data[o + 1]! * query[i + 1]!;
    s2 += data[o + 2]! * query[i + 2]!;
    s3 += data[o + 3]! * query[i + 3]!;
  }
  for (; i < dim; i++) s0 += data[offset + i]! * query[i]!;
  return s0 + s1 + s2 + s3;
}

/** The squared Euclidean distance between `query` and the vector at `offset` of `data`. */
export function squaredL2At(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  const end2 = dim - (dim % 2);
  for (; i < end2; i += 2) {
    const d0 = data[offset + i]! - query[i]!;
    const d1 = data[offset + i + 1]! - query[i + 1]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
  }
  if (i < dim) {
    const d = data[offset + i]! - query[i]!;
    s0 += d * d;
  }
  return s0 + s1;
}

/** One minus the dot product at `offset`: the `ip` distance, and `cosine` on normalized vectors. */
export function oneMinusDotAt(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  return 1 - dotAt(data, offset, query, dim);
}

/**
 * How to compare a prepared query with stored vectors of a space.
 *
 * @remarks For `cosine`, stored vectors and the query are normalized first, so the distance is `1 - dot`.
 */
export function storedDistance(space: Space): StoredDistance {
  return space === 'l2' ? squaredL2At : oneMinusDotAt;
}

/** The form in which a vector is stored and compared in a space: a normalized copy for cosine, else a copy. */
export function prepareVector(space: Space, v: Float32Array): Float32Array {
  return space === 'cosine' ? normalized(v) : new Float32Array(v);
}

/** Writes the form of `v` an index stores (see {@link prepareVector}) into `out`, which it returns; no allocation. */
export function prepareInto(space: Space, v: Float32Array, out: Float32Array): Float32Array {
  out.set(v);
  if (space !== 'cosine') return out;
  const norm = Math.sqrt(dot(v, v));
  if (norm === 0) return out;
  const inv = 1 / norm;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * inv;
  return out;
}
