/** Open vector indexes, kept caught up with the store they cache. */
import { PendingTail, PendingTailIndex, type PendingWrite } from './pending-tail.js';
import type { ChangeSet, RecordStore, VectorIndex, VectorIndexFactory } from './ports.js';
import type { CollectionModel, Space } from './types.js';

/** The vector changes of one committed write. */
export interface IndexChanges {
  labels: readonly number[];
  vectors: readonly Float32Array[];
  removed: readonly number[];
}

/** How {@link IndexCache.saveAll} treats indexes with writes pending. */
export interface SaveOptions {
  /** Apply the pending writes and save (default), or leave those indexes unsaved. */
  applyPending?: boolean;
}

/** Tuning of an {@link IndexCache}. */
export interface IndexCacheOptions {
  /** Milliseconds of index work per turn of the event loop while writes are pending (default 8). */
  sliceMs?: number;
  /** Pending vectors a reader applies itself rather than scanning them (default 8). */
  readerAppliesUpTo?: number;
  /**
   * Pending vectors per collection beyond which writers are not acknowledged until the index catches up, while the
   * collection is not being read (default 50,000).
   */
  maxPending?: number;
  /** The same limit while the collection is being read: read within the last second (default 2,000). */
  maxPendingWhileRead?: number;
  /** A monotonic clock in milliseconds, for slice deadlines and the age of the last read (default `performance.now`). */
  now?: () => number;
}

const DEFAULTS: Required<IndexCacheOptions> = {
  sliceMs: 8,
  readerAppliesUpTo: 8,
  maxPending: 50_000,
  maxPendingWhileRead: 2_000,
  now: () => performance.now(),
};
/** A collection read (acquired) within this many milliseconds is being read, for the writers' limit. */
const READ_WINDOW_MS = 1_000;

/**
 * Holds one open {@link VectorIndex} per collection and brings it up to the store's sequence number before use.
 *
 * @remarks
 * The store is the truth: an index whose `appliedSeq` is ahead of the store, or whose history the store can no
 * longer replay, is thrown away and rebuilt from the records. Writes by other processes show up as a higher
 * sequence number and are replayed from the store's change log (while this process has writes pending, they join
 * the queue as one more write rather than have it applied at once). This process's own writes are acknowledged once
 * committed and applied to the index afterwards, a few milliseconds per turn of the event loop, so queries are
 * not held up behind a large write; until then readers get a view that also searches the pending vectors exactly
 * (read-your-writes holds), over a {@link PendingTail} kept up to date as writes are queued and applied (released,
 * with its memory, once nothing is pending). Saving and closing apply everything first.
 *
 * Backpressure: {@link caughtUp} keeps writers waiting (without blocking the event loop) while too many of a
 * collection's vectors are pending, so writers that outpace the index slow down. How many is too many depends on
 * whether the collection is being read, i.e. acquired within the last second (one clock reading per acquire).
 * Unread, writers may run up to `maxPending` (50,000) vectors ahead: a bulk load goes at the speed of the store,
 * and the index follows. Read, the limit is `maxPendingWhileRead` (2,000), which bounds the extra search every query
 * does on top of the index while reads and writes mix. A read never waits: one that arrives while more than the
 * read limit is pending is answered at once (the tail is searched whatever its size), and writers that come after
 * it wait until the index is back within the read limit, or until the collection goes a second without a read.
 */
export class IndexCache {
  readonly #store: RecordStore;
  readonly #factory: VectorIndexFactory;
  readonly #options: Required<IndexCacheOptions>;
  readonly #open = new Map<string, VectorIndex>();
  /** The space each open index was opened in, which its pending tail searches in too. */
  readonly #spaces = new Map<string, Space>();
  readonly #pending = new Map<string, PendingTail>();
  /** When each collection was last acquired, by the `now` clock. */
  readonly #lastRead = new Map<string, number>();
  readonly #waiters = new Map<string, (() => void)[]>();
  #settledWaiters: (() => void)[] = [];
  #drainScheduled = false;

  constructor(store: RecordStore, factory: VectorIndexFactory, options: IndexCacheOptions = {}) {
    this.#store = store;
    this.#factory = factory;
    this.#options = { ...DEFAULTS, ...options };
  }

  /**
   * The collection's index, caught up; null while the collection has no dimension (no vectors yet).
   *
   * @remarks With writes still pending, a read-only view that includes them (see {@link PendingTailIndex}).
   */
  acquire(collection: CollectionModel): VectorIndex | null {
    const index = this.#current(collection);
    this.#lastRead.set(collection.id, this.#options.now());
    const tail = this.#pending.get(collection.id);
    return index && tail ? new PendingTailIndex(index, tail) : index;
  }

  /** Opens the collection's index and catches it up with the store, as before a write (no view is built). */
  prepare(collection: CollectionModel): void {
    this.#current(collection);
  }

