import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../../test/helpers/random-data.js';
import { expectSameHits } from '../../test/helpers/vector-hits.js';
import { IndexCache } from './index-cache.js';
import { PendingTailIndex } from './pending-tail.js';
import type { VectorIndex, VectorIndexFactory } from './ports.js';
import type { CollectionModel, Space } from './types.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { BruteForceIndex, BruteForceIndexFactory } from '../vector/brute-force-index.js';

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
  cache.applyLocalWrite(MODEL.id, before, after, {
    labels: [rowid!],
    vectors: [new Float32Array(vector)],
    removed: [],
  });
}

/** Writes one batch of records (vectors, or null to delete) and queues it for the index. */
function writeBatch(
  store: SqliteStore,
  cache: IndexCache,
  batch: [string, number[] | null][],
  model: CollectionModel = MODEL,
): void {
  const before = store.currentSeq(model.id);
  const puts = batch.filter(([, v]) => v !== null) as [string, number[]][];
  const deletes = batch.filter(([, v]) => v === null).map(([id]) => id);
  const removed = [...store.lookupRowids(model.id, deletes).values()];
  store.deleteRecords(model.id, removed);
  const rowids = store.putRecords(
    model.id,
    puts.map(([id, v]) => ({
      id,
      embedding: new Float32Array(v),
      document: null,
      metadata: null,
      uri: null,
    })),
  );
  cache.applyLocalWrite(model.id, before, store.currentSeq(model.id), {
    labels: rowids,
    vectors: puts.map(([, v]) => new Float32Array(v)),
    removed,
  });
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

  it('should queue a catch-up of more than a few vectors (a first batch, a stale index) instead of inserting it at once', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const vectors = Array.from({ length: 50 }, (_, i) => [Math.cos(i), Math.sin(i)]);
    writeBatch(
      store,
      new IndexCache(store, new BruteForceIndexFactory()),
      vectors.map((v, i) => [`r${i}`, v]),
    ); // written before this cache opened an index: its first use must catch up with all 50
    const cache = new IndexCache(store, new BruteForceIndexFactory());
    cache.prepare(MODEL);
    const view = cache.acquire(MODEL);
    expect(view).toBeInstanceOf(PendingTailIndex);
    expect(view?.size).toBe(50);
    const hits = view!.search(new Float32Array([1, 0]), 3);
    expect(hits.distances[0]).toBeCloseTo(0, 5);
    await cache.settled();
    const index = cache.acquire(MODEL);
    expect(index).not.toBeInstanceOf(PendingTailIndex);
    expect(index?.appliedSeq).toBe(store.currentSeq(MODEL.id));
    expectSameHits(index!.search(new Float32Array([1, 0]), 3), hits);
    writeRecord(store, cache, 'small', [0.5, 0.5]); // a local write queued behind nothing: applied as before
    expect(cache.acquire(MODEL)?.size).toBe(51);
    store.close();
  });
});

