/** Committed writes not yet in a vector index, and a view of the index that includes them. */
import { ExactVectorSet } from '../vector/exact-vector-set.js';
import { compare } from '../vector/top-k.js';
import type { VectorHits, VectorIndex } from './ports.js';
import type { Space } from './types.js';

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

/** What a {@link PendingTail} holds, for diagnostics and tests. */
export interface PendingTailStats {
  /** Queued writes not fully applied. */
  writes: number;
  /** Vectors the queued writes have yet to insert into the index. */
  unapplied: number;
  /** Labels whose latest change the index does not hold yet. */
  labels: number;
  /** Bytes of the int8 mirror of the pending vectors (0 until a search needs it). */
  mirrorBytes: number;
}

/** The latest pending change of one label. */
interface LabelState {
  /** The queued write that holds the change. */
  write: PendingWrite;
  /** The change's position in `write.labels`, or -1 for a removal. */
  position: number;
  /** Whether the index has a vector for the label now (one a view must hide: stale or being removed). */
  held: boolean;
}

/** Vectors inserted between two looks at the clock while applying a slice. */
const SLICE_STEP = 8;

/**
 * The writes of one collection that are committed but not yet in its index, in order, kept ready to search.
 *
 * @remarks
 * Per label, the tail tracks which queued write holds its latest change and whether the index holds a vector for
 * it, updated as writes are added and as {@link applyUntil} applies them, never rebuilt. A label leaves the tail
 * once the index holds its latest change; an earlier write's apply leaves a later write's change pending. So
 * searching the tail costs the same whatever the queue looks like, and `size`, `has` and the number of index hits to
 * hide are known without a scan. Pending vectors are searched exactly by an {@link ExactVectorSet}. {@link release}
 * frees everything (including the set's WebAssembly memory) once nothing is pending.
 */
export class PendingTail {
  readonly #writes: PendingWrite[] = [];
  readonly #states = new Map<number, LabelState>();
  /** The latest pending vector of each label whose latest change is an upsert. */
  readonly #vectors: ExactVectorSet;
  /** Labels of the tail that the index has a vector for. */
  #held = 0;
  #unapplied = 0;

  constructor(dimension: number, space: Space) {
    this.#vectors = new ExactVectorSet(dimension, space);
  }

  /** The store sequence number after the last queued write; undefined when none is queued. */
  get lastSeq(): number | undefined {
    return this.#writes.at(-1)?.seqAfter;
  }

  /** Vectors the queued writes have yet to insert into the index. */
  get unapplied(): number {
    return this.#unapplied;
  }

  /** Labels whose latest change the index does not hold yet. */
  get labels(): number {
    return this.#states.size;
  }

  /** Labels of the tail that the index has a (stale) vector for: index hits a view must drop. */
  get held(): number {
    return this.#held;
  }

  /** How many more vectors a view has than its index. */
  get sizeChange(): number {
    return this.#vectors.size - this.#held;
  }

  stats(): PendingTailStats {
    const { length: writes } = this.#writes;
    return {
      writes,
      unapplied: this.#unapplied,
      labels: this.labels,
      mirrorBytes: this.#vectors.mirrorBytes,
    };
  }

  /** The label's pending state: true when a vector is pending, false when a removal is, undefined when neither. */
  pendingHas(label: number): boolean | undefined {
    return this.#states.has(label) ? this.#vectors.has(label) : undefined;
  }

  /** Whether the label has a pending change (so the index's vector for it, if any, is stale). */
  changes(label: number): boolean {
    return this.#states.has(label);
  }

