import {
  AdminClient,
  ChromaClient,
  ChromaClientError,
  ChromaNotFoundError,
  ChromaUnauthorizedError,
  ChromaUniqueError,
  type Collection,
} from 'chromadb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, listenEphemeral } from './test-app.js';

const TOKEN = 'client-token';
let server: { port: number; close: () => Promise<void> };
let client: ChromaClient;

beforeAll(async () => {
  server = await listenEphemeral(createTestApp({ KBGATE_AUTH_TOKEN: TOKEN }).app);
  client = new ChromaClient({
    host: '127.0.0.1',
    port: server.port,
    ssl: false,
    headers: { 'x-chroma-token': TOKEN },
  });
});

afterAll(() => server.close());

const VECTORS: Record<string, number[]> = {
  red: [1, 0, 0, 0],
  pink: [0.9, 0.1, 0, 0],
  green: [0, 1, 0, 0],
  blue: [0, 0, 1, 0],
  navy: [0, 0, 0.9, 0.1],
};
const ids = Object.keys(VECTORS);

async function seeded(name: string): Promise<Collection> {
  const collection = await client.createCollection({ name, embeddingFunction: null });
  await collection.add({
    ids,
    embeddings: ids.map((id) => VECTORS[id] as number[]),
    documents: ids.map((id) => `the colour ${id}`),
    metadatas: ids.map((id, i) => ({
      family: id === 'red' || id === 'pink' ? 'warm' : 'cool',
      rank: i,
      tags: [id],
    })),
  });
  return collection;
}

describe('official chromadb client: system', () => {
  it('should get a heartbeat, version and pre-flight checks', async () => {
    expect(await client.heartbeat()).toBeGreaterThan(0);
    expect(await client.version()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await client.getMaxBatchSize()).toBe(5461);
    expect(await client.supportsBase64Encoding()).toBe(true);
  });

  it('should be refused without the token', async () => {
    const anonymous = new ChromaClient({ host: '127.0.0.1', port: server.port, ssl: false });
    await expect(anonymous.listCollections()).rejects.toBeInstanceOf(ChromaUnauthorizedError);
  });

  it('should manage tenants and databases through the admin client', async () => {
    const admin = new AdminClient({
      host: '127.0.0.1',
      port: server.port,
      ssl: false,
      headers: { 'x-chroma-token': TOKEN },
    });
    await admin.createTenant({ name: 'team' });
    expect(await admin.getTenant({ name: 'team' })).toBe('team');
    await admin.createDatabase({ name: 'wiki', tenant: 'team' });
    expect((await admin.getDatabase({ name: 'wiki', tenant: 'team' })).name).toBe('wiki');
    expect((await admin.listDatabases({ tenant: 'team' })).map((d) => d.name)).toContain('wiki');
    const scoped = new ChromaClient({
      host: '127.0.0.1',
      port: server.port,
      ssl: false,
      tenant: 'team',
      database: 'wiki',
      headers: { 'x-chroma-token': TOKEN },
    });
    await scoped.createCollection({ name: 'scoped', embeddingFunction: null });
    expect(await scoped.countCollections()).toBe(1);
    await admin.deleteDatabase({ name: 'wiki', tenant: 'team' });
    await expect(admin.getDatabase({ name: 'wiki', tenant: 'team' })).rejects.toBeInstanceOf(
      ChromaNotFoundError,
    );
  });
});

describe('official chromadb client: collections', () => {
  it('should create, get, list, count, modify and delete collections', async () => {
    const created = await client.createCollection({
      name: 'books',
      metadata: { owner: 'ann' },
      embeddingFunction: null,
    });
    const got = await client.getCollection({ name: 'books' });
    expect(got.id).toBe(created.id);
    expect(got.metadata).toEqual({ owner: 'ann' });
    expect((await client.getOrCreateCollection({ name: 'books', embeddingFunction: null })).id).toBe(
      created.id,
    );
    expect((await client.getCollectionById(created.id)).name).toBe('books');
    await client.createCollection({ name: 'films', embeddingFunction: null });
    const names = (await client.listCollections()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['books', 'films']));
    expect(await client.listCollections({ limit: 1, offset: 1 })).toHaveLength(1);
    const count = await client.countCollections();
    await got.modify({ name: 'novels', metadata: { owner: 'bo' } });
    expect((await client.getCollection({ name: 'novels' })).metadata).toEqual({ owner: 'bo' });
    await client.deleteCollection({ name: 'novels' });
    expect(await client.countCollections()).toBe(count - 1);
  });

  it('should raise the client error classes for a duplicate and a missing collection', async () => {
    await client.createCollection({ name: 'unique-one', embeddingFunction: null });
    await expect(
      client.createCollection({ name: 'unique-one', embeddingFunction: null }),
    ).rejects.toBeInstanceOf(ChromaUniqueError);
    await expect(client.getCollection({ name: 'never-made' })).rejects.toBeInstanceOf(ChromaNotFoundError);
  });

  it('should honour a cosine configuration', async () => {
    const c = await client.createCollection({
      name: 'cosine-coll',
      configuration: { hnsw: { space: 'cosine' } },
      embeddingFunction: null,
    });
    await c.add({ ids: ['x'], embeddings: [[2, 0]] });
    const res = await c.query({ queryEmbeddings: [[5, 0]], nResults: 1, include: ['distances'] });
    expect(res.distances[0]?.[0]).toBeCloseTo(0, 5);
  });
});