describe('IndexCache with writes pending', () => {
  it('should find pending vectors exactly and hide pending deletions and replaced vectors before they are indexed', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const cache = new IndexCache(store, failingFactory(), { readerAppliesUpTo: 0, sliceMs: 0 });
    cache.prepare(MODEL);
    writeBatch(store, cache, [
      ['a', [0, 0]],
      ['b', [1, 0]],
      ['c', [5, 5]],
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    writeBatch(store, cache, [
      ['b', null],
      ['c', [0.1, 0]],
      ['d', [0.2, 0]],
    ]);
    const rowid = (id: string) => store.lookupRowids(MODEL.id, [id]).get(id);
    const view = cache.acquire(MODEL)!;
    expect(view.size).toBe(3);
    const hits = view.search(new Float32Array([0, 0]), 10);
    expect(hits.labels).toEqual([rowid('a'), rowid('c'), rowid('d')]);
    expect(hits.distances[1]).toBeCloseTo(0.01, 6);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const applied = cache.acquire(MODEL)!;
    expect(applied.appliedSeq).toBe(store.currentSeq(MODEL.id));
    expect(applied.search(new Float32Array([0, 0]), 10)).toEqual(hits);
    store.close();
  });

  it('should answer every query as the exact index over the committed records would, while writes apply in slices', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const cache = new IndexCache(store, failingFactory(), { readerAppliesUpTo: 0, sliceMs: 0 });
    cache.prepare(MODEL);
    const truth = new Map<string, number[]>();
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
    for (let round = 0; round < 30; round++) {
      const batch: [string, number[] | null][] = [];
      const ids = new Set<string>();
      for (let j = 0; j < 12; j++) {
        const id = `r${Math.floor(((random() + 1) / 2) * 60)}`;
        if (ids.has(id)) continue;
        ids.add(id);
        const value = random() < -0.6 ? null : [random(), random()];
        batch.push([id, value]);
        if (value === null) truth.delete(id);
        else truth.set(id, value);
      }
      writeBatch(store, cache, batch);
      const query = new Float32Array([random(), random()]);
      const exact = new BruteForceIndex(2, 'l2');
      const rowids = store.lookupRowids(MODEL.id, [...truth.keys()]);
      for (const [id, v] of truth) exact.upsert([rowids.get(id)!], [new Float32Array(v)]);
      expect(cache.acquire(MODEL)!.search(query, 5)).toEqual(exact.search(query, 5));
      if (round % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    store.close();
  });

  it('should resolve settled() once every queued write is in the index', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const cache = new IndexCache(store, failingFactory(), { readerAppliesUpTo: 0, sliceMs: 0 });
    cache.prepare(MODEL);
    await cache.settled();
    writeBatch(
      store,
      cache,
      Array.from({ length: 40 }, (_, i): [string, number[]] => [`s${i}`, [i, 1]]),
    );
    const before = cache.acquire(MODEL)!.appliedSeq;
    await cache.settled();
    const after = cache.acquire(MODEL)!;
    expect(before).toBeLessThan(store.currentSeq(MODEL.id));
    expect(after.appliedSeq).toBe(store.currentSeq(MODEL.id));
    expect(after.size).toBe(40);
    store.close();
  });
});

/** Lets the event loop turn once: one drain slice runs, if one is scheduled. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `promise` settles without the event loop turning (so before any drain slice runs). */
async function settlesAtOnce(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return settled;
}

/** `n` records with ids `<prefix><i>` and distinct 2-dimensional vectors. */
function records(prefix: string, n: number): [string, number[]][] {
  return Array.from({ length: n }, (_, i) => [`${prefix}${i}`, [i, 1]]);
}

describe('IndexCache views while writes apply in slices', () => {
  const DIM = 8;

  it.each(['l2', 'ip', 'cosine'] as Space[])(
    'should answer every query, with and without an allowed set, as an exact search over the committed records (%s)',
    async (space) => {
      const model: CollectionModel = { ...MODEL, hnsw: { ...MODEL.hnsw, space }, dimension: DIM };
      const store = new SqliteStore(':memory:');
      store.createCollection(model);
      let clock = 0;
      // Every look at the clock passes a 0 ms slice's deadline: a slice applies one step of 8 vectors.
      const options = { sliceMs: 0, readerAppliesUpTo: 0, now: () => clock++ };
      const cache = new IndexCache(store, new BruteForceIndexFactory(), options);
      cache.prepare(model);
      const random = mulberry32(space.length);
      const vector = (): number[] => Array.from({ length: DIM }, () => random() * 2 - 1);
      const truth = new Map<string, number[]>();
      let biggestTail = 0;
      const check = (index: VectorIndex): void => {
        const rowids = store.lookupRowids(model.id, [...truth.keys()]);
        const exact = new BruteForceIndex(DIM, space);
        for (const [id, v] of truth) exact.upsert([rowids.get(id)!], [new Float32Array(v)]);
        const live = [...rowids.values()];
        const allowed = new Set(live.filter(() => random() < 0.4).concat([randomInt(1_000, random)]));
        const query = new Float32Array(vector());
        const k = 1 + randomInt(12, random);
        expect(index.size).toBe(truth.size);
        expectSameHits(index.search(query, k), exact.search(query, k));
        expectSameHits(index.search(query, k, allowed), exact.search(query, k, allowed));
      };
      for (let round = 0; round < 40; round++) {
        const batch = new Map<string, number[] | null>();
        for (let j = randomInt(40, random); j > 0; j--) {
          batch.set(`r${randomInt(150, random)}`, random() < 0.2 ? null : vector());
        }
        writeBatch(store, cache, [...batch], model);
        for (const [id, v] of batch) {
          if (v === null) truth.delete(id);
          else truth.set(id, v);
        }
        const view = cache.acquire(model)!;
        if (view instanceof PendingTailIndex) biggestTail = Math.max(biggestTail, view.pending.labels);
        check(view);
        if (random() < 0.5) await nextTurn();
      }
      expect(biggestTail).toBeGreaterThan(64); // big enough for the tail's int8 mirror
      await cache.settled();
      const index = cache.acquire(model)!;
      expect(index).not.toBeInstanceOf(PendingTailIndex);
      check(index);
      store.close();
    },
  );

  it('should release the pending tail and its mirror once everything is applied', async () => {
    const model: CollectionModel = { ...MODEL, hnsw: { ...MODEL.hnsw, space: 'cosine' }, dimension: DIM };
    const store = new SqliteStore(':memory:');
    store.createCollection(model);
    const cache = new IndexCache(store, new BruteForceIndexFactory(), { readerAppliesUpTo: 0, now: () => 0 });
    cache.prepare(model);
    const random = mulberry32(4);
    const batch = Array.from({ length: 200 }, (_, i): [string, number[]] => [
      `m${i}`,
      Array.from({ length: DIM }, () => random()),
    ]);
    writeBatch(store, cache, batch, model);
    const view = cache.acquire(model) as PendingTailIndex;
    expect(view).toBeInstanceOf(PendingTailIndex);
    view.search(new Float32Array(batch[0]![1]), 5);
    expect(view.pending).toMatchObject({ writes: 1, unapplied: 200, labels: 200 });
    expect(view.pending.mirrorBytes).toBeGreaterThan(0);
    await cache.settled();
    expect(view.pending).toEqual({ writes: 0, unapplied: 0, labels: 0, mirrorBytes: 0 });
    const index = cache.acquire(model)!;
    expect(index).not.toBeInstanceOf(PendingTailIndex);
    expect(index.size).toBe(200);
    store.close();
  });
});

describe('IndexCache backpressure', () => {
  it('should let writers run 50,000 vectors ahead of a collection nobody reads, and no further', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const cache = new IndexCache(store, new BruteForceIndexFactory(), { now: () => 0 });
    cache.prepare(MODEL);
    writeBatch(store, cache, records('a', 30_000));
    expect(await settlesAtOnce(cache.caughtUp(MODEL.id))).toBe(true);
    writeBatch(store, cache, records('b', 20_000));
    expect(await settlesAtOnce(cache.caughtUp(MODEL.id))).toBe(true);
    writeBatch(store, cache, records('c', 1));
    const waiting = cache.caughtUp(MODEL.id);
    expect(await settlesAtOnce(waiting)).toBe(false);
    await waiting;
    expect(cache.acquire(MODEL)?.size).toBe(50_001);
    store.close();
  });

  it('should hold writers to 2,000 pending vectors while the collection is read, without holding up the reader', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    let time = 0;
    let step = 0;
    // Stands still until the reader has read, then moves 1 ms per look: slices of 8 ms then apply a few steps each.
    const cache = new IndexCache(store, new BruteForceIndexFactory(), { now: () => (time += step) });
    cache.prepare(MODEL);
    writeBatch(store, cache, records('a', 3_000));
    expect(await settlesAtOnce(cache.caughtUp(MODEL.id))).toBe(true);
    const view = cache.acquire(MODEL) as PendingTailIndex;
    expect(view).toBeInstanceOf(PendingTailIndex);
    expect(view.pending.unapplied).toBe(3_000);
    expect(view.search(new Float32Array([2_999, 1]), 1).labels).toHaveLength(1);
    writeBatch(store, cache, records('b', 1));
    let pendingWhenLetGo = -1;
    const waiting = cache.caughtUp(MODEL.id).then(() => {
      pendingWhenLetGo = view.pending.unapplied;
    });
    expect(await settlesAtOnce(waiting)).toBe(false);
    step = 1;
    await waiting;
    expect(pendingWhenLetGo).toBeGreaterThan(0);
    expect(pendingWhenLetGo).toBeLessThanOrEqual(2_000);
    expect(time).toBeLessThan(1_000); // still within a second of the read
    store.close();
  });

  it('should let writers run ahead again once the collection has not been read for a second', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    let time = 0;
    const cache = new IndexCache(store, new BruteForceIndexFactory(), { now: () => time });
    cache.prepare(MODEL);
    writeBatch(store, cache, records('a', 2_500));
    cache.acquire(MODEL);
    time = 999;
    expect(await settlesAtOnce(cache.caughtUp(MODEL.id))).toBe(false);
    time = 1_000;
    expect(await settlesAtOnce(cache.caughtUp(MODEL.id))).toBe(true);
    store.close();
  });
});

