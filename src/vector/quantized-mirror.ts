/** A compact int8 copy of an index's live vectors, for fast approximate scans of allowed sets. */
import type { Space } from '../engine/types.js';
import { TopK } from './top-k.js';
import { LabelSlots } from './label-slots.js';

/** How much the storage grows when full: small steps keep the slack (and resident memory) low. */
const GROWTH = 1.25;
const INITIAL_CAPACITY = 256;

/**
 * Live vectors stored as int8 codes with one scale per vector (symmetric scalar quantization), a quarter of the
 * memory of float32.
 *
 * @remarks
 * Scores are asymmetric: the query stays float32, so the only error is each stored component's rounding
 * (at most half a step, `scale / 2`). {@link candidates} ranks by these approximate distances; callers re-score
 * the candidates exactly. Vectors are stored prepared (normalized for `cosine`), with their exact squared norm
 * for `l2`. Removal swaps the last vector into the freed slot.
 */
export class QuantizedMirror {
  readonly dimension: number;
  readonly space: Space;
  #codes: Int8Array;
  #scales: Float32Array;
  #squaredNorms: Float32Array;
  readonly #slots = new LabelSlots();

  constructor(dimension: number, space: Space) {
    this.dimension = dimension;
    this.space = space;
    this.#codes = new Int8Array(INITIAL_CAPACITY * dimension);
    this.#scales = new Float32Array(INITIAL_CAPACITY);
    this.#squaredNorms = new Float32Array(INITIAL_CAPACITY);
  }

  /** The number of live vectors. */
  get size(): number {
    return this.#slots.size;
  }

  has(label: number): boolean {
    return this.#slots.has(label);
  }

  /** The live labels, in slot order. */
  labels(): readonly number[] {
    return this.#slots.labels();
  }

  /** Stores (or replaces) the prepared vector of a label. */
  put(label: number, prepared: Float32Array): void {
    this.#ensureCapacity(this.#slots.size + 1);
    const slot = this.#slots.assign(label);
    let max = 0;
    let squared = 0;
    for (let i = 0; i < prepared.length; i++) {
      const x = prepared[i]!;
      squared += x * x;
      if (Math.abs(x) > max) max = Math.abs(x);
    }
    const scale = max === 0 ? 1 : max / 127;
    const base = slot * this.dimension;
    for (let i = 0; i < prepared.length; i++) this.#codes[base + i] = Math.round(prepared[i]! / scale);
    this.#scales[slot] = scale;
    this.#squaredNorms[slot] = squared;
  }

  /** Removes a label; unknown labels are ignored. */
  remove(label: number): void {
    const move = this.#slots.remove(label);
    if (!move) return;
    const { from, to } = move;
    const dim = this.dimension;
    this.#codes.copyWithin(to * dim, from * dim, (from + 1) * dim);
    this.#scales[to] = this.#scales[from]!;
    this.#squaredNorms[to] = this.#squaredNorms[from]!;
  }

  /**
   * The `n` labels with the smallest approximate distance to the prepared query, among `allowed` when given.
   *
   * @remarks Order is approximate: re-score the candidates exactly before trusting their order.
   */
  candidates(query: Float32Array, n: number, allowed?: ReadonlySet<number>): number[] {
    const top = new TopK(n);
    const queryNorm = this.space === 'l2' ? squaredNorm(query) : 0;
    const score = (slot: number) => this.#approximateDistance(slot, query, queryNorm);
    if (allowed && allowed.size < this.size) {
      for (const label of allowed) {
        const slot = this.#slots.slotOf(label);
        if (slot !== undefined) top.push(label, score(slot));
      }
    } else {
      for (let slot = 0; slot < this.#slots.size; slot++) {
        const label = this.#slots.labelAt(slot);
        if (!allowed || allowed.has(label)) top.push(label, score(slot));
      }
    }
    return top.toHits().labels;
  }

  /** Releases the storage; the mirror must not be used afterwards. */
  close(): void {
    this.#codes = new Int8Array(0);
    this.#scales = new Float32Array(0);
    this.#squaredNorms = new Float32Array(0);
    this.#slots.clear();
  }

  #approximateDistance(slot: number, query: Float32Array, queryNorm: number): number {
    const codes = this.#codes;
    const dim = this.dimension;
    const base = slot * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      const o = base + i;
      s0 += codes[o]! * query[i]!;
      s1 += codes[o + 1]! * query[i + 1]!;
      s2 += codes[o + 2]! * query[i + 2]!;
      s3 += codes[o + 3]! * query[i + 3]!;
    }
    for (; i < dim; i++) s0 += codes[base + i]! * query[i]!;
    const dot = (s0 + s1 + s2 + s3) * this.#scales[slot]!;
    return this.space === 'l2' ? this.#squaredNorms[slot]! - 2 * dot + queryNorm : 1 - dot;
  }

  #ensureCapacity(count: number): void {
    const capacity = this.#scales.length;
    if (count <= capacity) return;
    const next = Math.max(count, Math.ceil(capacity * GROWTH));
    const codes = new Int8Array(next * this.dimension);
    codes.set(this.#codes);
    const scales = new Float32Array(next);
    scales.set(this.#scales);
    const norms = new Float32Array(next);
    norms.set(this.#squaredNorms);
    this.#codes = codes;
    this.#scales = scales;
    this.#squaredNorms = norms;
  }
}

function squaredNorm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}
