import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import { describeRecordStoreContract } from '../../test/helpers/record-store-contract.js';
import {
  expectEngineError,
  makeCollectionModel,
  makeRecord,
} from '../../test/helpers/record-store-fixtures.js';

const tempDirs: string[] = [];

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function fileStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-store-'));
  tempDirs.push(dir);
  return new SqliteStore(join(dir, 'kb.sqlite'));
}

describeRecordStoreContract('SqliteStore in memory', () => new SqliteStore(':memory:'));
describeRecordStoreContract('SqliteStore on a file', fileStore);

describe('SqliteStore on one file from two connections', () => {
  it('should let each connection see the other one’s committed writes only', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const writer = new SqliteStore(path);
    const reader = new SqliteStore(path);
    const model = makeCollectionModel();
    writer.createCollection(model);
    expect(reader.getCollectionById(model.id)).toEqual(model);
    writer.transaction(() => {
      writer.putRecords(model.id, [makeRecord('a')]);
      expect(reader.count(model.id)).toBe(0);
    });
    expect(reader.count(model.id)).toBe(1);
    expect(reader.changesSince(model.id, 0).seq).toBe(1);
    writer.close();
    reader.close();
  });

  it('should never serve a cached collection, seq or filter result after any connection committed a change', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const writer = new SqliteStore(path);
    const reader = new SqliteStore(path);
    const model = makeCollectionModel();
    writer.createCollection(model);
    expect(reader.getCollectionById(model.id)?.name).toBe(model.name);
    expect(reader.currentSeq(model.id)).toBe(0);
    writer.updateCollection(model.id, { name: 'renamed', dimension: 3 });
    writer.putRecords(model.id, [makeRecord('a')]);
    expect(reader.getCollectionById(model.id)).toMatchObject({ name: 'renamed', dimension: 3 });
    expect(reader.currentSeq(model.id)).toBe(1);
    const where = { kind: 'compare', key: 'k', op: '$eq', value: 1 } as const;
    expect(reader.selectRowids(model.id, { where }, {})).toHaveLength(0);
    writer.putRecords(model.id, [makeRecord('b', { metadata: { k: 1 } })]);
    expect(reader.selectRowids(model.id, { where }, {})).toHaveLength(1);
    reader.putRecords(model.id, [makeRecord('c', { metadata: { k: 1 } })]);
    expect(reader.selectRowids(model.id, { where }, {})).toHaveLength(2);
    writer.deleteCollection(model.id);
    expect(reader.getCollectionById(model.id)).toBeNull();
    writer.close();
    reader.close();
  });

  it('should read its own writes at once, inside and after a transaction', () => {
    const store = new SqliteStore(':memory:');
    const model = makeCollectionModel();
    store.createCollection(model);
    expect(store.currentSeq(model.id)).toBe(0);
    store.transaction(() => {
      store.putRecords(model.id, [makeRecord('a')]);
      expect(store.currentSeq(model.id)).toBe(1);
    });
    expect(store.currentSeq(model.id)).toBe(1);
    store.updateCollection(model.id, { name: 'again' });
    expect(store.getCollectionById(model.id)?.name).toBe('again');
    store.close();
  });

  it('should fail a writer with UNAVAILABLE when another connection holds the lock past the busy timeout', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const holder = new SqliteStore(path);
    const waiter = new SqliteStore(path, { busyTimeoutMs: 20 });
    holder.transaction(() => {
      holder.createTenant('holder');
      expectEngineError(() => waiter.createTenant('waiter'), 'UNAVAILABLE');
    });
    waiter.createTenant('waiter');
    expect(holder.getTenant('waiter')).not.toBeNull();
    holder.close();
    waiter.close();
  });

  it('should make a writer wait for another thread’s write transaction instead of failing', async () => {
    const path = join(tempDir(), 'kb.sqlite');
    const store = new SqliteStore(path);
    const worker = lockFileInWorker(path);
    await worker.locked;
    store.createTenant('after_worker');
    await worker.done;
    expect(store.getTenant('worker_tenant')).not.toBeNull();
    expect(store.getTenant('after_worker')).not.toBeNull();
    store.close();
  });
});

