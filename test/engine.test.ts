import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EphemeralClient, PersistentClient, type Collection } from '../src/client.js';
import { EngineError, type ErrorCode } from '../src/engine/errors.js';
import { CLIENT_KINDS, makeTempDir, type ClientUnderTest } from './helpers/clients.js';

async function expectCode(
  promise: Promise<unknown> | (() => unknown),
  code: ErrorCode,
): Promise<EngineError> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  return error as EngineError;
}

for (const kind of CLIENT_KINDS) {
  describe(`${kind.name}`, () => {
    let sut: ClientUnderTest;
    beforeEach(() => {
      sut = kind.make();
    });
    afterEach(() => sut.dispose());

    describe('collections', () => {
      it('should answer a heartbeat in nanoseconds', async () => {
        const beat = await sut.client.heartbeat();
        expect(beat).toBeGreaterThan(Date.now() * 1e6 - 60e9 * 1e6);
      });

      it('should create, get, list, count and delete collections', async () => {
        await sut.client.createCollection({ name: 'alpha', metadata: { owner: 'me' } });
        await sut.client.createCollection({ name: 'beta' });
        const got = await sut.client.getCollection({ name: 'alpha' });
        expect(got.metadata).toEqual({ owner: 'me' });
        expect((await sut.client.listCollections()).map((c) => c.name)).toEqual(['alpha', 'beta']);
        expect((await sut.client.listCollections({ limit: 1, offset: 1 })).map((c) => c.name)).toEqual([
          'beta',
        ]);
        expect(await sut.client.countCollections()).toBe(2);
        await sut.client.deleteCollection({ name: 'alpha' });
        await expectCode(sut.client.getCollection({ name: 'alpha' }), 'NOT_FOUND');
        expect(await sut.client.countCollections()).toBe(1);
      });

      it('should reject an existing name with ALREADY_EXISTS and return it from getOrCreate', async () => {
        const first = await sut.client.createCollection({ name: 'docs' });
        await expectCode(sut.client.createCollection({ name: 'docs' }), 'ALREADY_EXISTS');
        const again = await sut.client.getOrCreateCollection({ name: 'docs' });
        expect(again.id).toBe(first.id);
      });

      it.each(['ab', 'a'.repeat(513), '-abc', 'abc-', 'a..b', 'has space', '192.168.1.1', 'ünï'])(
        'should reject the invalid name %j with INVALID_ARGUMENT',
        async (name) => {
          const err = await expectCode(sut.client.createCollection({ name }), 'INVALID_ARGUMENT');
          expect(err.message).toMatch(/Invalid collection name/);
        },
      );

      it('should accept names at the edges of the rules', async () => {
        for (const name of ['abc', 'a'.repeat(512), 'a.b-c_d', '1.2.3']) {
          await expect(sut.client.createCollection({ name })).resolves.toBeDefined();
        }
      });

      it('should rename a collection and refuse to rename onto a taken name', async () => {
        const alpha = await sut.client.createCollection({ name: 'alpha' });
        await sut.client.createCollection({ name: 'beta' });
        await expectCode(alpha.modify({ name: 'beta' }), 'ALREADY_EXISTS');
        await alpha.modify({ name: 'gamma', metadata: { v: 2 } });
        expect(alpha.name).toBe('gamma');
        expect((await sut.client.getCollection({ name: 'gamma' })).metadata).toEqual({ v: 2 });
      });

      it('should take the space and embedding function from a schema, and report every configuration key', async () => {
        const ef = { type: 'known', name: 'custom', config: { dim: 2 } };
        const vector = { space: 'cosine', embedding_function: ef };
        const schema = {
          defaults: { float_list: { vector_index: { enabled: false, config: vector } } },
          keys: { '#embedding': { float_list: { vector_index: { enabled: true, config: vector } } } },
        };
        const c = await sut.client.createCollection({ name: 'schemed', schema });
        expect(c.configuration).toMatchObject({ hnsw: { space: 'cosine', resize_factor: 1.2 }, spann: null });
        expect(c.configuration['embedding_function']).toEqual(ef);
        expect(c.schema.keys['#document']?.string?.fts_index?.enabled).toBe(true);
        await c.add({
          ids: ['x', 'y'],
          embeddings: [
            [1, 0],
            [0, 2],
          ],
        });
        const hits = await c.query({ queryEmbeddings: [[0, 1]], nResults: 1 });
        expect(hits.distances?.[0]?.[0]).toBeCloseTo(0, 5);
        const plain = await sut.client.createCollection({ name: 'plain' });
        expect(plain.configuration['embedding_function']).toBeNull();
        await expectCode(
          sut.client.createCollection({ name: 'both', schema, configuration: { hnsw: { space: 'ip' } } }),
          'INVALID_ARGUMENT',
        );
      });

      it('should take the index from a non-default configuration over legacy metadata, and allow changing ef_search', async () => {
        const c = await sut.client.createCollection({
          name: 'spaces',
          metadata: { 'hnsw:space': 'ip', 'hnsw:M': 8 },
          configuration: { hnsw: { space: 'cosine' } },
        });
        expect(c.configuration['hnsw']).toMatchObject({ space: 'cosine', max_neighbors: 16, ef_search: 100 });
        await c.modify({ configuration: { hnsw: { ef_search: 50 } } });
        expect(c.configuration['hnsw']).toMatchObject({ ef_search: 50, space: 'cosine' });
        await expectCode(c.modify({ configuration: { hnsw: { space: 'l2' } } as never }), 'INVALID_ARGUMENT');
        await c.modify({ metadata: { 'hnsw:space': 'l2' } });
        expect(c.configuration['hnsw']).toMatchObject({ space: 'cosine' });
        const legacy = await sut.client.createCollection({
          name: 'legacy',
          metadata: { 'hnsw:space': 'ip' },
        });
        expect(legacy.configuration['hnsw']).toMatchObject({ space: 'ip' });
        await expectCode(
          sut.client.createCollection({ name: 'badspace', configuration: { hnsw: { space: 'manhattan' } } }),
          'INVALID_ARGUMENT',
        );
      });
    });

    describe('records', () => {
      let col: Collection;
      beforeEach(async () => {
        col = await sut.client.createCollection({ name: 'records' });
      });

      it('should add records and get them back in insertion order with include', async () => {
        await col.add({
          ids: ['b', 'a', 'c'],
          embeddings: [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          documents: ['doc b', 'doc a', null],
          metadatas: [{ n: 1 }, null, { tags: ['x', 'y'] }],
          uris: ['u://b', null, null],
        });
        const all = await col.get({ include: ['documents', 'metadatas', 'embeddings', 'uris'] });
        expect(all.ids).toEqual(['b', 'a', 'c']);
        expect(all.documents).toEqual(['doc b', 'doc a', null]);
        expect(all.metadatas).toEqual([{ n: 1 }, null, { tags: ['x', 'y'] }]);
        expect(all.embeddings).toEqual([
          [1, 0],
          [0, 1],
          [1, 1],
        ]);
        expect(all.uris).toEqual(['u://b', null, null]);
        const page = await col.get({ limit: 1, offset: 1 });
        expect(page.ids).toEqual(['a']);
        expect(page.embeddings).toBeNull();
        expect(page.include).toEqual(['documents', 'metadatas']);
        expect(await col.count()).toBe(3);
      });

      it('should keep the first write when add meets an existing id', async () => {
        await col.add({ ids: ['a'], embeddings: [[1, 2]], documents: ['first'] });
        await col.add({
          ids: ['a', 'b'],
          embeddings: [
            [3, 4],
            [5, 6],
          ],
          documents: ['second', 'other'],
        });
        const got = await col.get({ ids: ['a', 'b'] });
        expect(got.documents).toEqual(['first', 'other']);
      });

      it('should reject duplicate ids inside one call and write nothing', async () => {
        await expectCode(col.add({ ids: ['a', 'a'], embeddings: [[1], [2]] }), 'INVALID_ARGUMENT');
        expect(await col.count()).toBe(0);
      });

      it('should fix the dimension on the first write and reject mismatches', async () => {
        await col.add({ ids: ['a'], embeddings: [[1, 2, 3]] });
        await expectCode(col.add({ ids: ['b'], embeddings: [[1, 2]] }), 'INVALID_ARGUMENT');
        await expectCode(col.query({ queryEmbeddings: [[1, 2]] }), 'INVALID_ARGUMENT');
        await expectCode(
          col.add({
            ids: ['c', 'd'],
            embeddings: [
              [1, 2, 3],
              [1, 2],
            ],
          }),
          'INVALID_ARGUMENT',
        );
        expect(await col.count()).toBe(1);
      });

      it('should reject NaN, infinite and non-numeric embedding values', async () => {
        await expectCode(col.add({ ids: ['a'], embeddings: [[NaN, 1]] }), 'INVALID_ARGUMENT');
        await expectCode(col.add({ ids: ['a'], embeddings: [[Infinity, 1]] }), 'INVALID_ARGUMENT');
        await expectCode(col.add({ ids: ['a'], embeddings: [['1' as never, 1]] }), 'INVALID_ARGUMENT');
        await expectCode(col.add({ ids: ['a'], embeddings: [[1e39, 1]] }), 'INVALID_ARGUMENT');
      });

      it('should reject nested metadata, mixed arrays and mismatched lengths', async () => {
        await expectCode(
          col.add({ ids: ['a'], embeddings: [[1]], metadatas: [{ x: { y: 1 } as never }] }),
          'INVALID_ARGUMENT',
        );
        await expectCode(
          col.add({ ids: ['a'], embeddings: [[1]], metadatas: [{ x: [1, 'a'] as never }] }),
          'INVALID_ARGUMENT',
        );
        await expectCode(col.add({ ids: ['a', 'b'], embeddings: [[1]] }), 'INVALID_ARGUMENT');
        await expectCode(col.add({ ids: [''], embeddings: [[1]] }), 'INVALID_ARGUMENT');
        await col.add({ ids: [], embeddings: [] });
        expect(await col.count()).toBe(0);
      });

      it('should merge metadata on update, remove keys set to null, and ignore missing ids', async () => {
        await col.add({
          ids: ['a'],
          embeddings: [[1, 0]],
          metadatas: [{ keep: 1, drop: 'x' }],
          documents: ['d'],
        });
        await col.update({ ids: ['a', 'ghost'], metadatas: [{ drop: null, added: true }, { z: 1 }] });
        const got = await col.get({ include: ['metadatas', 'documents', 'embeddings'] });
        expect(got.ids).toEqual(['a']);
        expect(got.metadatas).toEqual([{ keep: 1, added: true }]);
        expect(got.documents).toEqual(['d']);
        await col.update({ ids: ['a'], embeddings: [[0, 1]] });
        const moved = await col.query({ queryEmbeddings: [[0, 1]], nResults: 1 });
        expect(moved.distances?.[0]?.[0]).toBeCloseTo(0);
      });

      it('should insert new records and update existing ones on upsert', async () => {
        await col.add({ ids: ['a'], embeddings: [[1, 0]], metadatas: [{ k: 1, j: 2 }], documents: ['old'] });
        await col.upsert({
          ids: ['a', 'b'],
          embeddings: [
            [0, 1],
            [1, 1],
          ],
          metadatas: [{ k: 5 }, { k: 6 }],
          documents: ['new', 'fresh'],
        });
        const got = await col.get({ include: ['metadatas', 'documents'] });
        expect(got.ids).toEqual(['a', 'b']);
        expect(got.documents).toEqual(['new', 'fresh']);
        expect(got.metadatas).toEqual([{ k: 5, j: 2 }, { k: 6 }]);
      });

      it('should delete by ids and by filters, and demand at least one of them', async () => {
        await col.add({
          ids: ['a', 'b', 'c'],
          embeddings: [[1], [2], [3]],
          metadatas: [{ g: 'x' }, { g: 'y' }, { g: 'x' }],
          documents: ['apple', 'banana', 'cherry'],
        });
        expect(await sut.client.engine.delete(col.id, { ids: ['a', 'zz'] })).toBe(1);
        await col.delete({ where: { g: 'y' } });
        expect((await col.get()).ids).toEqual(['c']);
        await col.add({ ids: ['d', 'e'], embeddings: [[4], [5]], metadatas: [{ g: 'x' }, { g: 'x' }] });
        expect(await sut.client.engine.delete(col.id, { where: { g: 'x' }, limit: 2 })).toBe(2);
        expect((await col.get()).ids).toEqual(['e']);
        await col.delete({ whereDocument: { $contains: 'cherry' } });
        await col.delete({ ids: ['e'] });
        expect(await col.count()).toBe(0);
        await col.add({ ids: ['f'], embeddings: [[6]] });
        expect(await sut.client.engine.delete(col.id, {})).toBe(0);
        await expectCode(col.delete({ ids: [] }), 'INVALID_ARGUMENT');
        expect(await col.count()).toBe(1);
      });

      it('should filter get by where and whereDocument', async () => {
        await col.add({
          ids: ['1', '2', '3', '4'],
          embeddings: [[1], [2], [3], [4]],
          metadatas: [
            { year: 2020, tag: ['a'] },
            { year: 2021 },
            { year: 2022, tag: ['b'] },
            { other: true },
          ],
          documents: ['alpha beta', 'beta gamma', 'gamma delta', null],
        });
        const ids = async (args: Parameters<Collection['get']>[0]) => (await col.get(args)).ids;
        expect(await ids({ where: { year: { $gte: 2021 } } })).toEqual(['2', '3']);
        expect(await ids({ where: { year: { $ne: 2021 } } })).toEqual(['1', '3', '4']);
        expect(await ids({ where: { year: { $nin: [2020, 2022] } } })).toEqual(['2', '4']);
        expect(await ids({ where: { tag: { $contains: 'b' } } })).toEqual(['3']);
        expect(await ids({ where: { $or: [{ year: 2020 }, { other: true }] } })).toEqual(['1', '4']);
        expect(await ids({ whereDocument: { $contains: 'gamma' } })).toEqual(['2', '3']);
        expect(await ids({ whereDocument: { $regex: '^b' } })).toEqual(['2']);
        expect(await ids({ whereDocument: { $not_contains: 'beta' } })).toEqual(['3', '4']);
        await expectCode(col.get({ where: { year: { $gt: '2020' } } }), 'INVALID_ARGUMENT');
        await expectCode(col.get({ whereDocument: { $regex: '(' } }), 'INVALID_ARGUMENT');
      });

      it('should return a peek of records with their embeddings', async () => {
        await col.add({ ids: ['a', 'b'], embeddings: [[1], [2]] });
        const peek = await col.peek({ limit: 1 });
        expect(peek.ids).toEqual(['a']);
        expect(peek.embeddings).toEqual([[1]]);
      });
    });

    describe('query', () => {
      it.each([
        ['l2', [1, 2]],
        ['ip', [1 - 3, 1 - 2]],
        ['cosine', [1 - 3 / (Math.sqrt(2) * Math.sqrt(5)), 1 - 2 / (Math.sqrt(2) * 2)]],
      ] as const)('should compute %s distances sorted ascending', async (space, expected) => {
        const col = await sut.client.createCollection({
          name: `q-${space}`,
          configuration: { hnsw: { space } },
        });
        await col.add({
          ids: ['far', 'near'],
          embeddings: [
            [2, 0],
            [1, 2],
          ],
        });
        const result = await col.query({ queryEmbeddings: [[1, 1]], nResults: 2 });
        const distances = result.distances?.[0] ?? [];
        expect(result.ids).toEqual([['near', 'far']]);
        expect(distances).toHaveLength(2);
        distances.forEach((d, i) => expect(d).toBeCloseTo(expected[i] as number, 5));
      });

      it('should answer several queries, cap nResults, apply filters and ids', async () => {
        const col = await sut.client.createCollection({ name: 'multi' });
        const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
        await col.add({
          ids,
          embeddings: ids.map((_, i) => [i, 0]),
          metadatas: ids.map((_, i) => ({ even: i % 2 === 0 })),
          documents: ids.map((_, i) => `doc ${i}`),
        });
        const result = await col.query({
          queryEmbeddings: [
            [0, 0],
            [19, 0],
          ],
          nResults: 3,
        });
        expect(result.ids).toEqual([
          ['r0', 'r1', 'r2'],
          ['r19', 'r18', 'r17'],
        ]);
        expect(result.documents?.[0]).toEqual(['doc 0', 'doc 1', 'doc 2']);
        expect(result.embeddings).toBeNull();
        const filtered = await col.query({
          queryEmbeddings: [[0, 0]],
          nResults: 100,
          where: { even: false },
        });
        expect(filtered.ids[0]).toHaveLength(10);
        expect(filtered.ids[0]?.[0]).toBe('r1');
        const restricted = await col.query({
          queryEmbeddings: [[0, 0]],
          ids: ['r5', 'r7'],
          include: ['embeddings'],
        });
        expect(restricted.ids).toEqual([['r5', 'r7']]);
        expect(restricted.embeddings).toEqual([
          [
            [5, 0],
            [7, 0],
          ],
        ]);
        expect(restricted.distances).toBeNull();
        await expectCode(col.query({ queryEmbeddings: [[0, 0]], ids: ['r5', 'nope'] }), 'NOT_FOUND');
        expect((await col.query({ queryEmbeddings: [[0, 0]], nResults: 0 })).ids).toEqual([[]]);
        expect((await col.query({ queryEmbeddings: [] })).ids).toEqual([]);
      });

      it('should return empty rows on an empty collection and after deletes', async () => {
        const col = await sut.client.createCollection({ name: 'empty' });
        expect((await col.query({ queryEmbeddings: [[1, 2]] })).ids).toEqual([[]]);
        await col.add({ ids: ['a'], embeddings: [[1, 2]] });
        await col.delete({ ids: ['a'] });
        expect((await col.query({ queryEmbeddings: [[1, 2]] })).ids).toEqual([[]]);
      });

      it('should embed documents and query texts with a client-side embedding function', async () => {
        const embeddingFunction = {
          generate: async (texts: string[]) => texts.map((t) => [t.length, 1]),
        };
        const col = await sut.client.createCollection({ name: 'client-ef', embeddingFunction });
        await col.add({ ids: ['short', 'long'], documents: ['ab', 'abcdefgh'] });
        const result = await col.query({ queryTexts: ['abcdefg'], nResults: 1 });
        expect(result.ids).toEqual([['long']]);
      });
    });
  });
}

describe('PersistentClient across reopen', () => {
  it('should keep collections, records and a working index after close and reopen', async () => {
    const dir = makeTempDir();
    try {
      const first = new PersistentClient({ path: dir.path });
      const col = await first.createCollection({
        name: 'durable',
        configuration: { hnsw: { space: 'cosine' } },
      });
      await col.add({
        ids: ['a', 'b'],
        embeddings: [
          [1, 0],
          [0, 1],
        ],
        documents: ['x', 'y'],
      });
      first.close();
      const second = new PersistentClient({ path: dir.path });
      const again = await second.getCollection({ name: 'durable' });
      expect(await again.count()).toBe(2);
      await again.add({ ids: ['c'], embeddings: [[0.9, 0.1]] });
      const result = await again.query({ queryEmbeddings: [[1, 0]], nResults: 2 });
      expect(result.ids).toEqual([['a', 'c']]);
      second.close();
    } finally {
      dir.dispose();
    }
  });
});

describe('Engine.lexicalQuery', () => {
  it('should rank documents by BM25, restricted by filters first', async () => {
    const dir = makeTempDir();
    const client = new PersistentClient({ path: dir.path });
    try {
      const col = await client.createCollection({ name: 'lexical' });
      await col.add({
        ids: ['a', 'b', 'c'],
        embeddings: [[1], [2], [3]],
        documents: ['the cat sat on the mat', 'dogs and cats running', 'nothing relevant here'],
        metadatas: [{ lang: 'en' }, { lang: 'fr' }, { lang: 'en' }],
      });
      const all = await client.engine.lexicalQuery(col.id, { queryText: 'cat mat', nResults: 5 });
      expect(all.ids).toEqual(['a', 'b']);
      expect(all.scores[0]).toBeGreaterThan(all.scores[1] as number);
      const filtered = await client.engine.lexicalQuery(col.id, { queryText: 'cat', where: { lang: 'fr' } });
      expect(filtered.ids).toEqual(['b']);
      expect(filtered.documents).toEqual(['dogs and cats running']);
    } finally {
      client.close();
      dir.dispose();
    }
  });
});

describe('Engine.replace', () => {
  it('should swap the matching records for the new ones in one step', async () => {
    const dir = makeTempDir();
    const client = new PersistentClient({ path: dir.path, defaultEmbedding: 'none' });
    try {
      const col = await client.createCollection({ name: 'replace' });
      await col.add({
        ids: ['f#0', 'f#1', 'g#0'],
        embeddings: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        metadatas: [{ source: 'f', old: true }, { source: 'f' }, { source: 'g' }],
      });
      await client.engine.replace(
        col.id,
        { where: { source: 'f' } },
        { ids: ['f#0'], embeddings: [[0.5, 0.5]], metadatas: [{ source: 'f' }] },
      );
      const got = await col.get({ include: ['metadatas', 'embeddings'] });
      expect(got.ids).toEqual(['f#0', 'g#0']);
      expect(got.metadatas?.[0]).toEqual({ source: 'f' });
      const near = await col.query({ queryEmbeddings: [[0, 1]], nResults: 3 });
      expect(near.ids[0]).toHaveLength(2);
      await expectCode(
        client.engine.replace(col.id, {}, { ids: ['x'], embeddings: [[1, 1]] }),
        'INVALID_ARGUMENT',
      );
    } finally {
      client.close();
    }
  });
});

describe('lexical statistics per collection', () => {
  it('should score a collection the same whatever other collections hold', async () => {
    const client = new EphemeralClient({ defaultEmbedding: 'none' });
    try {
      const docs = ['alpha beta gamma', 'alpha delta', 'epsilon zeta'];
      const target = await client.createCollection({ name: 'target' });
      await target.add({ ids: ['t0', 't1', 't2'], documents: docs });
      const before = await client.engine.lexicalQuery(target.id, { queryText: 'alpha epsilon', nResults: 3 });
      const noisy = await client.createCollection({ name: 'noisy' });
      const many = Array.from({ length: 300 }, (_, i) => `alpha alpha alpha filler ${i}`);
      await noisy.add({ ids: many.map((_, i) => `n${i}`), documents: many });
      const after = await client.engine.lexicalQuery(target.id, { queryText: 'alpha epsilon', nResults: 3 });
      expect(after.ids).toEqual(before.ids);
      expect(after.scores).toEqual(before.scores);
      expect(after.ids).toHaveLength(3);
    } finally {
      client.close();
    }
  });
});
