/**
 * What a Chroma 1.x client can observe, written once and run against kbgate and, when `KBGATE_TEST_CHROMA_URL` is
 * set, against a real Chroma server with the same expectations (issue 13). kbgate's deliberate differences are
 * tested at the end, against kbgate only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromaCaller, chromaTargets, uniqueName } from '../helpers/chroma-targets.js';

/** A `schema` as chromadb 3.5's `new Schema()` + `createIndex(new VectorIndexConfig({space, embeddingFunction}))` sends it. */
function clientSchema(space: string, embeddingFunction: Record<string, unknown>): Record<string, unknown> {
  const off = { enabled: false, config: {} };
  const on = { enabled: true, config: {} };
  const vector = { embedding_function: embeddingFunction, space };
  return {
    defaults: {
      string: { fts_index: off, string_inverted_index: on },
      float_list: { vector_index: { enabled: false, config: vector } },
      sparse_vector: {
        sparse_vector_index: { enabled: false, config: { embedding_function: { type: 'legacy' } } },
      },
      int: { int_inverted_index: on },
      float: { float_inverted_index: on },
      bool: { bool_inverted_index: on },
    },
    keys: {
      '#document': { string: { fts_index: on, string_inverted_index: off } },
      '#embedding': {
        float_list: { vector_index: { enabled: true, config: { ...vector, source_key: '#document' } } },
      },
    },
  };
}

const KNOWN_EF = { type: 'known', name: 'default_space_custom_ef', config: { space: 'cosine', dim: 3 } };
const DEFAULT_HNSW = {
  space: 'l2',
  ef_construction: 100,
  ef_search: 100,
  max_neighbors: 16,
  resize_factor: 1.2,
  sync_threshold: 1000,
};

