/** Committed writes not yet in a vector index, and a view of the index that searches them exactly. */
import type { VectorHits, VectorIndex } from './ports.js';

/** A committed write waiting to be applied to its collection's index, and how far it has been. */
export interface PendingWrite {
  seqAfter: number;
  removed: readonly number[];
  labels: readonly number[];
  vectors: readonly Float32Array[];
  /** Whether `removed` has been applied. */
  removedApplied: boolean;
  /** How many of `labels` have been applied, in order. */
  applied: number;
}

/** The labels an index has stale (removed or replaced since), and the vectors it does not have yet. */
export interface PendingTail {
  /** Labels whose graph entry must not be returned: removed, or replaced by a vector in `upserts`. */
  stale: ReadonlySet<number>;
  upserts: ReadonlyMap<number, Float32Array>;
}

/** Sums what the queued writes still have to apply, in order; a later write wins over an earlier one. */
export function pendingTail(index: VectorIndex, queue: readonly PendingWrite[]): PendingTail {
  const upserts = new Map<number, Float32Array>();
  const removed = new Set<number>();
  for (const write of queue) {
    if (!write.removedApplied) {
      for (const label of write.removed) {
        upserts.delete(label);
        removed.add(label);
      }
    }
    for (let i = write.applied; i < write.labels.length; i++) {
      upserts.set(write.labels[i] as number, write.vectors[i] as Float32Array);
    }
  }
  const stale = new Set<number>();
  for (const label of removed) if (index.has(label)) stale.add(label);
  for (const label of upserts.keys()) if (index.has(label)) stale.add(label);
  return { stale, upserts };
}

/**
 * A read-only view of an index plus the writes committed but not yet applied to it.
 *
 * @remarks
 * Search asks the index for `k` plus the number of stale labels, drops the stale ones, and merges an exact scan of the
 * pending vectors: results are those of the index after the writes, except that pending vectors are found exactly.
 * Mutating methods throw: writes go through the cache that owns the index.
 */
export class PendingTailIndex implements VectorIndex {
  readonly #index: VectorIndex;
  readonly #tail: PendingTail;

  constructor(index: VectorIndex, tail: PendingTail) {
    this.#index = index;
    this.#tail = tail;
  }

  get dimension(): number {
    return this.#index.dimension;
  }

  get size(): number {
    let added = 0;
    for (const label of this.#tail.upserts.keys()) if (!this.#index.has(label)) added++;
    const removed = [...this.#tail.stale].filter((l) => !this.#tail.upserts.has(l)).length;
    return this.#index.size + added - removed;
  }

  get appliedSeq(): number {
    return this.#index.appliedSeq;
  }

  set appliedSeq(_seq: number) {
    throw new Error('a pending-tail view is read-only');
  }

  has(label: number): boolean {
    if (this.#tail.upserts.has(label)) return true;
    return !this.#tail.stale.has(label) && this.#index.has(label);
  }

  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    const { stale, upserts } = this.#tail;
    const indexed = this.#index.search(query, k + stale.size, allowed);
    const labels: number[] = [];
    const distances: number[] = [];
    indexed.labels.forEach((label, i) => {
      if (stale.has(label)) return;
      labels.push(label);
      distances.push(indexed.distances[i] as number);
    });
    const tailLabels: number[] = [];
    const tailVectors: Float32Array[] = [];
    for (const [label, vector] of upserts) {
      if (allowed && !allowed.has(label)) continue;
      tailLabels.push(label);
      tailVectors.push(vector);
    }
    const tailDistances = this.#index.distances(query, tailVectors);
    return nearest([...labels, ...tailLabels], [...distances, ...tailDistances], k);
  }

  distances(query: Float32Array, vectors: readonly Float32Array[]): number[] {
    return this.#index.distances(query, vectors);
  }

  upsert(): void {
    throw new Error('a pending-tail view is read-only');
  }

  remove(): void {
    throw new Error('a pending-tail view is read-only');
  }

  setEfSearch(ef: number): void {
    this.#index.setEfSearch(ef);
  }

  save(): void {}

  close(): void {}
}

/** The `k` nearest hits, sorted by distance, then label. */
function nearest(labels: number[], distances: number[], k: number): VectorHits {
  const order = labels.map((_, i) => i);
  order.sort(
    (a, b) =>
      (distances[a] as number) - (distances[b] as number) || (labels[a] as number) - (labels[b] as number),
  );
  const kept = order.slice(0, Math.max(0, Math.floor(k)));
  return { labels: kept.map((i) => labels[i] as number), distances: kept.map((i) => distances[i] as number) };
}
