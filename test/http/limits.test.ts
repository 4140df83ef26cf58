import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_FILTER_NODES,
  MAX_FILTER_VALUES,
  MAX_REGEX_FILTERS,
} from '../../src/engine/where/parse-where.js';
import { MAX_SCHEMA_KEYS } from '../../src/engine/schema-keys.js';
import {
  MAX_DOCUMENT_LENGTH,
  MAX_METADATA_KEYS,
  MAX_METADATA_STRING_LENGTH,
  MAX_METADATA_VALUES,
} from '../../src/engine/validate-records.js';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

const { app, config } = createTestApp();
let base = '';

beforeEach(async () => {
  const name = `limits-${Math.random().toString(36).slice(2, 10)}`;
  const res = await request(app).post(`${DEFAULT_SCOPE}/collections`).send({ name }).expect(200);
  base = `${DEFAULT_SCOPE}/collections/${res.body.id}`;
  const docs = ['apples', 'pears', 'plums'];
  await request(app)
    .post(`${base}/add`)
    .send({
      ids: docs,
      embeddings: docs.map((_, i) => [i, 1, 1]),
      documents: docs.map((d) => `about ${d}`),
      metadatas: docs.map((_, i) => ({ n: i })),
    })
    .expect(201);
});

function post(path: string, raw: string) {
  return request(app).post(`${base}/${path}`).set('content-type', 'application/json').send(raw);
}

async function count(): Promise<number> {
  return (await request(app).get(`${base}/count`).expect(200)).body as number;
}