describe('official chromadb client: records', () => {
  let collection: Collection;
  let counter = 0;

  beforeEach(async () => {
    counter += 1;
    collection = await seeded(`records-${counter}`);
  });

  it('should add and get records with every field', async () => {
    expect(await collection.count()).toBe(5);
    const res = await collection.get({ ids: ['red'], include: ['embeddings', 'documents', 'metadatas'] });
    expect(res.ids).toEqual(['red']);
    expect(res.embeddings[0]).toEqual([1, 0, 0, 0]);
    expect(res.documents).toEqual(['the colour red']);
    expect(res.metadatas[0]).toMatchObject({ family: 'warm', tags: ['red'] });
    expect((await collection.peek({ limit: 2 })).ids).toHaveLength(2);
  });

  it('should query nearest neighbours with distances', async () => {
    const res = await collection.query({ queryEmbeddings: [[1, 0.05, 0, 0]], nResults: 2 });
    expect(res.ids).toEqual([['red', 'pink']]);
    expect(res.documents[0]).toEqual(['the colour red', 'the colour pink']);
    const [first, second] = res.distances[0] ?? [];
    expect(Number(first)).toBeLessThan(Number(second));
  });

  it('should filter with where, where_document and ids', async () => {
    const q = [[0, 0, 1, 0]];
    const cool = await collection.query({ queryEmbeddings: q, nResults: 10, where: { family: 'cool' } });
    expect(cool.ids[0]?.sort()).toEqual(['blue', 'green', 'navy']);
    const and = await collection.get({ where: { $and: [{ family: 'cool' }, { rank: { $gte: 3 } }] } });
    expect(and.ids.sort()).toEqual(['blue', 'navy']);
    const inList = await collection.get({ where: { rank: { $in: [0, 4] } } });
    expect(inList.ids.sort()).toEqual(['navy', 'red']);
    const or = await collection.get({ where: { $or: [{ rank: { $lt: 1 } }, { family: { $ne: 'cool' } }] } });
    expect(or.ids.sort()).toEqual(['pink', 'red']);
    const tag = await collection.get({ where: { tags: { $contains: 'green' } } });
    expect(tag.ids).toEqual(['green']);
    const doc = await collection.get({ whereDocument: { $contains: 'pink' } });
    expect(doc.ids).toEqual(['pink']);
    const regex = await collection.get({ whereDocument: { $regex: 'colour (red|blue)$' } });
    expect(regex.ids.sort()).toEqual(['blue', 'red']);
    const byIds = await collection.query({ queryEmbeddings: q, nResults: 5, ids: ['red', 'green'] });
    expect(byIds.ids[0]?.sort()).toEqual(['green', 'red']);
  });

  it('should update, upsert and delete records', async () => {
    await collection.update({
      ids: ['red'],
      embeddings: [[1, 0, 0, 0]],
      documents: ['crimson'],
      metadatas: [{ family: 'warm', rank: 9 }],
    });
    expect((await collection.get({ ids: ['red'] })).metadatas[0]).toMatchObject({ rank: 9 });
    await collection.upsert({
      ids: ['red', 'white'],
      embeddings: [
        [1, 0, 0, 0],
        [1, 1, 1, 1],
      ],
      documents: ['R', 'W'],
    });
    const res = await collection.get({ ids: ['red', 'white'] });
    expect(res.documents).toEqual(['R', 'W']);
    await collection.delete({ ids: ['white'] });
    await collection.delete({ where: { family: 'cool' } });
    expect((await collection.get()).ids.sort()).toEqual(['pink', 'red']);
  });

  it('should report a wrong dimension as a client error', async () => {
    await expect(collection.add({ ids: ['bad'], embeddings: [[1, 2]] })).rejects.toBeInstanceOf(
      ChromaClientError,
    );
  });

  it('should report an invalid filter as a client error', async () => {
    await expect(collection.get({ whereDocument: { $regex: '(' } })).rejects.toBeInstanceOf(
      ChromaClientError,
    );
  });
});