describe.each(chromaTargets())('Chroma 1.x parity: $name', (target) => {
  let c: ChromaCaller;

  beforeAll(async () => {
    c = new ChromaCaller(await target.start());
  });
  afterAll(() => target.stop());

  /** A collection holding four records: two documents, an empty one and none. */
  async function seeded(): Promise<string> {
    const { path } = await c.freshCollection();
    const add = await c.call('POST', `${path}/add`, {
      ids: ['a', 'b', 'c', 'd'],
      embeddings: [
        [0.1, 0.2],
        [3e10, 1],
        [1, 1],
        [0.5, 0.5],
      ],
      documents: ['Hello World', 'hello there\nsecond line', null, ''],
      metadatas: [{ k: 1 }, { k: 2, s: 'x' }, null, { tags: [1, 2] }],
    });
    expect(add.status).toBe(201);
    return path;
  }

  async function idsOf(path: string, filter: Record<string, unknown>): Promise<string[]> {
    const res = await c.call('POST', `${path}/get`, { ...filter, include: [] });
    expect(res.status, res.text).toBe(200);
    return res.body.ids as string[];
  }

  describe('collection JSON and configuration', () => {
    it('should return every configuration_json key with Chroma defaults and a schema, on create, get and list', async () => {
      const collections = await c.freshDatabase();
      const created = await c.call('POST', collections, { name: 'plain' });
      expect(created.status).toBe(200);
      const expected = { hnsw: DEFAULT_HNSW, spann: null, embedding_function: null };
      expect(created.body.configuration_json).toEqual(expected);
      const embedding = created.body.schema.keys['#embedding'].float_list.vector_index;
      expect(embedding).toMatchObject({ enabled: true, config: { space: 'l2', source_key: '#document' } });
      expect(Object.keys(created.body.schema.defaults).sort()).toEqual(
        ['bool', 'float', 'float_list', 'int', 'sparse_vector', 'string'].sort(),
      );
      const got = await c.call('GET', `${collections}/plain`);
      expect(got.body.configuration_json).toEqual(expected);
      expect(got.body.schema).toEqual(created.body.schema);
      const listed = await c.call('GET', collections);
      expect(listed.body[0].configuration_json).toEqual(expected);
    });

    it('should take the space and embedding function from a schema sent with an empty configuration', async () => {
      const collections = await c.freshDatabase();
      const body = { name: 'schemed', configuration: {}, schema: clientSchema('cosine', KNOWN_EF) };
      const created = await c.call('POST', collections, body);
      expect(created.status, created.text).toBe(200);
      expect(created.body.configuration_json.embedding_function).toEqual(KNOWN_EF);
      expect(created.body.configuration_json.hnsw).toEqual({ ...DEFAULT_HNSW, space: 'cosine' });
      const config = created.body.schema.keys['#embedding'].float_list.vector_index.config;
      expect(config).toMatchObject({
        space: 'cosine',
        embedding_function: KNOWN_EF,
        source_key: '#document',
      });
      expect(config.hnsw).toMatchObject({ ef_construction: 100, ef_search: 100, max_neighbors: 16 });
      const got = await c.call('GET', `${collections}/schemed`);
      expect(got.body.schema).toEqual(created.body.schema);
      const path = `${collections}/${created.body.id as string}`;
      await c.call('POST', `${path}/add`, {
        ids: ['x', 'y'],
        embeddings: [
          [1, 0],
          [0, 2],
        ],
      });
      const hits = await c.call('POST', `${path}/query`, {
        query_embeddings: [[0, 1]],
        n_results: 2,
        include: ['distances'],
      });
      expect(hits.body.ids).toEqual([['y', 'x']]);
      expect(hits.body.distances[0][0]).toBeCloseTo(0, 5);
      expect(hits.body.distances[0][1]).toBeCloseTo(1, 5);
    });

    it('should record the legacy embedding function of a schema built without one', async () => {
      const collections = await c.freshDatabase();
      const created = await c.call('POST', collections, {
        name: 'legacy',
        schema: clientSchema('l2', { type: 'legacy' }),
      });
      expect(created.status).toBe(200);
      expect(created.body.configuration_json.embedding_function).toEqual({ type: 'legacy' });
    });

    it('should reject a schema beside a non-default configuration, and vector indexes off #embedding', async () => {
      const collections = await c.freshDatabase();
      const both = {
        name: 'both',
        configuration: { hnsw: { space: 'ip' } },
        schema: clientSchema('cosine', KNOWN_EF),
      };
      expect((await c.call('POST', collections, both)).status).toBe(400);
      const vector = { enabled: true, config: {} };
      const offKey = {
        name: 'offkey',
        schema: { defaults: {}, keys: { title: { float_list: { vector_index: vector } } } },
      };
      expect((await c.call('POST', collections, offKey)).status).toBe(400);
      expect((await c.call('GET', `${collections}/both`)).status).toBe(404);
    });

    it('should learn metadata keys and value types into the schema as records are written', async () => {
      const title = { string: { string_inverted_index: { enabled: false, config: {} } } };
      const { path, json } = await c.freshCollection({ schema: { defaults: {}, keys: { title } } });
      const add = await c.call('POST', `${path}/add`, {
        ids: ['a'],
        embeddings: [[1]],
        metadatas: [{ title: 1, f: 1.5, b: true, tags: ['x'], 'chroma:internal': 1 }],
      });
      expect(add.status).toBe(201);
      await c.call('POST', `${path}/upsert`, { ids: ['b'], embeddings: [[2]], metadatas: [{ v: 'z' }] });
      const collections = path.slice(0, path.lastIndexOf('/'));
      const { keys } = (await c.call('GET', `${collections}/${json.name as string}`)).body.schema;
      expect(keys.title).toEqual({ ...title, int: { int_inverted_index: { enabled: true, config: {} } } });
      expect(keys.f).toEqual({ float: { float_inverted_index: { enabled: true, config: {} } } });
      expect(keys.b).toEqual({ bool: { bool_inverted_index: { enabled: true, config: {} } } });
      const string = {
        fts_index: { enabled: false, config: {} },
        string_inverted_index: { enabled: true, config: {} },
      };
      expect(keys.tags).toEqual({ string });
      expect(keys.v).toEqual({ string });
      expect(keys['chroma:internal']).toBeUndefined();
    });

    it('should refuse filters on indexes the schema disables', async () => {
      const off = { enabled: false, config: {} };
      const schema = {
        defaults: { float: { float_inverted_index: off } },
        keys: {
          title: { string: { string_inverted_index: off } },
          '#document': { string: { fts_index: off } },
        },
      };
      const { path } = await c.freshCollection({ schema });
      await c.call('POST', `${path}/add`, {
        ids: ['a'],
        embeddings: [[1]],
        documents: ['hello'],
        metadatas: [{ title: 't', f: 1.5, n: 1 }],
      });
      for (const filter of [
        { where: { title: 't' } },
        { where: { f: { $gt: 1.2 } } },
        { where: { $or: [{ n: 1 }, { title: { $in: ['t'] } }] } },
        { where_document: { $contains: 'hell' } },
        { where: { '#document': { $regex: 'h' } } },
      ]) {
        expect((await c.call('POST', `${path}/get`, filter)).status, JSON.stringify(filter)).toBe(400);
      }
      expect(await idsOf(path, { where: { n: 1 } })).toEqual(['a']);
      expect(await idsOf(path, { where: { f: 1 } })).toEqual([]);
      expect((await c.call('POST', `${path}/delete`, { where: { title: 'zz' } })).status).toBe(400);
    });

    it('should create a database in a tenant that was never created, and use it', async () => {
      const tenant = uniqueName('tenant');
      const collections = await c.freshDatabase(tenant);
      const created = await c.call('POST', collections, { name: 'works' });
      expect(created.status).toBe(200);
      expect(created.body.tenant).toBe(tenant);
      expect((await c.call('GET', collections)).body).toHaveLength(1);
      expect((await c.call('GET', `/api/v2/tenants/${tenant}`)).status).toBe(404);
      expect((await c.call('GET', `/api/v2/tenants/${uniqueName('none')}/databases`)).body).toEqual([]);
    });

    it.each(['ab', 'a b c', '-abc', 'abc-', 'a..b', '1.2.3.4', 'a+b', 'x'.repeat(513)])(
      'should reject the database name %j',
      async (name) => {
        expect((await c.call('POST', '/api/v2/tenants/default_tenant/databases', { name })).status).toBe(400);
      },
    );

    it('should accept a database name with a topology prefix and reject short names in paths', async () => {
      const name = `${uniqueName('topo')}+docs`;
      expect((await c.call('POST', '/api/v2/tenants/default_tenant/databases', { name })).status).toBe(200);
      expect(
        (await c.call('GET', `/api/v2/tenants/default_tenant/databases/${encodeURIComponent(name)}`)).status,
      ).toBe(200);
      expect((await c.call('GET', '/api/v2/tenants/default_tenant/databases/ab')).status).toBe(400);
    });

    it('should reject empty collection metadata on create and on modify, keeping the metadata', async () => {
      const collections = await c.freshDatabase();
      expect((await c.call('POST', collections, { name: 'empty', metadata: {} })).status).toBe(400);
      const created = await c.call('POST', collections, { name: 'kept', metadata: { a: 1 } });
      const path = `${collections}/${created.body.id as string}`;
      expect((await c.call('PUT', path, { new_metadata: {} })).status).toBe(400);
      expect((await c.call('GET', `${collections}/kept`)).body.metadata).toEqual({ a: 1 });
      expect((await c.call('PUT', path, { new_metadata: { b: 2 } })).status).toBe(200);
      expect((await c.call('GET', `${collections}/kept`)).body.metadata).toEqual({ b: 2 });
    });

    it('should update ef_search and the embedding function through modify, and reject the space', async () => {
      const { path, json } = await c.freshCollection();
      const collections = path.slice(0, path.lastIndexOf('/'));
      const ef = { type: 'known', name: 'openai', config: { model_name: 'x' } };
      expect(
        (await c.call('PUT', path, { new_configuration: { hnsw: { ef_search: 7 }, embedding_function: ef } }))
          .status,
      ).toBe(200);
      const got = await c.call('GET', `${collections}/${json.name as string}`);
      expect(got.body.configuration_json).toEqual({
        hnsw: { ...DEFAULT_HNSW, ef_search: 7 },
        spann: null,
        embedding_function: ef,
      });
      expect(got.body.schema.keys['#embedding'].float_list.vector_index.config.hnsw.ef_search).toBe(7);
      const space = await c.call('PUT', path, { new_configuration: { hnsw: { space: 'ip' } } });
      expect(space.status).toBeGreaterThanOrEqual(400);
      expect(space.status).toBeLessThan(500);
    });
  });

  describe('filters', () => {
    it('should read $regex in Rust syntax: inline flags, named groups, Unicode classes', async () => {
      const path = await seeded();
      expect(await idsOf(path, { where_document: { $regex: '(?i)^hello' } })).toEqual(['a', 'b']);
      expect(await idsOf(path, { where_document: { $regex: '(?m)^second' } })).toEqual(['b']);
      expect(await idsOf(path, { where_document: { $regex: 'there.second' } })).toEqual([]);
      expect(await idsOf(path, { where_document: { $regex: '(?s)there.second' } })).toEqual(['b']);
      expect(await idsOf(path, { where_document: { $regex: '(?P<w>World)' } })).toEqual(['a']);
      expect(await idsOf(path, { where_document: { $not_regex: '(?i)hello' } })).toEqual(['c', 'd']);
      const bad = await c.call('POST', `${path}/get`, { where_document: { $regex: 'a(?=b)' } });
      expect(bad.status).toBe(400);
    });

    it('should answer a catastrophic-backtracking pattern over a long document quickly, serving other requests', async () => {
      const { path } = await c.freshCollection();
      const long = `${'a'.repeat(200_000)}!`;
      await c.call('POST', `${path}/add`, {
        ids: ['long', 'short'],
        embeddings: [[1], [2]],
        documents: [long, 'aaa'],
      });
      let heartbeats = 0;
      let slowest = 0;
      let running = true;
      const beating = (async () => {
        while (running) {
          const started = performance.now();
          await c.call('GET', '/api/v2/heartbeat');
          slowest = Math.max(slowest, performance.now() - started);
          heartbeats += 1;
        }
      })();
      const started = performance.now();
      const found = await idsOf(path, { where_document: { $regex: '(a+)+$' } });
      const elapsed = performance.now() - started;
      running = false;
      await beating;
      expect(found).toEqual(['short']);
      expect(elapsed).toBeLessThan(2_000);
      expect(heartbeats).toBeGreaterThan(0);
      expect(slowest).toBeLessThan(2_000);
    });

    it('should match every record with a document for $contains "" and only those without for $not_contains ""', async () => {
      const path = await seeded();
      expect(await idsOf(path, { where_document: { $contains: '' } })).toEqual(['a', 'b', 'd']);
      expect(await idsOf(path, { where_document: { $not_contains: '' } })).toEqual(['c']);
      expect(await idsOf(path, { where_document: { $regex: '' } })).toEqual(['a', 'b', 'd']);
    });

    it('should reject where {} and where_document {}, match all for $and [] and nothing for $or []', async () => {
      const path = await seeded();
      expect((await c.call('POST', `${path}/get`, { where: {} })).status).toBe(400);
      expect((await c.call('POST', `${path}/get`, { where_document: {} })).status).toBe(400);
      expect(await idsOf(path, { where: { $and: [] } })).toEqual(['a', 'b', 'c', 'd']);
      expect(await idsOf(path, { where: { $or: [] } })).toEqual([]);
      expect(await idsOf(path, { where_document: { $and: [] } })).toEqual(['a', 'b', 'c', 'd']);
      expect(await idsOf(path, { where_document: { $or: [] } })).toEqual([]);
    });

    it('should test the document under the #document key of where', async () => {
      const path = await seeded();
      expect(await idsOf(path, { where: { '#document': { $contains: 'there' } } })).toEqual(['b']);
      expect(
        await idsOf(path, { where: { $or: [{ k: 1 }, { '#document': { $regex: 'second' } }] } }),
      ).toEqual(['a', 'b']);
    });
  });

  describe('records', () => {
    it('should return empty result lists for n_results 0 and for an empty query_embeddings', async () => {
      const path = await seeded();
      const none = await c.call('POST', `${path}/query`, { query_embeddings: [[0.1, 0.2]], n_results: 0 });
      expect(none.status).toBe(200);
      expect(none.body).toMatchObject({ ids: [[]], documents: [[]], metadatas: [[]], distances: [[]] });
      const empty = await c.call('POST', `${path}/query`, { query_embeddings: [] });
      expect(empty.status).toBe(200);
      expect(empty.body).toMatchObject({ ids: [], distances: [] });
    });

    it('should answer 422 for a query without query_embeddings', async () => {
      const path = await seeded();
      expect((await c.call('POST', `${path}/query`, { n_results: 2 })).status).toBe(422);
      expect((await c.call('POST', `${path}/query`, { query_embeddings: null })).status).toBe(422);
    });

    it('should accept include ["distances"] on get and return ids only', async () => {
      const path = await seeded();
      const res = await c.call('POST', `${path}/get`, { include: ['distances'] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ids: ['a', 'b', 'c', 'd'],
        embeddings: null,
        documents: null,
        metadatas: null,
        uris: null,
        include: ['distances'],
      });
    });

    it('should take add, upsert and update with empty lists as no-ops', async () => {
      const path = await seeded();
      expect((await c.call('POST', `${path}/add`, { ids: [], embeddings: [] })).status).toBe(201);
      expect((await c.call('POST', `${path}/upsert`, { ids: [], embeddings: [] })).status).toBe(200);
      expect((await c.call('POST', `${path}/update`, { ids: [] })).status).toBe(200);
      expect((await c.call('GET', `${path}/count`)).body).toBe(4);
    });

    it('should remove a metadata key set to null by upsert or update', async () => {
      const path = await seeded();
      const upsert = await c.call('POST', `${path}/upsert`, {
        ids: ['b'],
        embeddings: [[1, 1]],
        metadatas: [{ s: null, n: 5 }],
      });
      expect(upsert.status).toBe(200);
      const afterUpsert = await c.call('POST', `${path}/get`, { ids: ['b'], include: ['metadatas'] });
      expect(afterUpsert.body.metadatas).toEqual([{ k: 2, n: 5 }]);
      expect((await c.call('POST', `${path}/update`, { ids: ['b'], metadatas: [{ n: null }] })).status).toBe(
        200,
      );
      const afterUpdate = await c.call('POST', `${path}/get`, { ids: ['b'], include: ['metadatas'] });
      expect(afterUpdate.body.metadatas).toEqual([{ k: 2 }]);
    });

    it('should drop empty metadata lists on add and remove the key on update', async () => {
      const path = await seeded();
      await c.call('POST', `${path}/add`, { ids: ['e'], embeddings: [[1, 2]], metadatas: [{ x: [], y: 1 }] });
      expect(
        (await c.call('POST', `${path}/get`, { ids: ['e'], include: ['metadatas'] })).body.metadatas,
      ).toEqual([{ y: 1 }]);
      await c.call('POST', `${path}/update`, { ids: ['e'], metadatas: [{ y: [] }] });
      expect(
        (await c.call('POST', `${path}/get`, { ids: ['e'], include: ['metadatas'] })).body.metadatas,
      ).toEqual([null]);
    });

    it('should print embeddings as the shortest decimals of their float32 values', async () => {
      const path = await seeded();
      const res = await c.call('POST', `${path}/get`, { ids: ['a', 'b'], include: ['embeddings'] });
      expect(res.body.embeddings).toEqual([
        [0.1, 0.2],
        [3e10, 1],
      ]);
      expect(res.text).not.toContain('0.10000000149011612');
      expect(res.text).not.toContain('30000001024');
      const hits = await c.call('POST', `${path}/query`, {
        query_embeddings: [[0.1, 0.2]],
        n_results: 1,
        include: ['embeddings'],
      });
      expect(hits.body.embeddings).toEqual([[[0.1, 0.2]]]);
    });

    it('should reject metadata keys starting with # or $', async () => {
      const path = await seeded();
      for (const key of ['#x', '$x']) {
        const res = await c.call('POST', `${path}/add`, {
          ids: ['z'],
          embeddings: [[1, 2]],
          metadatas: [{ [key]: 1 }],
        });
        expect(res.status).toBe(400);
      }
    });

    it('should delete nothing without ids or filters, and reject an empty id list alone', async () => {
      const path = await seeded();
      expect(await c.call('POST', `${path}/delete`, {})).toMatchObject({ status: 200, body: { deleted: 0 } });
      expect((await c.call('POST', `${path}/delete`, { ids: [] })).status).toBe(400);
      expect((await c.call('GET', `${path}/count`)).body).toBe(4);
    });

    it('should answer 400 for a collection id that is not a UUID', async () => {
      const collections = await c.freshDatabase();
      expect((await c.call('POST', `${collections}/not-a-uuid/get`, {})).status).toBe(400);
    });
  });
});