describe('SqliteStore on a file', () => {
  it('should keep records, seqs and the default database across reopening', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const first = new SqliteStore(path);
    const defaultDb = first.getDatabase(DEFAULT_TENANT, DEFAULT_DATABASE);
    const model = makeCollectionModel();
    first.createCollection(model);
    const [rowid] = first.putRecords(model.id, [makeRecord('a', { metadata: { k: 1 } })]);
    first.close();
    const second = new SqliteStore(path);
    expect(second.getDatabase(DEFAULT_TENANT, DEFAULT_DATABASE)).toEqual(defaultDb);
    expect(second.currentSeq(model.id)).toBe(1);
    expect(second.readRecords([rowid as number], ['metadatas'])[0]?.metadata).toEqual({ k: 1 });
    second.close();
  });

  it('should store embeddings as little-endian float32 blobs', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const store = new SqliteStore(path);
    const model = makeCollectionModel();
    store.createCollection(model);
    store.putRecords(model.id, [makeRecord('a', { embedding: new Float32Array([1.5, -2]) })]);
    store.close();
    const raw = new BetterSqlite3(path, { readonly: true });
    const blob = raw.prepare('SELECT embedding FROM record_embeddings').pluck().get() as Buffer;
    raw.close();
    expect([blob.readFloatLE(0), blob.readFloatLE(4), blob.length]).toEqual([1.5, -2, 8]);
  });

  it('should leave planner statistics behind when closed after filtered reads', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const store = new SqliteStore(path);
    const model = makeCollectionModel();
    store.createCollection(model);
    store.putRecords(
      model.id,
      Array.from({ length: 2000 }, (_, i) => makeRecord(`r${i}`, { metadata: { n: i % 7 } })),
    );
    expect(
      store.selectRowids(model.id, { where: { kind: 'compare', key: 'n', op: '$eq', value: 3 } }, {}),
    ).toHaveLength(286);
    store.close();
    expect(countRows(path, ['sqlite_stat1'])[0]).toBeGreaterThan(0);
  });

  it('should forget a record’s embedding when it is overwritten without one', () => {
    const store = new SqliteStore(':memory:');
    const model = makeCollectionModel();
    store.createCollection(model);
    const [rowid] = store.putRecords(model.id, [makeRecord('a')]);
    store.putRecords(model.id, [makeRecord('a', { embedding: null })]);
    expect(store.readRecords([rowid as number], ['embeddings'])[0]?.embedding).toBeNull();
    expect(store.changesSince(model.id, 0).upserts).toEqual([{ rowid, embedding: null }]);
    store.close();
  });

  it('should drop lexical tables and rows, metadata and embedding rows when records go by delete, collection delete or reset', () => {
    const path = join(tempDir(), 'kb.sqlite');
    const store = new SqliteStore(path);
    const models = [makeCollectionModel(), makeCollectionModel()];
    for (const model of models) store.createCollection(model);
    const [a] = store.putRecords(models[0]!.id, [makeRecord('a', { metadata: { k: 'v' } }), makeRecord('b')]);
    store.putRecords(models[1]!.id, [makeRecord('c', { metadata: { k: ['x', 'y'] } })]);
    const counts = (): number[] => [
      ...lexicalCounts(path),
      ...countRows(path, ['record_metadata', 'record_embeddings', 'records']),
    ];
    expect(counts()).toEqual([2, 3, 3, 3, 3]);
    store.deleteRecords(models[0]!.id, [a as number]);
    expect(counts()).toEqual([2, 2, 2, 2, 2]);
    store.deleteCollection(models[1]!.id);
    expect(counts()).toEqual([1, 1, 0, 1, 1]);
    store.reset();
    expect(counts()).toEqual([0, 0, 0, 0, 0]);
    store.close();
  });
});

describe('SqliteStore writes', () => {
  it('should reject writes to an unknown collection with NOT_FOUND and write nothing', () => {
    const store = new SqliteStore(':memory:');
    expectEngineError(() => store.putRecords('no-such-collection', [makeRecord('a')]), 'NOT_FOUND');
    expect(store.count('no-such-collection')).toBe(0);
    store.close();
  });

  it('should not bump the seq for a delete that removes nothing', () => {
    const store = new SqliteStore(':memory:');
    const model = makeCollectionModel();
    store.createCollection(model);
    store.deleteRecords(model.id, [12345]);
    expect(store.currentSeq(model.id)).toBe(0);
    store.close();
  });

  it('should map an unknown database to NOT_FOUND when creating a collection', () => {
    const store = new SqliteStore(':memory:');
    expectEngineError(() => store.createCollection(makeCollectionModel({ database: 'nope' })), 'NOT_FOUND');
    store.close();
  });
});

