/** Open vector indexes, kept caught up with the store they cache. */
import type { RecordStore, VectorIndex, VectorIndexFactory } from './ports.js';
import type { CollectionModel } from './types.js';

/**
 * Holds one open {@link VectorIndex} per collection and brings it up to the store's sequence number before use.
 *
 * @remarks
 * The store is the truth: an index whose `appliedSeq` is ahead of the store, or whose history the store can no
 * longer replay, is thrown away and rebuilt from the records. Writes by other processes show up as a higher
 * sequence number and are replayed from the store's change log.
 */
export class IndexCache {
  readonly #store: RecordStore;
  readonly #factory: VectorIndexFactory;
  readonly #open = new Map<string, VectorIndex>();

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
    return this.#catchUp(collection, index);
  }

  /**
   * Applies a write this process just committed, without reading it back, when the index was current before it.
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
    if (!index || index.appliedSeq !== seqBefore) return false;
    apply(index);
    index.appliedSeq = seqAfter;
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
    for (const index of this.#open.values()) index.save();
  }

  /** Persists and closes every open index. */
  closeAll(): void {
    for (const id of [...this.#open.keys()]) {
      this.#open.get(id)?.save();
      this.#discard(id);
    }
  }

  /** Forgets every open index without saving (after a reset). */
  forgetAll(): void {
    for (const id of [...this.#open.keys()]) this.#discard(id);
  }

  #discard(collectionId: string): void {
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