describe('IndexCache saves', () => {
  /** A factory of exact indexes that count their saves. */
  function countingFactory(): VectorIndexFactory & { saves: number } {
    const factory = {
      saves: 0,
      open(collection: CollectionModel, dimension: number): VectorIndex {
        const index = new BruteForceIndex(dimension, collection.hnsw.space);
        index.save = () => void factory.saves++;
        return index;
      },
      drop(): void {},
    };
    return factory;
  }

  it('should leave an index with writes pending unsaved when told not to apply them, and save it once applied', async () => {
    const store = new SqliteStore(':memory:');
    store.createCollection(MODEL);
    const factory = countingFactory();
    const cache = new IndexCache(store, factory, { readerAppliesUpTo: 0, now: () => 0 });
    cache.prepare(MODEL);
    writeBatch(store, cache, records('a', 100));
    cache.saveAll({ applyPending: false });
    expect(factory.saves).toBe(0);
    expect((cache.acquire(MODEL) as PendingTailIndex).pending.unapplied).toBe(100);
    await cache.settled();
    cache.saveAll({ applyPending: false });
    expect(factory.saves).toBe(1);
    writeBatch(store, cache, records('b', 100));
    cache.saveAll();
    expect(factory.saves).toBe(2);
    expect(cache.acquire(MODEL)).not.toBeInstanceOf(PendingTailIndex);
    store.close();
  });
});

