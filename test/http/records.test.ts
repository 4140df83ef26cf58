import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeBase64Embedding } from '../../src/http/chroma/wire-embeddings.js';
import { createTestApp, DEFAULT_SCOPE, type TestApp } from './test-app.js';

let t: TestApp;
let base: string;

beforeEach(async () => {
  t = createTestApp();
  const res = await request(t.app).post(`${DEFAULT_SCOPE}/collections`).send({ name: 'records' }).expect(200);
  base = `${DEFAULT_SCOPE}/collections/${res.body.id}`;
  await request(t.app)
    .post(`${base}/add`)
    .send({
      ids: ['a', 'b', 'c'],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      documents: ['apple pie', 'banana bread', null],
      metadatas: [{ kind: 'fruit', n: 1 }, { kind: 'bread', n: 2 }, null],
    })
    .expect(201, {});
});

describe('POST .../collections/{collection_id}/add', () => {
  it('should accept base64-encoded float32 embeddings', async () => {
    await request(t.app)
      .post(`${base}/add`)
      .send({ ids: ['d'], embeddings: [encodeBase64Embedding([0.5, 0.25, -1])] })
      .expect(201);
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['d'], include: ['embeddings'] })
      .expect(200);
    expect(res.body.embeddings).toEqual([[0.5, 0.25, -1]]);
  });

  it('should answer 400 for an embedding of the wrong dimension', async () => {
    const res = await request(t.app)
      .post(`${base}/add`)
      .send({ ids: ['x'], embeddings: [[1, 2]] })
      .expect(400);
    expect(res.body.error).toBe('InvalidArgumentError');
  });

  it('should keep the stored record when an added id already exists, as Chroma does', async () => {
    await request(t.app)
      .post(`${base}/add`)
      .send({ ids: ['a'], embeddings: [[1, 1, 1]], documents: ['other'] })
      .expect(201);
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['a'] })
      .expect(200);
    expect(res.body.documents).toEqual(['apple pie']);
  });

  it('should answer 404 for a missing collection', async () => {
    const res = await request(t.app)
      .post(`${DEFAULT_SCOPE}/collections/00000000-0000-4000-8000-000000000000/add`)
      .send({ ids: ['x'], embeddings: [[1, 2, 3]] })
      .expect(404);
    expect(res.body.error).toBe('NotFoundError');
  });
});

describe('POST .../collections/{collection_id}/get', () => {
  it('should return documents and metadatas by default with null for fields not included', async () => {
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['a'] })
      .expect(200);
    expect(res.body).toEqual({
      ids: ['a'],
      documents: ['apple pie'],
      metadatas: [{ kind: 'fruit', n: 1 }],
      embeddings: null,
      uris: null,
      include: expect.arrayContaining(['documents', 'metadatas']),
    });
  });

  it('should filter by where and where_document, with limit and offset', async () => {
    const where = await request(t.app)
      .post(`${base}/get`)
      .send({ where: { n: { $gte: 2 } } })
      .expect(200);
    expect(where.body.ids).toEqual(['b']);
    const doc = await request(t.app)
      .post(`${base}/get`)
      .send({ where_document: { $contains: 'apple' } })
      .expect(200);
    expect(doc.body.ids).toEqual(['a']);
    const page = await request(t.app).post(`${base}/get`).send({ limit: 1, offset: 1 }).expect(200);
    expect(page.body.ids).toEqual(['b']);
  });
});

describe('POST .../collections/{collection_id}/query', () => {
  it('should return nearest records with ascending distances', async () => {
    const res = await request(t.app)
      .post(`${base}/query`)
      .send({ query_embeddings: [[0.9, 0.1, 0]], n_results: 2, include: ['distances', 'documents'] })
      .expect(200);
    expect(res.body.ids).toEqual([['a', 'b']]);
    expect(res.body.documents).toEqual([['apple pie', 'banana bread']]);
    expect(res.body.metadatas).toBeNull();
    const [d0, d1] = res.body.distances[0];
    expect(d0).toBeLessThan(d1);
  });

  it('should accept base64 query embeddings and a where filter', async () => {
    const res = await request(t.app)
      .post(`${base}/query`)
      .send({ query_embeddings: [encodeBase64Embedding([1, 0, 0])], n_results: 3, where: { kind: 'bread' } })
      .expect(200);
    expect(res.body.ids).toEqual([['b']]);
  });

  it('should answer 4xx for unknown ids in ids', async () => {
    const res = await request(t.app)
      .post(`${base}/query`)
      .send({ query_embeddings: [[1, 0, 0]], ids: ['nope'] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('record changes', () => {
  it('should update documents and metadata of existing records', async () => {
    await request(t.app)
      .post(`${base}/update`)
      .send({ ids: ['a'], documents: ['apple tart'], metadatas: [{ n: 10 }] })
      .expect(200, {});
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['a'] })
      .expect(200);
    expect(res.body.documents).toEqual(['apple tart']);
    expect(res.body.metadatas[0].n).toBe(10);
  });

  it('should upsert new and existing records', async () => {
    await request(t.app)
      .post(`${base}/upsert`)
      .send({
        ids: ['a', 'z'],
        embeddings: [
          [1, 1, 0],
          [0, 1, 1],
        ],
        documents: ['A', 'Z'],
      })
      .expect(200, {});
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['a', 'z'] })
      .expect(200);
    expect(res.body.documents).toEqual(['A', 'Z']);
  });

  it('should delete by ids and by where and count what remains', async () => {
    await request(t.app)
      .post(`${base}/delete`)
      .send({ ids: ['a', 'missing'] })
      .expect(200, { deleted: 1 });
    await request(t.app)
      .post(`${base}/delete`)
      .send({ where: { kind: 'bread' } })
      .expect(200, { deleted: 1 });
    const res = await request(t.app).get(`${base}/count`).expect(200);
    expect(res.body).toBe(1);
  });

  it('should delete at most limit records when a limit is given', async () => {
    await request(t.app)
      .post(`${base}/delete`)
      .send({ ids: ['a', 'b', 'c'], limit: 2 })
      .expect(200, { deleted: 2 });
    const res = await request(t.app).post(`${base}/get`).send({}).expect(200);
    expect(res.body.ids).toEqual(['c']);
  });

  it('should keep the stored embedding where an update gives null', async () => {
    await request(t.app)
      .post(`${base}/update`)
      .send({ ids: ['a', 'b'], embeddings: [null, [0, 0, 2]] })
      .expect(200);
    const res = await request(t.app)
      .post(`${base}/get`)
      .send({ ids: ['a', 'b'], include: ['embeddings'] })
      .expect(200);
    expect(res.body.embeddings).toEqual([
      [1, 0, 0],
      [0, 0, 2],
    ]);
    await request(t.app)
      .post(`${base}/add`)
      .send({ ids: ['n'], embeddings: [null] })
      .expect((r) => expect([400, 422]).toContain(r.status));
  });
});
