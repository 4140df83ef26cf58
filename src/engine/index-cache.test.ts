import { describe, expect, it } from 'vitest';
import { IndexCache } from './index-cache.js';
import type { VectorIndex, VectorIndexFactory } from './ports.js';
import type { CollectionModel } from './types.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { BruteForceIndex } from '../vector/brute-force-index.js';

const MODEL: CollectionModel = {
  id: 'c1',
  name: 'cache',
  tenant: 'default_tenant',
  database: 'default_database',
  metadata: null,
  configuration: {},
  hnsw: { space: 'l2', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
  dimension: 2,
  embedding: null,
};

/** A factory of exact indexes that can be told to fail their next upsert. */
function failingFactory(): VectorIndexFactory & { failNext: boolean; opened: number } {
  const factory = {
    failNext: false,
    opened: 0,
    open(): VectorIndex {
      factory.opened++;
      const index = new BruteForceIndex(2, 'l2');
      const upsert = index.upsert.bind(index);
      index.upsert = (labels, vectors) => {
        if (factory.failNext) {
          factory.failNext = false;
          throw new Error('index refused the write');
        }
        upsert(labels, vectors);
      };
      return index;
    },
    drop(): void {},
  };
  return factory;
}

function writeRecord(store: SqliteStore, cache: IndexCache, id: string, vector: number[]): void {
  const before = store.currentSeq(MODEL.id);
  const [rowid] = store.putRecords(MODEL.id, [
    { id, embedding: new Float32Array(vector), document: null, metadata: null, uri: null },
  ]);
  const after = store.currentSeq(MODEL.id);
  cache.applyLocalWrite(MODEL.id, before, after, (index) =>
    index.upsert([rowid!], [new Float32Array(vector)]),
  );
}

describe('IndexCache', () => {
  it('should apply queued local writes before the index is used, and on the next turn of the event loop', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const cache = new IndexCache(store, failingFactory());
    cache.acquire(MODEL);
    writeRecord(store, cache, 'a', [1, 0]);
    expect(cache.acquire(MODEL)?.size).toBe(1);
    const index = cache.acquire(MODEL);
    writeRecord(store, cache, 'b', [0, 1]);
    expect(index?.size).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(index?.size).toBe(2);
    expect(index?.appliedSeq).toBe(store.currentSeq(MODEL.id));
    store.close();
  });

  it('should rebuild from the store when the index fails to take a queued write', () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const factory = failingFactory();
    const cache = new IndexCache(store, factory);
    cache.acquire(MODEL);
    factory.failNext = true;
    writeRecord(store, cache, 'a', [1, 0]);
    const index = cache.acquire(MODEL);
    expect(factory.opened).toBe(2);
    expect(index?.search(new Float32Array([1, 0]), 1).labels).toHaveLength(1);
    store.close();
  });
});
