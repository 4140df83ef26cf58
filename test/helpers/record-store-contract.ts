/** The behaviour every RecordStore must have, written once and run against each implementation. */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import type { RecordStore } from '../../src/engine/ports.js';
import type { CollectionModel } from '../../src/engine/types.js';
import { describeRecordChangesContract } from './record-changes-contract.js';
import { describeRecordFilterContract } from './record-filter-contract.js';
import { expectEngineError, makeCollectionModel, makeRecord } from './record-store-fixtures.js';

/** Registers the RecordStore contract suite; `makeStore` must return a fresh, empty store each call. */
export function describeRecordStoreContract(name: string, makeStore: () => RecordStore): void {
  describe(`RecordStore contract: ${name}`, () => {
    let store: RecordStore;
    const open = (): RecordStore => (store = makeStore());
    const addCollection = (overrides: Partial<CollectionModel> = {}): CollectionModel => {
      const model = makeCollectionModel(overrides);
      store.createCollection(model);
      return model;
    };

    afterEach(() => store?.close());

    describe('tenants and databases', () => {
      it('should start with the default tenant and database', () => {
        open();
        expect(store.getTenant(DEFAULT_TENANT)).toEqual({ name: DEFAULT_TENANT });
        expect(store.getDatabase(DEFAULT_TENANT, DEFAULT_DATABASE)?.name).toBe(DEFAULT_DATABASE);
      });

      it('should reject a duplicate tenant with ALREADY_EXISTS', () => {
        open().createTenant('acme');
        expectEngineError(() => store.createTenant('acme'), 'ALREADY_EXISTS');
      });

      it('should return null for unknown tenants and databases', () => {
        open();
        expect(store.getTenant('nobody')).toBeNull();
        expect(store.getDatabase(DEFAULT_TENANT, 'nothing')).toBeNull();
      });

      it('should reject a duplicate database name within a tenant but allow it in another tenant', () => {
        open().createTenant('acme');
        store.createDatabase('acme', 'db', 'id-1');
        expectEngineError(() => store.createDatabase('acme', 'db', 'id-2'), 'ALREADY_EXISTS');
        store.createTenant('other');
        store.createDatabase('other', 'db', 'id-3');
        expect(store.getDatabase('other', 'db')).toEqual({ id: 'id-3', name: 'db', tenant: 'other' });
      });

      it('should list databases by name with limit and offset, as Chroma does', () => {
        open().createTenant('acme');
        for (const n of ['c', 'a', 'b']) store.createDatabase('acme', n, `id-${n}`);
        expect(store.listDatabases('acme', {}).map((d) => d.name)).toEqual(['a', 'b', 'c']);
        expect(store.listDatabases('acme', { limit: 1, offset: 1 }).map((d) => d.name)).toEqual(['b']);
      });

      it('should keep a database of a tenant never created, the tenant reading as missing until created', () => {
        open();
        store.createDatabase('ghost', 'db', 'id-ghost');
        expect(store.getDatabase('ghost', 'db')).toMatchObject({ name: 'db', tenant: 'ghost' });
        expect(store.getTenant('ghost')).toBeNull();
        store.createTenant('ghost');
        expect(store.getTenant('ghost')).toEqual({ name: 'ghost' });
        expectEngineError(() => store.createTenant('ghost'), 'ALREADY_EXISTS');
        expect(store.getDatabase('ghost', 'db')).not.toBeNull();
      });

      it('should delete a database together with its collections', () => {
        open().createTenant('acme');
        store.createDatabase('acme', 'db', 'id-1');
        const model = addCollection({ tenant: 'acme', database: 'db' });
        store.deleteDatabase('acme', 'db');
        expect(store.getDatabase('acme', 'db')).toBeNull();
        expect(store.getCollectionById(model.id)).toBeNull();
      });
    });

    describe('collections', () => {
      it('should round-trip every field of a collection model', () => {
        open();
        const model = addCollection({
          metadata: { topic: 'cats', n: 2.5, tags: ['a', 'b'], ok: true },
          configuration: { hnsw: { space: 'cosine' }, embedding_function: { name: 'default' } },
          hnsw: { space: 'cosine', efConstruction: 200, efSearch: 50, maxNeighbors: 32 },
          dimension: 384,
          embedding: 'default',
        });
        expect(store.getCollectionById(model.id)).toEqual(model);
        expect(store.getCollection(model.tenant, model.database, model.name)).toEqual(model);
      });

      it('should round-trip a collection schema and patch it', () => {
        open();
        const schema = {
          defaults: {},
          keys: { title: { string: { string_inverted_index: { enabled: false, config: {} } } } },
        };
        const model = addCollection({ schema });
        expect(store.getCollectionById(model.id)?.schema).toEqual(schema);
        store.updateCollection(model.id, { schema: { defaults: {}, keys: {} } });
        expect(store.getCollectionById(model.id)?.schema).toEqual({ defaults: {}, keys: {} });
      });

      it('should reject a taken name with ALREADY_EXISTS and allow it in another database', () => {
        open();
        const model = addCollection();
        expectEngineError(() => addCollection({ name: model.name }), 'ALREADY_EXISTS');
        store.createDatabase(DEFAULT_TENANT, 'second', 'id-second');
        expect(() => addCollection({ name: model.name, database: 'second' })).not.toThrow();
      });

      it('should list collections in creation order, paged, and count them', () => {
        open();
        const names = ['zeta', 'alpha', 'mid'].map((name) => addCollection({ name }).name);
        expect(store.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE, {}).map((c) => c.name)).toEqual(names);
        const page = store.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE, { limit: 2, offset: 1 });
        expect(page.map((c) => c.name)).toEqual(names.slice(1));
        expect(store.countCollections(DEFAULT_TENANT, DEFAULT_DATABASE)).toBe(3);
      });

      it('should apply only the fields present in an update patch', () => {
        open();
        const model = addCollection({ metadata: { a: 1 }, embedding: 'default' });
        store.updateCollection(model.id, { name: 'renamed', metadata: null, dimension: 8 });
        expect(store.getCollectionById(model.id)).toEqual({
          ...model,
          name: 'renamed',
          metadata: null,
          dimension: 8,
        });
      });

      it('should reject renaming onto a taken name with ALREADY_EXISTS and leave the collection unchanged', () => {
        open();
        const first = addCollection();
        const second = addCollection();
        expectEngineError(() => store.updateCollection(second.id, { name: first.name }), 'ALREADY_EXISTS');
        expect(store.getCollectionById(second.id)).toEqual(second);
      });

      it('should delete a collection with all its records', () => {
        open();
        const model = addCollection();
        const other = addCollection();
        store.putRecords(model.id, [makeRecord('a'), makeRecord('b')]);
        const [kept] = store.putRecords(other.id, [makeRecord('a')]);
        store.deleteCollection(model.id);
        expect(store.getCollectionById(model.id)).toBeNull();
        expect(store.count(model.id)).toBe(0);
        expect(store.lookupRowids(model.id, ['a', 'b']).size).toBe(0);
        expect(store.readRecords([kept as number], []).map((r) => r.id)).toEqual(['a']);
      });
    });

    describe('records', () => {
      it('should return distinct rowids in input order and map ids to them', () => {
        open();
        const { id } = addCollection();
        const rowids = store.putRecords(id, [makeRecord('x'), makeRecord('y'), makeRecord('z')]);
        expect(new Set(rowids).size).toBe(3);
        const map = store.lookupRowids(id, ['z', 'missing', 'x']);
        expect([...map.entries()].sort()).toEqual([
          ['x', rowids[0]],
          ['z', rowids[2]],
        ]);
        expect(store.count(id)).toBe(3);
      });

      it('should keep the rowid and replace every field when a record is overwritten', () => {
        open();
        const { id } = addCollection();
        const [rowid] = store.putRecords(id, [makeRecord('x', { metadata: { v: 1 }, uri: 'u1' })]);
        const replacement = makeRecord('x', {
          embedding: new Float32Array([9, 8, 7]),
          document: null,
          metadata: { w: 'two' },
          uri: null,
        });
        expect(store.putRecords(id, [replacement])).toEqual([rowid]);
        const [record] = store.readRecords(
          [rowid as number],
          ['embeddings', 'documents', 'metadatas', 'uris'],
        );
        expect(record).toEqual({ rowid, ...replacement });
        expect(store.count(id)).toBe(1);
        const where = { kind: 'compare', key: 'v', op: '$eq', value: 1 } as const;
        expect(store.selectRowids(id, { where }, {})).toEqual([]);
      });

      it('should read records in the requested order, skipping missing rowids', () => {
        open();
        const { id } = addCollection();
        const [a, b, c] = store.putRecords(id, [makeRecord('a'), makeRecord('b'), makeRecord('c')]);
        const ids = store.readRecords([c, 999_999, a, b] as number[], []).map((r) => r.id);
        expect(ids).toEqual(['c', 'a', 'b']);
      });

      it('should leave fields that are not included null', () => {
        open();
        const { id } = addCollection();
        const input = makeRecord('a', { metadata: { k: 'v' }, uri: 'file:a' });
        const [rowid] = store.putRecords(id, [input]);
        expect(store.readRecords([rowid as number], ['documents'])).toEqual([
          { rowid, id: 'a', embedding: null, document: input.document, metadata: null, uri: null },
        ]);
        const [full] = store.readRecords([rowid as number], ['embeddings', 'metadatas', 'uris']);
        expect(full?.embedding).toBeInstanceOf(Float32Array);
        expect(full).toEqual({ ...input, rowid, document: null });
      });

      it('should not be affected by later changes to the written or read embedding arrays', () => {
        open();
        const { id } = addCollection();
        const input = makeRecord('a', { embedding: new Float32Array([0.5, -1.25, 3]) });
        const [rowid] = store.putRecords(id, [input]);
        input.embedding?.fill(0);
        const first = store.readRecords([rowid as number], ['embeddings'])[0]?.embedding;
        first?.fill(7);
        const second = store.readRecords([rowid as number], ['embeddings'])[0]?.embedding;
        expect(Array.from(second ?? [])).toEqual([0.5, -1.25, 3]);
      });

      it('should delete only the given rowids of the given collection', () => {
        open();
        const one = addCollection();
        const two = addCollection();
        const [a, b] = store.putRecords(one.id, [makeRecord('a'), makeRecord('b')]);
        const [other] = store.putRecords(two.id, [makeRecord('a')]);
        store.deleteRecords(one.id, [a as number, other as number]);
        expect(store.selectRowids(one.id, {}, {})).toEqual([b]);
        expect(store.selectRowids(two.id, {}, {})).toEqual([other]);
      });

      it('should give a re-added id a new rowid after a delete', () => {
        open();
        const { id } = addCollection();
        const [first] = store.putRecords(id, [makeRecord('a')]);
        store.deleteRecords(id, [first as number]);
        const [second] = store.putRecords(id, [makeRecord('a')]);
        expect(second).not.toBe(first);
      });

      it('should handle thousands of ids and rowids in one call', () => {
        open();
        const { id } = addCollection();
        const records = Array.from({ length: 3000 }, (_, i) => makeRecord(`id-${i}`, { embedding: null }));
        const rowids = store.putRecords(id, records);
        const ids = records.map((r) => r.id);
        expect(store.lookupRowids(id, ids).size).toBe(3000);
        expect(store.selectRowids(id, { ids: ids.slice(1000) }, {})).toEqual(rowids.slice(1000));
        const reversed = rowids.slice().reverse();
        expect(store.readRecords(reversed, []).map((r) => r.rowid)).toEqual(reversed);
      });
    });

    describe('selectRowids paging', () => {
      it('should page in insertion order, keeping an overwritten record in its place', () => {
        open();
        const { id } = addCollection();
        const rowids = store.putRecords(
          id,
          ['a', 'b', 'c', 'd', 'e'].map((k) => makeRecord(k)),
        );
        store.putRecords(id, [makeRecord('b', { document: 'new' })]);
        expect(store.selectRowids(id, {}, {})).toEqual(rowids);
        expect(store.selectRowids(id, {}, { limit: 2 })).toEqual(rowids.slice(0, 2));
        expect(store.selectRowids(id, {}, { limit: 2, offset: 3 })).toEqual(rowids.slice(3));
        expect(store.selectRowids(id, {}, { offset: 4 })).toEqual(rowids.slice(4));
        expect(store.selectRowids(id, { ids: [] }, {})).toEqual([]);
      });
    });

    describeRecordFilterContract(() => open());

    describeRecordChangesContract(() => open());
  });
}