describe('SqliteStore.pruneTombstones', () => {
  it('should ask caches older than the pruned history to rebuild', () => {
    const store = new SqliteStore(':memory:');
    const { id } = makeCollectionModel();
    store.createCollection(makeCollectionModel({ id }));
    const [a, b] = store.putRecords(id, [makeRecord('a'), makeRecord('b')]);
    store.deleteRecords(id, [a as number]);
    store.deleteRecords(id, [b as number]);
    expect(store.pruneTombstones(id, 2)).toBe(1);
    expect(store.changesSince(id, 1).rebuild).toBe(true);
    expect(store.changesSince(id, 2)).toEqual({ upserts: [], deletes: [b], seq: 3, rebuild: false });
    store.close();
  });
});

describe('SqliteStore.searchLexical', () => {
  const setUp = (): { store: SqliteStore; id: string; rowids: number[] } => {
    const store = new SqliteStore(':memory:');
    const model = makeCollectionModel();
    store.createCollection(model);
    const docs = ['Dogs are running in the park', 'A cat sleeps', 'dog dog dog dog', 'Café au lait', null];
    const rowids = store.putRecords(
      model.id,
      docs.map((document, i) => makeRecord(`r${i}`, { document })),
    );
    const other = makeCollectionModel();
    store.createCollection(other);
    store.putRecords(other.id, [makeRecord('x', { document: 'dog' })]);
    return { store, id: model.id, rowids };
  };

  it('should rank documents by BM25 with stemming, within the collection only', () => {
    const { store, id, rowids } = setUp();
    const hits = store.searchLexical(id, 'dog runs', 10);
    expect(hits.map((h) => h.rowid)).toEqual([rowids[0], rowids[2]]);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    store.close();
  });

  it('should fold diacritics and case', () => {
    const { store, id, rowids } = setUp();
    expect(store.searchLexical(id, 'CAFE', 10).map((h) => h.rowid)).toEqual([rowids[3]]);
    store.close();
  });

  it('should restrict hits to the allowed rowids and honour k', () => {
    const { store, id, rowids } = setUp();
    expect(store.searchLexical(id, 'dog', 10, new Set([rowids[2]!])).map((h) => h.rowid)).toEqual([
      rowids[2],
    ]);
    expect(store.searchLexical(id, 'dog', 1)).toHaveLength(1);
    store.close();
  });

  it('should treat FTS5 syntax in the query as plain words', () => {
    const { store, id } = setUp();
    expect(() => store.searchLexical(id, 'cat" OR NEAR(dog AND * -', 10)).not.toThrow();
    expect(store.searchLexical(id, '?!', 10)).toEqual([]);
    store.close();
  });

  it('should forget overwritten and deleted documents', () => {
    const { store, id, rowids } = setUp();
    store.putRecords(id, [makeRecord('r1', { document: 'A dog sleeps' })]);
    store.deleteRecords(id, [rowids[2]!]);
    expect(store.searchLexical(id, 'cat', 10)).toEqual([]);
    expect(store.searchLexical(id, 'dog', 10).map((h) => h.rowid)).toEqual([rowids[1], rowids[0]]);
    store.close();
  });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-store-'));
  tempDirs.push(dir);
  return dir;
}

/** The number of per-collection lexical tables and the rows they hold in all. */
function lexicalCounts(path: string): [number, number] {
  const raw = new BetterSqlite3(path, { readonly: true });
  const tables = raw
    .prepare("SELECT name FROM sqlite_schema WHERE sql LIKE 'CREATE VIRTUAL TABLE%' AND name GLOB 'fts_*'")
    .pluck()
    .all() as string[];
  const rows = tables.reduce(
    (sum, t) => sum + (raw.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number),
    0,
  );
  raw.close();
  return [tables.length, rows];
}

function countRows(path: string, tables: string[]): number[] {
  const raw = new BetterSqlite3(path, { readonly: true });
  const counts = tables.map((table) => raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
  raw.close();
  return counts;
}

/**
 * Holds a write transaction on the file in a worker thread; once `locked` resolves, the worker commits a
 * moment later, so a write the main thread starts right then has to wait for the lock.
 */
function lockFileInWorker(path: string): { locked: Promise<void>; done: Promise<void> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3'), flag },
  });
  const locked = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
  });
  const release = (): void => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  return { locked: locked.then(release), done };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO tenants (name) VALUES ('worker_tenant')").run();
parentPort.postMessage('locked');
Atomics.wait(workerData.flag, 0, 0, 5000);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
db.exec('COMMIT');
db.close();
`;
