import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

const { app } = createTestApp();
let base: string;

beforeAll(async () => {
  const res = await request(app).post(`${DEFAULT_SCOPE}/collections`).send({ name: 'battery' }).expect(200);
  base = `${DEFAULT_SCOPE}/collections/${res.body.id}`;
  await request(app)
    .post(`${base}/add`)
    .send({ ids: ['a'], embeddings: [[1, 2, 3]], documents: ['doc'], metadatas: [{ k: 1 }] })
    .expect(201);
});

function nested(depth: number): Record<string, unknown> {
  let where: Record<string, unknown> = { k: 1 };
  for (let i = 0; i < depth; i++) where = { $and: [where, { k: 1 }] };
  return where;
}

function nanBase64(): string {
  const bytes = Buffer.alloc(12);
  bytes.writeFloatLE(Number.NaN, 0);
  return bytes.toString('base64');
}

const RAW_CASES: { name: string; path: () => string; body: string; status: number }[] = [
  { name: 'malformed JSON', path: () => `${base}/add`, body: '{"ids": [', status: 400 },
  { name: 'a JSON string body', path: () => `${base}/get`, body: '"ids"', status: 400 },
  {
    name: 'a number beyond float range',
    path: () => `${base}/add`,
    body: '{"ids":["h"],"embeddings":[[1e999,0,0]]}',
    status: 400,
  },
];

const JSON_CASES: { name: string; path: () => string; body: unknown; status: number }[] = [
  {
    name: 'ids of the wrong type',
    path: () => `${base}/add`,
    body: { ids: 'a', embeddings: [[1, 2, 3]] },
    status: 422,
  },
  {
    name: 'an embedding of strings',
    path: () => `${base}/add`,
    body: { ids: ['s'], embeddings: [['1', '2', '3']] },
    status: 400,
  },
  {
    name: 'an embedding that is a number',
    path: () => `${base}/add`,
    body: { ids: ['s'], embeddings: [7] },
    status: 422,
  },
  {
    name: 'a NaN in a base64 embedding',
    path: () => `${base}/add`,
    body: { ids: ['n'], embeddings: [nanBase64()] },
    status: 400,
  },
  {
    name: 'invalid base64',
    path: () => `${base}/add`,
    body: { ids: ['n'], embeddings: ['***'] },
    status: 400,
  },
  {
    name: 'wrong dimensions',
    path: () => `${base}/add`,
    body: { ids: ['w'], embeddings: [[1, 2]] },
    status: 400,
  },
  {
    name: 'mismatched array lengths',
    path: () => `${base}/add`,
    body: { ids: ['m', 'n'], embeddings: [[1, 2, 3]] },
    status: 400,
  },
  {
    name: 'nested metadata',
    path: () => `${base}/add`,
    body: { ids: ['o'], embeddings: [[1, 2, 3]], metadatas: [{ a: { b: 1 } }] },
    status: 422,
  },
  {
    name: 'a huge n_results',
    path: () => `${base}/query`,
    body: { query_embeddings: [[1, 2, 3]], n_results: 1e300 },
    status: 422,
  },
  { name: 'a negative limit', path: () => `${base}/get`, body: { limit: -1 }, status: 422 },
  { name: 'an unknown include', path: () => `${base}/get`, body: { include: ['secrets'] }, status: 422 },
  {
    name: 'a where operator that does not exist',
    path: () => `${base}/get`,
    body: { where: { k: { $like: 1 } } },
    status: 400,
  },
  { name: 'a deeply nested where', path: () => `${base}/get`, body: { where: nested(200) }, status: 400 },
  {
    name: 'an enormous where',
    path: () => `${base}/get`,
    body: { where: { $or: Array.from({ length: 20_000 }, (_, i) => ({ k: i })) } },
    status: 400,
  },
  {
    name: 'an invalid regex',
    path: () => `${base}/get`,
    body: { where_document: { $regex: '(' } },
    status: 400,
  },
  { name: 'a where that is a list', path: () => `${base}/get`, body: { where: [1, 2] }, status: 400 },
  { name: 'a query without embeddings', path: () => `${base}/query`, body: { n_results: 1 }, status: 422 },
];

describe('bad input', () => {
  for (const c of RAW_CASES) {
    it(`should answer ${c.status} for ${c.name}`, async () => {
      const res = await request(app).post(c.path()).set('Content-Type', 'application/json').send(c.body);
      expect(res.status).toBe(c.status);
      expect(typeof res.body.message).toBe('string');
    });
  }

  for (const c of JSON_CASES) {
    it(`should answer ${c.status} for ${c.name}`, async () => {
      const res = await request(app)
        .post(c.path())
        .send(c.body as object);
      expect(res.status).toBe(c.status);
      expect(res.body.error).toMatch(/Error$/);
      expect(typeof res.body.message).toBe('string');
    });
  }

  it('should ignore unknown top-level fields, as Chroma does', async () => {
    const res = await request(app)
      .post(`${base}/get`)
      .send({ ids: ['a'], read_level: 'index_only', extra: 1 })
      .expect(200);
    expect(res.body.ids).toEqual(['a']);
  });

  it('should never leak a stack trace', async () => {
    const res = await request(app).post(`${base}/add`).set('Content-Type', 'application/json').send('{bad');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('should keep answering after the battery', async () => {
    const res = await request(app).get(`${base}/count`).expect(200);
    expect(res.body).toBe(1);
  });
});
