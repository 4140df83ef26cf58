/** Open vector indexes, kept caught up with the store they cache. */
import type { RecordStore, VectorIndex, VectorIndexFactory } from './ports.js';
import type { CollectionModel } from './types.js';

/** A committed local write waiting to be applied to its collection's open index. */
interface PendingWrite {
  seqAfter: number;
  apply(index: VectorIndex): void;
}

/**
 * Holds one open {@link VectorIndex} per collection and brings it up to the store's sequence number before use.
 *
 * @remarks
 * The store is the truth: an index whose `appliedSeq` is ahead of the store, or whose history the store can no
 * longer replay, is thrown away and rebuilt from the records. Writes by other processes show up as a higher
 * sequence number and are replayed from the store's change log. This process's own writes are applied right
 * after the event loop turn that committed them (so a server answers the write first and indexes while the
 * client prepares its next batch), and always before the index is next used, saved or closed.
 */
export class IndexCache {
  readonly #store: RecordStore;
  readonly #factory: VectorIndexFactory;
  readonly #open = new Map<string, VectorIndex>();
  readonly #pending = new Map<string, PendingWrite[]>();
  #drainScheduled = false;

  constructor(store: RecordStore, factory: VectorIndexFactory) {
    this.#store = store;
    this.#factory = factory;
  }

  /** The collection's index, caught up; null while the collection has no dimension (no vectors yet). */
  acquire(collection: CollectionModel): VectorIndex | null {
    if (collection.dimension === null) return null;
    let index = this.#open.get(collection.id);
    if (index && index.dimension !== collection.dimension) {
      this.#discard(collection.id);
      index = undefined;
    }
    if (!index) {
      index = this.#factory.open(collection, collection.dimension);
      index.setEfSearch(collection.hnsw.efSearch);
      this.#open.set(collection.id, index);
    }
    this.#drain(collection.id);
    const current = this.#open.get(collection.id);
    return current ? this.#catchUp(collection, current) : this.acquire(collection);
  }

  /**
   * Queues a write this process just committed, to apply without reading it back, when the index (with the
   * writes already queued) was current before it.
   *
   * @returns false when the index was behind; the next {@link acquire} replays from the store instead.
   */
  applyLocalWrite(
    collectionId: string,
    seqBefore: number,
    seqAfter: number,
    apply: (index: VectorIndex) => void,
  ): boolean {
    const index = this.#open.get(collectionId);
    if (!index) return false;
    const queue = this.#pending.get(collectionId) ?? [];
    if ((queue.at(-1)?.seqAfter ?? index.appliedSeq) !== seqBefore) return false;
    queue.push({ seqAfter, apply });
    this.#pending.set(collectionId, queue);
    this.#scheduleDrain();
    return true;
  }

  /** Updates search-time parameters of an open index. */
  setEfSearch(collectionId: string, ef: number): void {
    this.#open.get(collectionId)?.setEfSearch(ef);
  }

  /** Closes and deletes the persisted index of a collection. */
  drop(collectionId: string): void {
    this.#discard(collectionId);
    this.#factory.drop(collectionId);
  }

  /** Persists every open index. */
  saveAll(): void {
    this.#drainAll();
    for (const index of this.#open.values()) index.save();
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
      this.#drainAll();
    });
  }

  #drainAll(): void {
    for (const id of [...this.#pending.keys()]) this.#drain(id);
  }

  /** Applies the queued writes of a collection; an index that fails to take them is dropped (rebuilt on use). */
  #drain(collectionId: string): void {
    const queue = this.#pending.get(collectionId);
    const index = this.#open.get(collectionId);
    this.#pending.delete(collectionId);
    if (!queue || !index) return;
    try {
      for (const write of queue) {
        write.apply(index);
        index.appliedSeq = write.seqAfter;
      }
    } catch {
      this.#discard(collectionId);
    }
  }

  #discard(collectionId: string): void {
    this.#pending.delete(collectionId);
    this.#open.get(collectionId)?.close();
    this.#open.delete(collectionId);
  }

  #catchUp(collection: CollectionModel, index: VectorIndex): VectorIndex {
    const seq = this.#store.currentSeq(collection.id);
    if (index.appliedSeq === seq) return index;
    let target = index;
    let changes = index.appliedSeq < seq ? this.#store.changesSince(collection.id, index.appliedSeq) : null;
    if (changes === null || changes.rebuild) {
      this.drop(collection.id);
      target = this.#factory.open(collection, collection.dimension ?? index.dimension);
      target.setEfSearch(collection.hnsw.efSearch);
      this.#open.set(collection.id, target);
      changes = this.#store.changesSince(collection.id, 0);
    }
    target.remove(changes.deletes);
    const labels: number[] = [];
    const vectors: Float32Array[] = [];
    const cleared: number[] = [];
    for (const { rowid, embedding } of changes.upserts) {
      if (embedding) {
        labels.push(rowid);
        vectors.push(embedding);
      } else cleared.push(rowid);
    }
    target.remove(cleared);
    if (labels.length > 0) target.upsert(labels, vectors);
    target.appliedSeq = changes.seq;
    return target;
  }
}