  /** The `k` nearest pending vectors (among `allowed`, when given), with exact distances. */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    return this.#vectors.search(query, k, allowed);
  }

  /** Queues a committed write; `index` is the index it will be applied to. */
  add(write: PendingWrite, index: VectorIndex): void {
    this.#writes.push(write);
    this.#unapplied += write.labels.length - write.applied;
    for (const label of write.removed) this.#change(label, write, -1, index);
    write.labels.forEach((label, i) => this.#change(label, write, i, index));
  }

  /**
   * Applies queued writes to `index` in order until done (true) or past `deadline` by `now` (false).
   *
   * @remarks Throws what the index throws; the tail is then out of step with the index, and both must go.
   */
  applyUntil(index: VectorIndex, deadline: number, now: () => number): boolean {
    for (let write = this.#writes[0]; write; write = this.#writes[0]) {
      if (!write.removedApplied) {
        if (write.removed.length > 0) index.remove(write.removed);
        write.removedApplied = true;
        this.#removalsApplied(write);
      }
      while (write.applied < write.labels.length) {
        const start = write.applied;
        const end = Math.min(write.labels.length, start + SLICE_STEP);
        index.upsert(write.labels.slice(start, end), write.vectors.slice(start, end));
        write.applied = end;
        this.#unapplied -= end - start;
        this.#upsertsApplied(write, start, end);
        if (write.applied < write.labels.length && now() > deadline) return false;
      }
      index.appliedSeq = write.seqAfter;
      this.#writes.shift();
    }
    return true;
  }

  /** Forgets every queued write and frees the pending vectors; views over the tail then show their index as is. */
  release(): void {
    this.#writes.length = 0;
    this.#states.clear();
    this.#vectors.close();
    this.#held = 0;
    this.#unapplied = 0;
  }

  /** Records `write` as the latest change of `label`: its vector at `position`, or a removal (-1). */
  #change(label: number, write: PendingWrite, position: number, index: VectorIndex): void {
    const state = this.#states.get(label);
    if (state) {
      state.write = write;
      state.position = position;
    } else {
      const held = index.has(label);
      if (held) this.#held++;
      this.#states.set(label, { write, position, held });
    }
    if (position < 0) this.#vectors.delete(label);
    else this.#vectors.set(label, write.vectors[position] as Float32Array);
  }

  /** After `write`'s removals reached the index: the index holds none of them, and those that were latest are done. */
  #removalsApplied(write: PendingWrite): void {
    for (const label of write.removed) this.#reached(label, write, -1, false);
  }

  /** After `write.labels[start, end)` reached the index: it holds them, and those that were latest are done. */
  #upsertsApplied(write: PendingWrite, start: number, end: number): void {
    for (let i = start; i < end; i++) this.#reached(write.labels[i] as number, write, i, true);
  }

  /**
   * Notes that the change at `position` of `write` reached the index, which now holds a vector for `label` or not;
   * the label leaves the tail when that change was its latest.
   */
  #reached(label: number, write: PendingWrite, position: number, held: boolean): void {
    const state = this.#states.get(label);
    if (!state) return;
    const latest = state.write === write && state.position === position;
    const nowHeld = held && !latest; // a label that leaves the tail no longer counts
    if (state.held !== nowHeld) this.#held += nowHeld ? 1 : -1;
    state.held = nowHeld;
    if (!latest) return;
    this.#states.delete(label);
    this.#vectors.delete(label);
  }
}

/**
 * A read-only view of an index plus the writes committed but not yet applied to it (a {@link PendingTail}).
 *
 * @remarks
 * The view reads the live tail, so it costs nothing to make and stays right while the tail changes. Search asks the
 * index for `k` plus the number of tail labels it holds, drops those (their vectors are stale or being removed), and
 * merges the tail's exact search: results are those of the index after the writes, except that pending vectors are
 * found exactly. Should the index return too few after the drop, it is asked again for more. Mutating methods throw:
 * writes go through the cache that owns the index.
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
    return this.#index.size + this.#tail.sizeChange;
  }

  get appliedSeq(): number {
    return this.#index.appliedSeq;
  }

  set appliedSeq(_seq: number) {
    throw new Error('a pending-tail view is read-only');
  }

  /** What the tail still adds to the index (all zero once the cache has applied and released it). */
  get pending(): PendingTailStats {
    return this.#tail.stats();
  }

  has(label: number): boolean {
    return this.#tail.pendingHas(label) ?? this.#index.has(label);
  }

  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    const want = Math.max(0, Math.floor(k));
    if (this.#tail.labels === 0 || !(want > 0)) return this.#index.search(query, want, allowed);
    const indexed = this.#indexHits(query, want, allowed);
    return mergeHits(indexed, this.#tail.search(query, want, allowed), want);
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

  /** The index's `want` nearest among labels without a pending change, over-fetching by the stale ones it holds. */
  #indexHits(query: Float32Array, want: number, allowed?: ReadonlySet<number>): VectorHits {
    let fetch = want + this.#tail.held;
    for (;;) {
      const hits = this.#index.search(query, fetch, allowed);
      const kept = this.#withoutPending(hits);
      // Fewer hits than asked: the index has no more. Enough kept: done. Else too many were stale; ask for more.
      if (kept.labels.length >= want || hits.labels.length < fetch) return kept;
      fetch *= 2;
    }
  }

  #withoutPending(hits: VectorHits): VectorHits {
    const labels: number[] = [];
    const distances: number[] = [];
    hits.labels.forEach((label, i) => {
      if (this.#tail.changes(label)) return;
      labels.push(label);
      distances.push(hits.distances[i] as number);
    });
    return { labels, distances };
  }
}

/** The `k` best of two sorted hit lists over distinct labels, sorted by distance, then label. */
function mergeHits(a: VectorHits, b: VectorHits, k: number): VectorHits {
  const labels: number[] = [];
  const distances: number[] = [];
  let i = 0;
  let j = 0;
  while (labels.length < k && (i < a.labels.length || j < b.labels.length)) {
    const [from, at] =
      j >= b.labels.length || (i < a.labels.length && isBefore(a, i, b, j)) ? [a, i++] : [b, j++];
    labels.push(from.labels[at] as number);
    distances.push(from.distances[at] as number);
  }
  return { labels, distances };
}

/** Whether hit `i` of `a` comes before hit `j` of `b`. */
function isBefore(a: VectorHits, i: number, b: VectorHits, j: number): boolean {
  return compare(a.distances[i]!, a.labels[i]!, b.distances[j]!, b.labels[j]!) < 0;
}
