/** A compact int8 copy of an index's live vectors, for fast approximate scans of allowed sets. */
import type { Space } from '../engine/types.js';
import {
  adviseHugePages,
  createInt8DotKernel,
  createKernelMemory,
  type DotsFunction,
  type KernelMemory,
} from './int8-dot-kernel.js';
import { LabelSlots } from './label-slots.js';
import { TopK } from './top-k.js';

/** How much the storage grows when full: small steps keep the slack (and resident memory) low. */
const GROWTH = 1.25;
const INITIAL_CAPACITY = 256;
const PAGE_BYTES = 65_536;
/** The kernel works on 16 components at a time: rows are padded with zeros to a multiple of this. */
const LANES = 16;
const INT32_MAX = 2_147_483_647;
const INT16_MAX = 32_767;

/** Labels by ascending lower bound of their exact distance, with approximate distances and error bounds. */
export interface ScoredCandidates {
  labels: number[];
  distances: number[];
  errors: number[];
}

/** The slots (and their labels) of an allowed set, valid while the mirror's slot layout is unchanged. */
interface AllowedSlots {
  layout: number;
  slots: Int32Array;
  labels: number[];
}

/**
 * Live vectors stored as int8 codes with one scale per vector (symmetric scalar quantization), a quarter of the
 * memory of float32.
 *
 * @remarks
 * Codes live in WebAssembly memory, where a SIMD kernel (or its native twin, see int8-dot-kernel.ts) scores 16
 * components per step against the query rounded to int16 (its rounding error is a hundredth of the codes').
 * {@link candidates} ranks by these approximate distances; callers re-score the candidates exactly. Vectors are
 * stored prepared (normalized for `cosine`), with their exact squared norm for `l2`. Removal swaps the last vector
 * into the freed slot.
 */
export class QuantizedMirror {
  readonly dimension: number;
  readonly space: Space;
  /** Bytes per stored row: the dimension padded to a multiple of {@link LANES}. */
  readonly #stride: number;
  /** The largest query code, so a row's integer dot product cannot overflow int32. */
  readonly #queryMax: number;
  #memory: KernelMemory;
  #dots: DotsFunction;
  #codes: Int8Array;
  #capacity: number;
  #scales: Float32Array;
  #squaredNorms: Float32Array;
  /** Per row, the sum of its codes' magnitudes: what bounds the row's approximation error for a query. */
  #absSums: Float32Array;
  readonly #slots = new LabelSlots();
  /** Changes whenever a label gets or loses a slot (cached allowed slots are then stale). */
  #layout = 0;
  #allowedCache = new WeakMap<ReadonlySet<number>, AllowedSlots>();

  /** `capacity`: rows to make room for at once, when the caller knows how many are coming (default 256). */
  constructor(dimension: number, space: Space, capacity = INITIAL_CAPACITY) {
    this.dimension = dimension;
    this.space = space;
    this.#stride = Math.ceil(dimension / LANES) * LANES;
    this.#queryMax = Math.min(INT16_MAX, Math.floor(INT32_MAX / (this.#stride * 127)));
    this.#capacity = Math.max(1, Math.ceil(capacity));
    this.#memory = createKernelMemory(pagesFor(this.#capacity * this.#stride));
    this.#dots = createInt8DotKernel(this.#memory);
    this.#codes = new Int8Array(this.#memory.buffer);
    this.#scales = new Float32Array(this.#capacity);
    this.#squaredNorms = new Float32Array(this.#capacity);
    this.#absSums = new Float32Array(this.#capacity);
  }

  /** The number of live vectors. */
  get size(): number {
    return this.#slots.size;
  }

  has(label: number): boolean {
    return this.#slots.has(label);
  }

  /** Bytes of storage held (WebAssembly memory and per-row arrays): what {@link close} gives back. */
  get residentBytes(): number {
    const rows = this.#scales.byteLength + this.#squaredNorms.byteLength + this.#absSums.byteLength;
    return this.#memory.buffer.byteLength + rows;
  }

  /** The live labels, in slot order. */
  labels(): readonly number[] {
    return this.#slots.labels();
  }