describe('IndexCache with another process writing', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("should queue another process's writes behind its own pending ones rather than apply them all at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbgate-cache-'));
    dirs.push(dir);
    const mine = new SqliteStore(join(dir, 'kb.sqlite'));
    const theirs = new SqliteStore(join(dir, 'kb.sqlite'));
    mine.createCollection(MODEL);
    const cache = new IndexCache(mine, new BruteForceIndexFactory(), { readerAppliesUpTo: 0, now: () => 0 });
    cache.prepare(MODEL);
    writeBatch(mine, cache, [
      ['a', [0, 0]],
      ['b', [1, 0]],
      ['c', [2, 0]],
    ]);
    const rowid = (id: string) => mine.lookupRowids(MODEL.id, [id]).get(id)!;
    const record = (id: string, v: number[]) => ({
      id,
      embedding: new Float32Array(v),
      document: null,
      metadata: null,
      uri: null,
    });
    theirs.putRecords(MODEL.id, [record('b', [5, 5]), record('d', [0.5, 0])]);
    theirs.deleteRecords(MODEL.id, [rowid('c')]);
    const view = cache.acquire(MODEL) as PendingTailIndex;
    expect(view).toBeInstanceOf(PendingTailIndex);
    expect(view.pending).toMatchObject({ writes: 2, unapplied: 5 });
    const expected = { labels: [rowid('a'), rowid('d'), rowid('b')], distances: [0, 0.25, 50] };
    expect(view.search(new Float32Array([0, 0]), 10)).toEqual(expected);
    expect(view.size).toBe(3);
    writeBatch(mine, cache, [['e', [9, 9]]]);
    expect(view.pending.writes).toBe(3);
    await cache.settled();
    const index = cache.acquire(MODEL)!;
    expect(index).not.toBeInstanceOf(PendingTailIndex);
    expect(index.appliedSeq).toBe(theirs.currentSeq(MODEL.id));
    expect(index.search(new Float32Array([0, 0]), 3)).toEqual(expected);
    expect(index.size).toBe(4);
    mine.close();
    theirs.close();
  });
});
