import { describe, expect, it } from 'vitest';
import { PersistentClient } from '../src/client.js';
import { EngineError } from '../src/engine/errors.js';
import { createEmbeddingResolver } from '../src/embed/registry.js';
import { MULTILINGUAL_MODEL } from '../src/embed/transformers.js';
import { makeTempDir } from './helpers/clients.js';
import { expectedEmbedding, writeTinyModel, TINY_HIDDEN_SIZE } from './helpers/tiny-model.js';

function resolverFor(modelDir: string) {
  return createEmbeddingResolver({ modelDir, offline: true, transformers: { model: 'tiny-bert' } });
}

/** Squared L2 distance, Chroma's default `l2` space. */
function squaredL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return sum;
}

describe('collections bound to an embedding function', () => {
  it('should embed documents and query texts server-side with the bound function, also after reopen', async () => {
    const models = makeTempDir('kbgate-models-');
    const data = makeTempDir();
    writeTinyModel(models.path);
    try {
      const first = new PersistentClient({
        path: data.path,
        resolveEmbedding: resolverFor(models.path),
        defaultEmbedding: 'default',
      });
      const col = await first.createCollection({ name: 'bound' });
      await col.add({ ids: ['a', 'b'], documents: ['hello world', 'the quick fox'] });
      const got = await col.get({ include: ['embeddings'] });
      expect(got.embeddings?.map((e) => e.length)).toEqual([TINY_HIDDEN_SIZE, TINY_HIDDEN_SIZE]);
      const norm = Math.hypot(...(got.embeddings?.[0] ?? []));
      expect(norm).toBeCloseTo(1, 5);
      first.close();

      // A new default does not change what an existing collection embeds with.
      const second = new PersistentClient({
        path: data.path,
        resolveEmbedding: resolverFor(models.path),
        defaultEmbedding: 'none',
      });
      const again = await second.getCollection({ name: 'bound' });
      await again.upsert({ ids: ['c'], documents: ['hello world'] });
      const result = await again.query({ queryTexts: ['hello world'], nResults: 2 });
      expect(new Set(result.ids[0])).toEqual(new Set(['a', 'c']));
      expect(result.distances?.[0]?.[0]).toBeCloseTo(0, 5);
      const err = await second
        .getOrCreateCollection({ name: 'bound', embedding: 'none' })
        .catch((e: unknown) => e as EngineError);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('INVALID_ARGUMENT');
      second.close();
    } finally {
      models.dispose();
      data.dispose();
    }
  });

  it('should keep documents without embeddings in a collection bound to none', async () => {
    const data = makeTempDir();
    const client = new PersistentClient({ path: data.path, resolveEmbedding: resolverFor(data.path) });
    try {
      const col = await client.createCollection({ name: 'lexical-only', embedding: 'none' });
      await col.add({ ids: ['a', 'b'], documents: ['alpha beta', 'gamma delta'] });
      expect((await col.get()).documents).toEqual(['alpha beta', 'gamma delta']);
      const lexical = await client.engine.lexicalQuery(col.id, { queryText: 'gamma' });
      expect(lexical.ids).toEqual(['b']);
      await col.add({ ids: ['v'], embeddings: [[1, 0]] });
      const vector = await col.query({ queryEmbeddings: [[1, 0]], nResults: 5 });
      expect(vector.ids).toEqual([['v']]);
      const err = await col.query({ queryTexts: ['gamma'] }).catch((e: unknown) => e as EngineError);
      expect((err as EngineError).code).toBe('FAILED_PRECONDITION');
    } finally {
      client.close();
      data.dispose();
    }
  });

  it('should fail only the operations that need a missing model, naming the fix', async () => {
    const data = makeTempDir();
    const client = new PersistentClient({
      path: data.path,
      resolveEmbedding: resolverFor(data.path),
      defaultEmbedding: 'default',
    });
    try {
      const col = await client.createCollection({ name: 'no-model' });
      const err = await col.add({ ids: ['a'], documents: ['text'] }).catch((e: unknown) => e as EngineError);
      expect((err as EngineError).code).toBe('FAILED_PRECONDITION');
      expect((err as EngineError).message).toMatch(/KBGATE_MODEL_DIR|model:download/);
      await col.add({ ids: ['b'], embeddings: [[1, 2]], documents: ['has its own vector'] });
      expect(await col.count()).toBe(1);
      expect((await col.query({ queryEmbeddings: [[1, 2]] })).ids).toEqual([['b']]);
    } finally {
      client.close();
      data.dispose();
    }
  });

  it('should embed documents as "passage: " and query texts as "query: " in a multilingual collection', async () => {
    const models = makeTempDir('kbgate-models-');
    const data = makeTempDir();
    const e5 = writeTinyModel(models.path, MULTILINGUAL_MODEL);
    const client = new PersistentClient({
      path: data.path,
      resolveEmbedding: createEmbeddingResolver({ modelDir: models.path, offline: true }),
      defaultEmbedding: 'multilingual',
    });
    try {
      const col = await client.createCollection({ name: 'e5-docs' });
      expect(client.engine.getCollectionById(col.id).embedding).toBe('multilingual');
      await col.add({ ids: ['hello', 'cat'], documents: ['hello world', 'the cat sat on the mat'] });
      const passage = expectedEmbedding(e5, ['[CLS]', 'passage', ':', 'hello', 'world', '[SEP]']);
      const stored = await col.get({ ids: ['hello'], include: ['embeddings'] });
      expect(stored.embeddings?.[0]).toEqual(Array.from(passage).map((v) => expect.closeTo(v, 5)));

      const result = await col.query({ queryTexts: ['hello world'], nResults: 1 });
      const query = expectedEmbedding(e5, ['[CLS]', 'query', ':', 'hello', 'world', '[SEP]']);
      expect(result.ids).toEqual([['hello']]);
      // Not 0: the same text is a different vector as a question than as a passage.
      expect(result.distances?.[0]?.[0]).toBeCloseTo(squaredL2(query, passage), 5);
      expect(squaredL2(query, passage)).toBeGreaterThan(1e-3);
    } finally {
      client.close();
      models.dispose();
      data.dispose();
    }
  });

  it('should fail a multilingual collection without its model naming the multilingual download', async () => {
    const data = makeTempDir();
    const client = new PersistentClient({
      path: data.path,
      resolveEmbedding: createEmbeddingResolver({ modelDir: data.path, offline: true }),
    });
    try {
      const col = await client.createCollection({ name: 'no-e5', embedding: 'multilingual' });
      const err = await col.add({ ids: ['a'], documents: ['สวัสดี'] }).catch((e: unknown) => e as EngineError);
      expect((err as EngineError).code).toBe('FAILED_PRECONDITION');
      expect((err as EngineError).message).toContain('npm run model:download -- multilingual');
    } finally {
      client.close();
      data.dispose();
    }
  });

  it('should embed query texts with a client-side generateForQueries when the function has one', async () => {
    const data = makeTempDir();
    const client = new PersistentClient({ path: data.path });
    const calls: string[] = [];
    const embeddingFunction = {
      generate: async (texts: string[]) => {
        calls.push(...texts.map((t) => `document ${t}`));
        return texts.map((t) => [1, t.length]);
      },
      generateForQueries: async (texts: string[]) => {
        calls.push(...texts.map((t) => `query ${t}`));
        return texts.map((t) => [-1, t.length]);
      },
    };
    try {
      const col = await client.createCollection({ name: 'client-queries', embeddingFunction });
      await col.add({ ids: ['short', 'long'], documents: ['ab', 'abcdefgh'] });
      const result = await col.query({ queryTexts: ['abcdefg'], nResults: 1 });
      expect(calls).toEqual(['document ab', 'document abcdefgh', 'query abcdefg']);
      expect(result.ids).toEqual([['long']]);
      expect(result.distances?.[0]?.[0]).toBeCloseTo(5, 5);
    } finally {
      client.close();
      data.dispose();
    }
  });
});