describe('keys a JavaScript object cannot hold are refused, never dropped', () => {
  it.each(['__proto__', 'constructor', 'prototype'])(
    'should refuse a delete filtering on "%s" and delete nothing',
    async (key) => {
      const res = await post(
        'delete',
        `{"where":{"${key}":{"$eq":1}},"where_document":{"$contains":"about"}}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('InvalidArgumentError');
      const nested = await post('delete', `{"where":{"$or":[{"${key}":{"$ne":1}},{"n":99}]}}`);
      expect(nested.status).toBe(400);
      expect(await count()).toBe(3);
    },
  );

  it.each(['__proto__', 'constructor', 'prototype'])(
    'should refuse "%s" as a metadata key on add, upsert and update',
    async (key) => {
      const meta = `{"${key}":1,"kept":2}`;
      for (const [op, body] of [
        ['add', `{"ids":["x"],"embeddings":[[1,1,1]],"metadatas":[${meta}]}`],
        ['upsert', `{"ids":["apples"],"embeddings":[[1,1,1]],"metadatas":[${meta}]}`],
        ['update', `{"ids":["apples"],"metadatas":[${meta}]}`],
      ] as const) {
        const res = await post(op, body);
        expect(res.status, `${op} ${key}`).toBe(400);
      }
      expect(await count()).toBe(3);
    },
  );

  it('should refuse "__proto__" in collection metadata and configuration', async () => {
    for (const body of [
      '{"name":"protometa","metadata":{"__proto__":1}}',
      '{"name":"protoconf","configuration":{"__proto__":{"hnsw":{"space":"ip"}}}}',
      '{"name":"protoschema","schema":{"defaults":{},"keys":{"__proto__":{}}}}',
    ]) {
      const res = await request(app)
        .post(`${DEFAULT_SCOPE}/collections`)
        .set('content-type', 'application/json')
        .send(body);
      expect(res.status, body).toBe(400);
    }
  });

  it('should ignore a schema value type named like an Object.prototype member, as any unknown one', async () => {
    await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .set('content-type', 'application/json')
      .send('{"name":"inherited","schema":{"defaults":{"toString":{}},"keys":{}}}')
      .expect(200);
  });

  it('should store a key named like an Object.prototype member as an ordinary key', async () => {
    const meta = '{"toString":"yes","hasOwnProperty":1}';
    await post('update', `{"ids":["apples"],"metadatas":[${meta}]}`).expect(200);
    const got = await post('get', '{"where":{"toString":"yes"}}').expect(200);
    expect(got.body.ids).toEqual(['apples']);
    expect(got.body.metadatas[0]).toMatchObject({ toString: 'yes', hasOwnProperty: 1 });
    expect(Object.hasOwn(Object.prototype.toString, 'string')).toBe(false);
  });
});

describe('heavy but valid requests are refused beyond documented limits', () => {
  it('should refuse a record with more metadata keys than the limit', async () => {
    const meta = Object.fromEntries(Array.from({ length: MAX_METADATA_KEYS + 1 }, (_, i) => [`k${i}`, i]));
    const res = await request(app)
      .post(`${base}/add`)
      .send({ ids: ['wide'], embeddings: [[1, 1, 1]], metadatas: [meta] });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(`the limit is ${MAX_METADATA_KEYS}`);
  });

  it('should refuse more metadata values than the limit, list elements counted', async () => {
    const list = Array.from({ length: MAX_METADATA_VALUES + 1 }, (_, i) => i);
    const res = await request(app)
      .post(`${base}/add`)
      .send({ ids: ['long'], embeddings: [[1, 1, 1]], metadatas: [{ list }] });
    expect(res.status).toBe(400);
  });

  it('should refuse a metadata string or a document longer than the limit', async () => {
    const text = 'x'.repeat(MAX_METADATA_STRING_LENGTH + 1);
    await request(app)
      .post(`${base}/add`)
      .send({ ids: ['s'], embeddings: [[1, 1, 1]], metadatas: [{ title: text }] })
      .expect(400);
    const document = 'y'.repeat(MAX_DOCUMENT_LENGTH + 1);
    const res = await request(app)
      .post(`${base}/add`)
      .send({ ids: ['d'], embeddings: [[1, 1, 1]], documents: [document] })
      .expect(400);
    expect(res.body.message).toContain(`the limit is ${MAX_DOCUMENT_LENGTH}`);
    expect(await count()).toBe(3);
  });

  it('should stop a collection learning more metadata keys than the limit', async () => {
    const batches = Math.ceil(MAX_SCHEMA_KEYS / MAX_METADATA_KEYS) + 1;
    let refused = 0;
    for (let b = 0; b < batches; b++) {
      const meta = Object.fromEntries(Array.from({ length: MAX_METADATA_KEYS }, (_, i) => [`b${b}k${i}`, i]));
      const res = await request(app)
        .post(`${base}/add`)
        .send({ ids: [`wide${b}`], embeddings: [[1, 1, 1]], metadatas: [meta] });
      if (res.status === 400) refused++;
      else expect(res.status).toBe(201);
    }
    expect(refused).toBeGreaterThan(0);
    await request(app)
      .post(`${base}/add`)
      .send({ ids: ['known'], embeddings: [[1, 1, 1]], metadatas: [{ n: 1 }] })
      .expect(201);
  });

  it('should refuse filters over the node, value and regex limits with 400', async () => {
    const leaves = Array.from({ length: MAX_FILTER_NODES }, (_, i) => ({ n: i }));
    await post('get', JSON.stringify({ where: { $or: leaves } })).expect(400);
    const values = Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => i);
    await post('get', JSON.stringify({ where: { n: { $in: values } } })).expect(400);
    const regexes = Array.from({ length: MAX_REGEX_FILTERS + 1 }, (_, i) => ({ $regex: `a${i}` }));
    await post('get', JSON.stringify({ where_document: { $or: regexes } })).expect(400);
  });

  it('should answer a where_document of hundreds of conditions (SQLite caps expression depth at 1,000)', async () => {
    const contains = Array.from({ length: MAX_FILTER_NODES - 1 }, () => ({ $contains: 'about' }));
    const res = await post('get', JSON.stringify({ where_document: { $and: contains } })).expect(200);
    expect(res.body.ids).toHaveLength(3);
  });

  it('should enforce the max batch size pre-flight-checks advertises', async () => {
    const preflight = await request(app).get('/api/v2/pre-flight-checks').expect(200);
    expect(preflight.body.max_batch_size).toBe(config.maxBatchSize);
    const ids = Array.from({ length: config.maxBatchSize + 1 }, (_, i) => `r${i}`);
    for (const op of ['add', 'upsert', 'update']) {
      const res = await request(app)
        .post(`${base}/${op}`)
        .send({ ids, embeddings: ids.map(() => [1, 1, 1]) });
      expect(res.status, op).toBe(400);
      expect(res.body.message).toContain(`more than ${config.maxBatchSize}`);
    }
    const queries = await request(app)
      .post(`${base}/query`)
      .send({ query_embeddings: ids.map(() => [1, 1, 1]), n_results: 1 });
    expect(queries.status).toBe(400);
    expect(await count()).toBe(3);
  });
});

describe('bad input is a 4xx, never a 5xx', () => {
  it.each([
    `${DEFAULT_SCOPE}/collections/%ff`,
    `${DEFAULT_SCOPE}/collections/%E0%A4%A/count`,
    '/api/v2/tenants/%c0',
    '/console/api/collections/%ff/records',
  ])('should answer malformed percent-encoding in %s with 400', async (path) => {
    const res = await request(app).get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'InvalidArgumentError', message: expect.any(String) });
  });

  it.each(['gzip', 'br', 'deflate'])(
    'should answer a plain body labelled Content-Encoding: %s with 400',
    async (encoding) => {
      for (const path of [`${DEFAULT_SCOPE}/collections`, '/search']) {
        const res = await request(app)
          .post(path)
          .set('content-type', 'application/json')
          .set('content-encoding', encoding)
          .send('{"name":"plain","query":"plain"}');
        expect(res.status, path).toBe(400);
        expect(res.body.error).toBe('InvalidArgumentError');
      }
    },
  );
});