  /** Stores (or replaces) the prepared vector of a label. */
  put(label: number, prepared: Float32Array): void {
    this.#ensureCapacity(this.#slots.size + 1);
    if (!this.#slots.has(label)) this.#layout++;
    const slot = this.#slots.assign(label);
    let max = 0;
    let squared = 0;
    for (let i = 0; i < prepared.length; i++) {
      const x = prepared[i]!;
      squared += x * x;
      if (Math.abs(x) > max) max = Math.abs(x);
    }
    const scale = max === 0 ? 1 : max / 127;
    const codes = this.#codes;
    const base = slot * this.#stride;
    let absSum = 0;
    for (let i = 0; i < prepared.length; i++) {
      // Math.round but for a hair below one half (which rounds up), and compiled inline by V8: puts cost 2.5x less.
      const code = Math.floor(prepared[i]! / scale + 0.5);
      codes[base + i] = code;
      absSum += Math.abs(code);
    }
    // The padding may hold a former scan's scratch data (scratch sits past the last row until the storage grows).
    if (prepared.length < this.#stride) codes.fill(0, base + prepared.length, base + this.#stride);
    this.#scales[slot] = scale;
    this.#squaredNorms[slot] = squared;
    this.#absSums[slot] = absSum;
  }

  /** Removes a label; unknown labels are ignored. */
  remove(label: number): void {
    if (this.#slots.has(label)) this.#layout++;
    const move = this.#slots.remove(label);
    if (!move) return;
    const { from, to } = move;
    const stride = this.#stride;
    this.#codes.copyWithin(to * stride, from * stride, (from + 1) * stride);
    this.#scales[to] = this.#scales[from]!;
    this.#squaredNorms[to] = this.#squaredNorms[from]!;
    this.#absSums[to] = this.#absSums[from]!;
  }

  /**
   * The `n` labels whose exact distance to the prepared query can be smallest (see {@link nearest}), among `allowed`
   * when given.
   *
   * @remarks Order is approximate: re-score the candidates exactly before trusting their order.
   */
  candidates(query: Float32Array, n: number, allowed?: ReadonlySet<number>): number[] {
    return this.nearest(query, n, allowed).labels;
  }

  /**
   * The `n` labels whose exact distance to the prepared query can be smallest, by the lower bound of each (its
   * approximate distance minus its error bound), ascending; with their approximate distances and error bounds: the
   * exact distance of `labels[i]` lies within `distances[i] ± errors[i]`. Every label left out has a lower bound at
   * least that of the last one returned, which lets a caller prove a re-scored result exact.
   *
   * @remarks With codes `c = round(v / s)` and query codes `q' = round(q / t)`, each term of the dot product is off by
   * at most `s t (|c| + |q'| + 1/2) / 2`; `l2` doubles it.
   */
  nearest(query: Float32Array, n: number, allowed?: ReadonlySet<number>): ScoredCandidates {
    const top = new TopK(n);
    const subset = allowed && allowed.size < this.size ? this.#allowedSlots(allowed) : null;
    const rows = subset ? subset.slots.length : this.size;
    const scratch = this.#prepareScratch(rows);
    const { scale: queryScale, absSum: queryAbsSum } = this.#writeQuery(scratch.query, query);
    if (subset) new Int32Array(this.#memory.buffer, scratch.slots, rows).set(subset.slots);
    this.#dots(0, this.#stride, scratch.query, subset ? scratch.slots : -1, rows, scratch.out);
    const dots = new Int32Array(this.#memory.buffer, scratch.out, rows);
    const l2 = this.space === 'l2';
    const queryNorm = l2 ? squaredNorm(query) : 0;
    const errorScale = (l2 ? 2 : 1) * queryScale;
    const queryTerms = 0.5 * queryAbsSum + 0.25 * this.dimension;
    const scales = this.#scales;
    const absSums = this.#absSums;
    const norms = this.#squaredNorms;
    const errorOf = (slot: number): number =>
      errorScale * scales[slot]! * (0.5 * absSums[slot]! + queryTerms);
    // The loop runs once per allowed row (10,000 at 10% of 100,000): fields are read into locals, and a row whose
    // lower bound is beyond the worst kept one is passed over without a call (ties still go to TopK, for order).
    let worst = Infinity;
    for (let i = 0; i < rows; i++) {
      const slot = subset ? subset.slots[i]! : i;
      const scale = scales[slot]!;
      const dot = dots[i]! * queryScale * scale;
      const approximate = l2 ? norms[slot]! - 2 * dot + queryNorm : 1 - dot;
      const lower = approximate - errorScale * scale * (0.5 * absSums[slot]! + queryTerms);
      if (lower > worst) continue;
      const label = subset ? subset.labels[i]! : this.#slots.labelAt(slot);
      if (!subset && allowed && !allowed.has(label)) continue;
      top.push(label, lower);
      if (top.full) worst = top.worst;
    }
    const hits = top.toHits();
    const errors = hits.labels.map((label) => errorOf(this.#slots.slotOf(label)!));
    const distances = hits.distances.map((lower, i) => lower + errors[i]!);
    return { labels: hits.labels, distances, errors };
  }

  /** Releases the storage; the mirror must not be used afterwards. */
  close(): void {
    // The kernel's instance holds its imported memory: it goes too, or the memory could not be collected.
    this.#dots = closedKernel;
    this.#memory = createKernelMemory(0);
    this.#codes = new Int8Array(0);
    this.#scales = new Float32Array(0);
    this.#squaredNorms = new Float32Array(0);
    this.#absSums = new Float32Array(0);
    this.#slots.clear();
    this.#allowedCache = new WeakMap();
  }

  /** The slots of an allowed set's live labels, cached per set until the slot layout changes. */
  #allowedSlots(allowed: ReadonlySet<number>): AllowedSlots {
    const cached = this.#allowedCache.get(allowed);
    if (cached && cached.layout === this.#layout) return cached;
    const slots: number[] = [];
    const labels: number[] = [];
    for (const label of allowed) {
      const slot = this.#slots.slotOf(label);
      if (slot === undefined) continue;
      slots.push(slot);
      labels.push(label);
    }
    const entry = { layout: this.#layout, slots: Int32Array.from(slots), labels };
    this.#allowedCache.set(allowed, entry);
    return entry;
  }

  /** Byte offsets of a scan's query, slot list and results, after the codes; grows memory to fit them. */
  #prepareScratch(rows: number): { query: number; slots: number; out: number } {
    const query = this.#capacity * this.#stride;
    const slots = query + this.#stride * 2;
    const out = slots + rows * 4;
    this.#growTo(out + rows * 4);
    return { query, slots, out };
  }

  /** Writes the query as int16 codes (padded with zeros) at `offset`; returns their scale and magnitude sum. */
  #writeQuery(offset: number, query: Float32Array): { scale: number; absSum: number } {
    let max = 0;
    for (let i = 0; i < query.length; i++) max = Math.max(max, Math.abs(query[i]!));
    const scale = max === 0 ? 1 : max / this.#queryMax;
    const codes = new Int16Array(this.#memory.buffer, offset, this.#stride);
    let absSum = 0;
    for (let i = 0; i < query.length; i++) {
      codes[i] = Math.round(query[i]! / scale);
      absSum += Math.abs(codes[i]!);
    }
    codes.fill(0, query.length);
    return { scale, absSum };
  }

  #ensureCapacity(count: number): void {
    const capacity = this.#capacity;
    if (count <= capacity) return;
    const next = Math.max(count, Math.ceil(capacity * GROWTH));
    this.#growTo(next * this.#stride);
    this.#capacity = next;
    const scales = new Float32Array(next);
    scales.set(this.#scales);
    const norms = new Float32Array(next);
    norms.set(this.#squaredNorms);
    const absSums = new Float32Array(next);
    absSums.set(this.#absSums);
    this.#scales = scales;
    this.#squaredNorms = norms;
    this.#absSums = absSums;
  }

  /** Grows the WebAssembly memory to at least `bytes` (new pages are zero) and refreshes the view of the codes. */
  #growTo(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) {
      this.#memory.grow(pagesFor(bytes) - have / PAGE_BYTES);
      adviseHugePages(this.#memory);
    }
    if (this.#codes.buffer !== this.#memory.buffer) this.#codes = new Int8Array(this.#memory.buffer);
  }
}

/** Stands in for the kernel of a closed mirror. */
function closedKernel(): void {
  throw new Error('the quantized mirror is closed');
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE_BYTES));
}

function squaredNorm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}