describe('kbgate: deliberate differences from Chroma 1.x', () => {
  const [kbgate] = chromaTargets();
  let c: ChromaCaller;

  beforeAll(async () => {
    c = new ChromaCaller(await kbgate!.start());
  });
  afterAll(() => kbgate!.stop());

  it('should reject duplicate ids within one request (Chroma keeps one of them)', async () => {
    const { path } = await c.freshCollection();
    const res = await c.call('POST', `${path}/add`, { ids: ['a', 'a'], embeddings: [[1], [2]] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
  });

  it('should answer 404 for a query restricted to unknown ids (Chroma answers 500)', async () => {
    const { path } = await c.freshCollection();
    await c.call('POST', `${path}/add`, { ids: ['a'], embeddings: [[1]] });
    expect(
      (await c.call('POST', `${path}/query`, { query_embeddings: [[1]], ids: ['a', 'zz'] })).status,
    ).toBe(404);
  });

  it('should count only the records it deleted (Chroma counts every id asked for)', async () => {
    const { path } = await c.freshCollection();
    await c.call('POST', `${path}/add`, { ids: ['a'], embeddings: [[1]] });
    expect((await c.call('POST', `${path}/delete`, { ids: ['a', 'zz'] })).body).toEqual({ deleted: 1 });
  });

  it('should reject max_neighbors 0, which stops Chroma altogether on the first add', async () => {
    const collections = await c.freshDatabase();
    const res = await c.call('POST', collections, {
      name: 'm0',
      configuration: { hnsw: { max_neighbors: 0 } },
    });
    expect(res.status).toBe(400);
  });

  it('should accept lists in collection metadata (Chroma drops the connection)', async () => {
    const collections = await c.freshDatabase();
    const res = await c.call('POST', collections, { name: 'tagged', metadata: { tags: ['a', 'b'] } });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toEqual({ tags: ['a', 'b'] });
  });

  it('should compare integers and floats by value (Chroma truncates float operands against integers)', async () => {
    const { path } = await c.freshCollection();
    const metadatas = [{ n: 2 }, { n: 3 }, { n: [100, 2.5] }];
    await c.call('POST', `${path}/add`, {
      ids: ['two', 'three', 'list'],
      embeddings: [[1], [2], [3]],
      metadatas,
    });
    const ids = async (where: unknown) =>
      (await c.call('POST', `${path}/get`, { where, include: [] })).body.ids;
    expect(await ids({ n: { $lt: 2.5 } })).toEqual(['two']);
    expect(await ids({ n: { $eq: 2.5 } })).toEqual([]);
    expect(await ids({ n: { $contains: 100 } })).toEqual(['list']);
    expect(await ids({ n: { $in: [3, 2.5] } })).toEqual(['three']);
  });

  it('should list collections in creation order (Chroma orders them by their random ids)', async () => {
    const collections = await c.freshDatabase();
    for (const name of ['zzz', 'aaa', 'mmm']) await c.call('POST', collections, { name });
    expect((await c.call('GET', collections)).body.map((col: { name: string }) => col.name)).toEqual([
      'zzz',
      'aaa',
      'mmm',
    ]);
  });
});
