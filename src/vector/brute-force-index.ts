/** Exact nearest-neighbour search over all stored vectors: the recall oracle and the index for tiny sets. */
import { invalidArgument } from '../engine/errors.js';
import type { VectorHits, VectorIndex, VectorIndexFactory } from '../engine/ports.js';
import type { CollectionModel, Space } from '../engine/types.js';
import { distanceFunction, prepareVector, storedDistance, type StoredDistance } from './distance.js';
import { TopK } from './top-k.js';
import { LabelSlots } from './label-slots.js';

const INITIAL_CAPACITY = 16;

/**
 * An exact k-NN index: vectors live in one contiguous Float32Array, one slot per label.
 *
 * @remarks
 * Storage grows by doubling; removal moves the last slot into the hole, so slots stay dense. For `cosine`,
 * vectors are stored normalized and compared by `1 - dot`. Results are sorted by distance, ties by label.
 */
export class BruteForceIndex implements VectorIndex {
  readonly dimension: number;
  readonly space: Space;
  appliedSeq = 0;
  readonly #distance: StoredDistance;
  #data: Float32Array;
  readonly #slots = new LabelSlots();

  constructor(dimension: number, space: Space) {
    if (!Number.isInteger(dimension) || dimension <= 0)
      throw invalidArgument(`Invalid dimension ${dimension}`);
    this.dimension = dimension;
    this.space = space;
    this.#distance = storedDistance(space);
    this.#data = new Float32Array(INITIAL_CAPACITY * dimension);
  }

  /** The number of live vectors. */
  get size(): number {
    return this.#slots.size;
  }

  /** True when `label` is stored. */
  has(label: number): boolean {
    return this.#slots.has(label);
  }

  /** Every stored label, in slot order. */
  labels(): number[] {
    return this.#slots.labels().slice();
  }

  /** The stored form of a label's vector (normalized for cosine), or undefined; a view, do not modify. */
  storedVector(label: number): Float32Array | undefined {
    const slot = this.#slots.slotOf(label);
    if (slot === undefined) return undefined;
    return this.#data.subarray(slot * this.dimension, (slot + 1) * this.dimension);
  }

  distances(query: Float32Array, vectors: readonly Float32Array[]): number[] {
    const distance = distanceFunction(this.space);
    return vectors.map((v) => distance(query, v));
  }

  upsert(labels: readonly number[], vectors: readonly Float32Array[]): void {
    checkBatch(this.dimension, labels, vectors);
    for (let i = 0; i < labels.length; i++) this.#put(labels[i]!, prepareVector(this.space, vectors[i]!));
  }

  /**
   * Stores a vector already in stored form (see {@link prepareVector}) without copying it twice.
   *
   * @remarks For callers that prepared the vector themselves, such as the HNSW index's mirror.
   */
  putPrepared(label: number, prepared: Float32Array): void {
    this.#put(label, prepared);
  }

  remove(labels: readonly number[]): void {
    for (const label of labels) this.#removeOne(label);
  }

  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    checkVector(this.dimension, query);
    const top = new TopK(Math.min(k, allowed ? allowed.size : this.size, this.size));
    const q = prepareVector(this.space, query);
    if (allowed && allowed.size < this.size) this.#scanLabels(q, allowed, top);
    else this.#scanAll(q, top, allowed);
    return top.toHits();
  }

  /** Exact distances from `query` to the given stored labels (NaN for labels not stored). */
  distancesTo(query: Float32Array, labels: readonly number[]): number[] {
    checkVector(this.dimension, query);
    const q = prepareVector(this.space, query);
    return labels.map((label) => {
      const slot = this.#slots.slotOf(label);
      return slot === undefined ? NaN : this.#distance(this.#data, slot * this.dimension, q, this.dimension);
    });
  }

  setEfSearch(_ef: number): void {}

  save(): void {}

  close(): void {
    this.#slots.clear();
    this.#data = new Float32Array(0);
  }

  #scanAll(q: Float32Array, top: TopK, allowed?: ReadonlySet<number>): void {
    const { dimension, size } = this;
    const data = this.#data;
    const distance = this.#distance;
    for (let slot = 0; slot < size; slot++) {
      const label = this.#slots.labelAt(slot);
      if (allowed && !allowed.has(label)) continue;
      top.push(label, distance(data, slot * dimension, q, dimension));
    }
  }

  #scanLabels(q: Float32Array, labels: Iterable<number>, top: TopK): void {
    const { dimension } = this;
    const data = this.#data;
    const distance = this.#distance;
    for (const label of labels) {
      const slot = this.#slots.slotOf(label);
      if (slot !== undefined) top.push(label, distance(data, slot * dimension, q, dimension));
    }
  }

  #put(label: number, prepared: Float32Array): void {
    this.#ensureCapacity(this.#slots.size + 1);
    this.#data.set(prepared, this.#slots.assign(label) * this.dimension);
  }

  #removeOne(label: number): void {
    const move = this.#slots.remove(label);
    if (!move) return;
    const d = this.dimension;
    this.#data.copyWithin(move.to * d, move.from * d, (move.from + 1) * d);
  }

  #ensureCapacity(slots: number): void {
    const capacity = this.#data.length / this.dimension;
    if (slots <= capacity) return;
    let next = Math.max(capacity, INITIAL_CAPACITY);
    while (next < slots) next *= 2;
    const grown = new Float32Array(next * this.dimension);
    grown.set(this.#data);
    this.#data = grown;
  }
}

/** A memory-only factory of {@link BruteForceIndex}es, for tests and tiny deployments. */
export class BruteForceIndexFactory implements VectorIndexFactory {
  open(collection: CollectionModel, dimension: number): BruteForceIndex {
    return new BruteForceIndex(dimension, collection.hnsw.space);
  }

  drop(_collectionId: string): void {}
}

/** Throws INVALID_ARGUMENT unless labels and vectors pair up and every vector has the index's dimension. */
export function checkBatch(
  dimension: number,
  labels: readonly number[],
  vectors: readonly Float32Array[],
): void {
  if (labels.length !== vectors.length) {
    throw invalidArgument(`Got ${labels.length} labels but ${vectors.length} vectors`);
  }
  for (const v of vectors) checkVector(dimension, v);
}

/** Throws INVALID_ARGUMENT unless `v` has `dimension` components. */
export function checkVector(dimension: number, v: Float32Array): void {
  if (v.length !== dimension) {
    throw invalidArgument(
      `Embedding dimension ${v.length} does not match collection dimensionality ${dimension}`,
    );
  }
}