  /** The open index, caught up with the store except for the queued writes. */
  #current(collection: CollectionModel): VectorIndex | null {
    if (collection.dimension === null) return null;
    let index = this.#open.get(collection.id);
    if (index && index.dimension !== collection.dimension) {
      this.#discard(collection.id);
      index = undefined;
    }
    index ??= this.#openIndex(collection, collection.dimension);
    const tail = this.#pending.get(collection.id);
    let seq = this.#store.currentSeq(collection.id);
    if (tail && tail.lastSeq !== seq) {
      const queuedTo = this.#queueForeign(collection.id, tail, index);
      if (queuedTo === null) this.#drain(collection.id);
      else seq = queuedTo;
    }
    const queued = this.#pending.get(collection.id);
    if (queued && queued.unapplied <= this.#options.readerAppliesUpTo) this.#drain(collection.id);
    const current = this.#open.get(collection.id);
    if (!current) return this.#current(collection);
    return this.#pending.has(collection.id) ? current : this.#catchUp(collection, current, seq);
  }

  /**
   * Queues what other processes wrote after this process's last queued write as one more pending write, so a large
   * queue need not be applied at once; returns the sequence number the queue now reaches, or null when the store
   * can no longer tell what changed (the caller then applies the queue and catches up from the store).
   */
  #queueForeign(collectionId: string, tail: PendingTail, index: VectorIndex): number | null {
    const since = tail.lastSeq;
    if (since === undefined) return null;
    const changes = this.#store.changesSince(collectionId, since);
    if (changes.rebuild || changes.seq < since) return null;
    this.#enqueue(collectionId, index, changesToWrite(changes));
    return changes.seq;
  }

  /**
   * Queues a write for the collection's open index (on a new tail when nothing is pending) and schedules its
   * application; false when the index has no space recorded (it was not opened by this cache).
   */
  #enqueue(collectionId: string, index: VectorIndex, write: PendingWrite): boolean {
    let tail = this.#pending.get(collectionId);
    if (!tail) {
      const space = this.#spaces.get(collectionId);
      if (space === undefined) return false;
      tail = new PendingTail(index.dimension, space);
      this.#pending.set(collectionId, tail);
    }
    tail.add(write, index);
    this.#scheduleDrain();
    return true;
  }

  /** Opens the collection's persisted (or a new) index and keeps it, with the space it was opened in. */
  #openIndex(collection: CollectionModel, dimension: number): VectorIndex {
    const index = this.#factory.open(collection, dimension);
    index.setEfSearch(collection.hnsw.efSearch);
    this.#open.set(collection.id, index);
    this.#spaces.set(collection.id, collection.hnsw.space);
    return index;
  }

  /**
   * Queues a write this process just committed, to apply without reading it back, when the index (with the
   * writes already queued) was current before it.
   *
   * @returns false when the index was behind; the next {@link acquire} replays from the store instead.
   */
  applyLocalWrite(collectionId: string, seqBefore: number, seqAfter: number, changes: IndexChanges): boolean {
    const index = this.#open.get(collectionId);
    if (!index) return false;
    if ((this.#pending.get(collectionId)?.lastSeq ?? index.appliedSeq) !== seqBefore) return false;
    return this.#enqueue(collectionId, index, { seqAfter, ...changes, removedApplied: false, applied: 0 });
  }

  /**
   * Resolves once the collection's vectors waiting to be indexed are within the limit (at once when so already):
   * `maxPendingWhileRead` while the collection is being read, else `maxPending` (see the class remarks).
   */
  caughtUp(collectionId: string): Promise<void> {
    const tail = this.#pending.get(collectionId);
    if (!tail || tail.unapplied <= this.#pendingLimit(collectionId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.#waiters.get(collectionId) ?? [];
      waiting.push(resolve);
      this.#waiters.set(collectionId, waiting);
    });
  }

  /** Resolves once every queued write of every collection is in its index. */
  settled(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Updates search-time parameters of an open index. */
  setEfSearch(collectionId: string, ef: number): void {
    this.#open.get(collectionId)?.setEfSearch(ef);
  }

  /** Closes and deletes the persisted index of a collection. */
  drop(collectionId: string): void {
    this.#discard(collectionId);
    this.#lastRead.delete(collectionId);
    this.#factory.drop(collectionId);
  }

  /**
   * Persists every open index, applying queued writes first; with `applyPending` false, an index with writes
   * pending is left for a later call instead, so a periodic save never holds the event loop while a large queue
   * is applied.
   */
  saveAll({ applyPending = true }: SaveOptions = {}): void {
    if (applyPending) this.#drainAll();
    for (const [id, index] of this.#open) if (!this.#pending.has(id)) index.save();
  }

  /** Persists and closes every open index. */
  closeAll(): void {
    this.#drainAll();
    for (const id of [...this.#open.keys()]) {
      this.#open.get(id)?.save();
      this.#discard(id);
    }
  }

  /** Forgets every open index without saving (after a reset). */
  forgetAll(): void {
    for (const id of [...this.#open.keys()]) this.#discard(id);
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drainSlice();
    });
  }

  /** Applies pending writes for about `sliceMs`, then yields to the event loop if any remain. */
  #drainSlice(): void {
    const deadline = this.#options.now() + this.#options.sliceMs;
    for (const id of [...this.#pending.keys()]) {
      const done = this.#applyUntil(id, deadline);
      this.#wakeWriters(id);
      if (!done) break;
    }
    if (this.#pending.size > 0) this.#scheduleDrain();
  }

  /** Lets waiting writers go once the collection's pending vectors are back within the limit. */
  #wakeWriters(collectionId: string): void {
    this.#wakeSettled();
    const waiting = this.#waiters.get(collectionId);
    if (!waiting) return;
    const tail = this.#pending.get(collectionId);
    if (tail && tail.unapplied > this.#pendingLimit(collectionId)) return;
    this.#waiters.delete(collectionId);
    for (const resolve of waiting) resolve();
  }

  /** How many pending vectors writers may run ahead of the collection's index, given whether it is being read. */
  #pendingLimit(collectionId: string): number {
    const read = this.#lastRead.get(collectionId);
    const reading = read !== undefined && this.#options.now() - read < READ_WINDOW_MS;
    return reading ? this.#options.maxPendingWhileRead : this.#options.maxPending;
  }

  /** Lets {@link settled} callers go once nothing is pending. */
  #wakeSettled(): void {
    if (this.#pending.size > 0 || this.#settledWaiters.length === 0) return;
    const waiting = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const resolve of waiting) resolve();
  }

  #drainAll(): void {
    for (const id of [...this.#pending.keys()]) this.#drain(id);
  }

  /** Applies every queued write of a collection now. */
  #drain(collectionId: string): void {
    this.#applyUntil(collectionId, Infinity);
    this.#wakeWriters(collectionId);
  }

  /**
   * Applies queued writes of a collection in order until done or past `deadline`; returns true when done.
   *
   * @remarks An index that fails to take a write is dropped (rebuilt from the store on next use).
   */
  #applyUntil(collectionId: string, deadline: number): boolean {
    const tail = this.#pending.get(collectionId);
    const index = this.#open.get(collectionId);
    if (!tail || !index) {
      this.#releaseTail(collectionId);
      return true;
    }
    try {
      if (!tail.applyUntil(index, deadline, this.#options.now)) return false;
      this.#releaseTail(collectionId);
    } catch {
      this.#discard(collectionId);
    }
    return true;
  }

  /** Forgets the collection's pending tail and frees its memory, once its writes are in the index (or moot). */
  #releaseTail(collectionId: string): void {
    this.#pending.get(collectionId)?.release();
    this.#pending.delete(collectionId);
  }

  #discard(collectionId: string): void {
    this.#releaseTail(collectionId);
    this.#wakeWriters(collectionId);
    this.#open.get(collectionId)?.close();
    this.#open.delete(collectionId);
    this.#spaces.delete(collectionId);
  }

  #catchUp(collection: CollectionModel, index: VectorIndex, seq: number): VectorIndex {
    if (index.appliedSeq === seq) return index;
    let target = index;
    let changes = index.appliedSeq < seq ? this.#store.changesSince(collection.id, index.appliedSeq) : null;
    if (changes === null || changes.rebuild) {
      this.drop(collection.id);
      target = this.#openIndex(collection, collection.dimension ?? index.dimension);
      changes = this.#store.changesSince(collection.id, 0);
    }
    const write = changesToWrite(changes);
    // Queued like a local write rather than inserted now: the first write to a new collection (its index opens on
    // the next one), a stale saved index or a rebuild would otherwise hold the event loop for the whole batch.
    if (
      write.labels.length > this.#options.readerAppliesUpTo &&
      this.#enqueue(collection.id, target, write)
    ) {
      return target;
    }
    target.remove(write.removed);
    if (write.labels.length > 0) target.upsert(write.labels, write.vectors);
    target.appliedSeq = changes.seq;
    return target;
  }
}

/** A change set from the store as a pending write: its deletions and cleared vectors removed, its vectors inserted. */
function changesToWrite(changes: ChangeSet): PendingWrite {
  const labels: number[] = [];
  const vectors: Float32Array[] = [];
  const removed = [...changes.deletes];
  for (const { rowid, embedding } of changes.upserts) {
    if (embedding) {
      labels.push(rowid);
      vectors.push(embedding);
    } else removed.push(rowid);
  }
  return { seqAfter: changes.seq, removed, labels, vectors, removedApplied: false, applied: 0 };
}
