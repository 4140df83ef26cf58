/** Opens per-collection HNSW indexes from a directory (or in memory) and drops their files. */
import { mkdirSync } from 'node:fs';
import type { VectorIndexFactory } from '../engine/ports.js';
import type { CollectionModel } from '../engine/types.js';
import { HnswIndex, type HnswIndexOptions } from './hnsw-index.js';

/** Options of a {@link HnswIndexFactory}: index tuning, and where exact vectors of a collection come from. */
export interface HnswIndexFactoryOptions extends Omit<HnswIndexOptions, 'vectorsOf' | 'onInvalidFiles'> {
  /** The stored vectors of a collection's labels, in order (null where none): normally the record store. */
  vectorsOf?: (collectionId: string, labels: readonly number[]) => (Float32Array | null)[];
  /** Told what an operator should know: a damaged index file being rebuilt, stale temporary files removed. */
  warn?: (details: Record<string, unknown>, message: string) => void;
}
import { indexFilesFor, removeIndexFiles, removeStaleTempFiles } from './index-files.js';

/**
 * A {@link VectorIndexFactory} of {@link HnswIndex}es persisted as `<collection id>.hnsw` (+ `.hnsw.json`).
 *
 * @remarks
 * `open` never trusts a damaged or mismatched file: it then returns a fresh index with `appliedSeq` 0, and the
 * engine rebuilds it from the store. With a null directory, indexes live in memory only.
 */
export class HnswIndexFactory implements VectorIndexFactory {
  readonly #directory: string | null;
  readonly #options: HnswIndexFactoryOptions;

  constructor(directory: string | null, options: HnswIndexFactoryOptions = {}) {
    this.#directory = directory;
    this.#options = options;
    if (directory === null) return;
    mkdirSync(directory, { recursive: true });
    const removed = removeStaleTempFiles(directory);
    if (removed.length > 0) {
      options.warn?.(
        { directory, files: removed },
        'removed temporary index files that interrupted saves left',
      );
    }
  }

  open(collection: CollectionModel, dimension: number): HnswIndex {
    const params = collection.hnsw;
    const { vectorsOf, warn, ...tuning } = this.#options;
    const rebuild = (reason: string): void =>
      warn?.(
        { collection: collection.name, collectionId: collection.id, reason },
        `rebuilding the vector index of collection "${collection.name}" from the store: ${reason}`,
      );
    const options: HnswIndexOptions = { ...tuning, onInvalidFiles: rebuild };
    if (vectorsOf) options.vectorsOf = (labels) => vectorsOf(collection.id, labels);
    if (this.#directory === null) return HnswIndex.create(dimension, params, null, options);
    const files = indexFilesFor(this.#directory, collection.id);
    let loaded: HnswIndex | null = null;
    try {
      loaded = HnswIndex.load(dimension, params, files, options);
    } catch (err) {
      rebuild(`hnswlib cannot read the index file (${(err as Error).message})`); // a cache miss, not a failure
    }
    return loaded ?? HnswIndex.create(dimension, params, files, options);
  }

  drop(collectionId: string): void {
    if (this.#directory === null) return;
    removeIndexFiles(indexFilesFor(this.#directory, collectionId));
  }
}
