/** A changing set of labelled vectors searched with exact distances, cheaply however it changes. */
import type { VectorHits } from '../engine/ports.js';
import type { Space } from '../engine/types.js';
import { checkVector } from './brute-force-index.js';
import { distanceFunction, prepareInto, type DistanceFunction } from './distance.js';
import { distancesFromVectors, scanMirror } from './mirror-scan.js';
import { QuantizedMirror } from './quantized-mirror.js';
import { TopK } from './top-k.js';

/** Up to this many candidate vectors, a search computes every float distance rather than use the int8 mirror. */
const EXACT_UP_TO = 64;
/** Room a new mirror makes for vectors beyond those it starts with: the tail usually grows on. */
const MIRROR_HEADROOM = 1.25;
const EMPTY_HITS: VectorHits = { labels: [], distances: [] };

/**
 * Labelled vectors, kept as given (not copied), that search like an exact index.
 *
 * @remarks
 * Made for a short-lived set that changes between every two searches, such as the vectors of writes an index has
 * not taken yet: a change costs a map update (plus quantizing one vector once the mirror exists), never a rebuild.
 * Up to {@link EXACT_UP_TO} candidates are scanned with float distances. Beyond that a {@link QuantizedMirror} of
 * the prepared vectors, built on the first search that needs it and kept up to date from then on, picks a few times
 * `k` candidates that are re-scored exactly (see {@link scanMirror}): distances are always exact, and the hits are
 * those of a float scan whenever the true neighbours rank among the candidates (which the mirror's error bounds make
 * all but certain). {@link close} releases the mirror's WebAssembly memory.
 */
export class ExactVectorSet {
  readonly dimension: number;
  readonly space: Space;
  readonly #distance: DistanceFunction;
  readonly #exactUpTo: number;
  readonly #vectors = new Map<number, Float32Array>();
  #mirror: QuantizedMirror | null = null;
  /** Reused for each vector's prepared form on its way into the mirror. */
  readonly #prepared: Float32Array;

  /** `exactUpTo` overrides how many candidates are scanned with float distances (for tests). */
  constructor(dimension: number, space: Space, exactUpTo = EXACT_UP_TO) {
    this.dimension = dimension;
    this.space = space;
    this.#distance = distanceFunction(space);
    this.#exactUpTo = exactUpTo;
    this.#prepared = new Float32Array(dimension);
  }

  get size(): number {
    return this.#vectors.size;
  }

  /** Bytes of the int8 mirror (0 until a search builds it); the vectors themselves belong to the caller. */
  get mirrorBytes(): number {
    return this.#mirror?.residentBytes ?? 0;
  }

  has(label: number): boolean {
    return this.#vectors.has(label);
  }

  /** Stores (or replaces) a label's vector; the set keeps the array, which must not change afterwards. */
  set(label: number, vector: Float32Array): void {
    this.#vectors.set(label, vector);
    this.#mirror?.put(label, prepareInto(this.space, vector, this.#prepared));
  }

  /** Removes a label; unknown labels are ignored. */
  delete(label: number): void {
    if (!this.#vectors.delete(label)) return;
    this.#mirror?.remove(label);
  }

  /** The `k` nearest labels to `query` (among `allowed`, when given), with exact distances, nearest first. */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    checkVector(this.dimension, query);
    const limit = Math.min(Math.floor(k), this.size, allowed ? allowed.size : Infinity);
    if (!(limit > 0)) return EMPTY_HITS;
    const candidates = allowed ? Math.min(allowed.size, this.size) : this.size;
    if (candidates <= this.#exactUpTo) return this.#scan(query, limit, allowed);
    const distancesOf = distancesFromVectors(this.space, query, (labels) => this.#vectorsOf(labels));
    return scanMirror(this.#ensureMirror(), query, limit, distancesOf, allowed);
  }

  /** Forgets every vector and releases the mirror. */
  close(): void {
    this.#vectors.clear();
    this.#mirror?.close();
    this.#mirror = null;
  }

  /** Float distances to every candidate: through `allowed` when it is the smaller side, else through the set. */
  #scan(query: Float32Array, limit: number, allowed?: ReadonlySet<number>): VectorHits {
    const best = new TopK(limit);
    if (allowed && allowed.size < this.size) {
      for (const label of allowed) {
        const v = this.#vectors.get(label);
        if (v) best.push(label, this.#distance(query, v));
      }
    } else {
      for (const [label, v] of this.#vectors) {
        if (!allowed || allowed.has(label)) best.push(label, this.#distance(query, v));
      }
    }
    return best.toHits();
  }

  #ensureMirror(): QuantizedMirror {
    if (this.#mirror) return this.#mirror;
    const mirror = new QuantizedMirror(this.dimension, this.space, this.size * MIRROR_HEADROOM);
    for (const [label, v] of this.#vectors) mirror.put(label, prepareInto(this.space, v, this.#prepared));
    this.#mirror = mirror;
    return mirror;
  }

  #vectorsOf(labels: readonly number[]): (Float32Array | null)[] {
    return labels.map((label) => this.#vectors.get(label) ?? null);
  }
}
