/** The sequence-number, transaction and reset part of the RecordStore contract. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import type { RecordStore } from '../../src/engine/ports.js';
import type { CollectionModel } from '../../src/engine/types.js';
import { makeCollectionModel, makeRecord } from './record-store-fixtures.js';

/** Registers the change-tracking cases; `open` must return a fresh store, which the caller closes. */
export function describeRecordChangesContract(open: () => RecordStore): void {
  let store: RecordStore;
  const addCollection = (overrides: Partial<CollectionModel> = {}): CollectionModel => {
    const model = makeCollectionModel(overrides);
    store.createCollection(model);
    return model;
  };
  const openStore = (): RecordStore => (store = open());

  describe('sequence numbers and changes', () => {
    it('should start a new collection at seq 0 and bump it once per write', () => {
      openStore();
      const { id } = addCollection();
      expect(store.currentSeq(id)).toBe(0);
      const [a] = store.putRecords(id, [makeRecord('a'), makeRecord('b')]);
      expect(store.currentSeq(id)).toBe(1);
      store.deleteRecords(id, [a as number]);
      expect(store.currentSeq(id)).toBe(2);
    });

    it('should bump the seq exactly once for several writes in one transaction', () => {
      openStore();
      const { id } = addCollection();
      const other = addCollection();
      store.transaction(() => {
        const [a] = store.putRecords(id, [makeRecord('a')]);
        store.putRecords(id, [makeRecord('b')]);
        store.deleteRecords(id, [a as number]);
        store.putRecords(other.id, [makeRecord('x')]);
      });
      expect(store.currentSeq(id)).toBe(1);
      expect(store.currentSeq(other.id)).toBe(1);
    });

    it('should report records written and rowids deleted after a seq', () => {
      openStore();
      const { id } = addCollection();
      const [a, b] = store.putRecords(id, [makeRecord('a'), makeRecord('b')]);
      const seen = store.currentSeq(id);
      store.putRecords(id, [makeRecord('b', { embedding: new Float32Array([4, 5, 6]) }), makeRecord('c')]);
      store.deleteRecords(id, [a as number]);
      const changes = store.changesSince(id, seen);
      const c = store.lookupRowids(id, ['c']).get('c');
      expect(changes.upserts.map((u) => u.rowid)).toEqual([b, c]);
      expect(Array.from(changes.upserts[0]?.embedding ?? [])).toEqual([4, 5, 6]);
      expect(changes.deletes).toEqual([a]);
      expect(changes.seq).toBe(store.currentSeq(id));
      expect(changes.rebuild).toBe(false);
    });

    it('should report nothing after the current seq', () => {
      openStore();
      const { id } = addCollection();
      const [a] = store.putRecords(id, [makeRecord('a'), makeRecord('b')]);
      store.deleteRecords(id, [a as number]);
      const changes = store.changesSince(id, store.currentSeq(id));
      expect(changes).toEqual({ upserts: [], deletes: [], seq: store.currentSeq(id), rebuild: false });
    });

    it('should report every current record with its embedding since seq 0', () => {
      openStore();
      const { id } = addCollection();
      const [a, b] = store.putRecords(id, [makeRecord('a'), makeRecord('b', { embedding: null })]);
      const changes = store.changesSince(id, 0);
      expect(changes.upserts).toEqual([
        { rowid: a, embedding: new Float32Array([1, 2, 3]) },
        { rowid: b, embedding: null },
      ]);
    });
  });

  describe('transaction', () => {
    it('should return the value of the function', () => {
      openStore();
      expect(store.transaction(() => 42)).toBe(42);
    });

    it('should roll back every write when the function throws', () => {
      openStore();
      const { id } = addCollection();
      const failure = new Error('boom');
      expect(() =>
        store.transaction(() => {
          store.putRecords(id, [makeRecord('a')]);
          store.createTenant('acme');
          addCollection({ name: 'rolled-back' });
          store.transaction(() => store.deleteCollection(id));
          throw failure;
        }),
      ).toThrow(failure);
      expect(store.count(id)).toBe(0);
      expect(store.currentSeq(id)).toBe(0);
      expect(store.getCollectionById(id)).not.toBeNull();
      expect(store.getTenant('acme')).toBeNull();
      expect(store.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'rolled-back')).toBeNull();
    });

    it('should bump the seq again in the next transaction after a rollback', () => {
      openStore();
      const { id } = addCollection();
      expect(() =>
        store.transaction(() => {
          store.putRecords(id, [makeRecord('a')]);
          throw new Error('boom');
        }),
      ).toThrow();
      store.putRecords(id, [makeRecord('b')]);
      expect(store.currentSeq(id)).toBe(1);
      expect(store.changesSince(id, 0).upserts).toHaveLength(1);
    });
  });

  describe('reset', () => {
    it('should delete everything and recreate the defaults', () => {
      openStore().createTenant('acme');
      const { id } = addCollection();
      store.putRecords(id, [makeRecord('a')]);
      store.reset();
      expect(store.getTenant('acme')).toBeNull();
      expect(store.getCollectionById(id)).toBeNull();
      expect(store.count(id)).toBe(0);
      expect(store.getTenant(DEFAULT_TENANT)).not.toBeNull();
      expect(store.listDatabases(DEFAULT_TENANT, {}).map((d) => d.name)).toEqual([DEFAULT_DATABASE]);
      expect(store.countCollections(DEFAULT_TENANT, DEFAULT_DATABASE)).toBe(0);
    });
  });
}
