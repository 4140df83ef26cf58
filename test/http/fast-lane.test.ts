import express from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { authOptionsFrom, createAuth } from '../../src/http/auth.js';
import { createFastLane, installFastLane } from '../../src/http/chroma/fast-lane.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/http/logging.js';
import { metricsRegistry } from '../../src/ops/metrics.js';
import { DEFAULT_SCOPE } from './test-app.js';

const TOKEN = 'fast-lane-token-0123456789';
const READER = 'fast-lane-reader-0123456789';
const env = {
  KBGATE_DATA_DIR: ':memory:',
  KBGATE_EMBEDDING: 'none',
  KBGATE_AUTH_TOKEN: TOKEN,
  KBGATE_READ_TOKEN: `reader:${READER}`,
};
const config = loadConfig(env);
const { engine } = openEngine({ defaultEmbedding: 'none' });
const admin = { Authorization: `Bearer ${TOKEN}` };
const reader = { Authorization: `Bearer ${READER}` };
/** The same engine behind the full stack only, and behind the fast lane first. */
const slow = createApp({ engine, config, fastLane: false });
const fast = createApp({ engine, config });
let base = '';

beforeAll(async () => {
  const res = await request(slow)
    .post(`${DEFAULT_SCOPE}/collections`)
    .set(admin)
    .send({ name: 'lane', configuration: { hnsw: { space: 'cosine' } } })
    .expect(200);
  base = `${DEFAULT_SCOPE}/collections/${res.body.id}`;
  await request(slow)
    .post(`${base}/add`)
    .set(admin)
    .send({
      ids: ['a', 'b', 'c'],
      embeddings: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      documents: ['alpha', 'beta', 'gamma'],
      metadatas: [{ k: 1 }, { k: 2 }, { k: 1 }],
    })
    .expect(201);
});

/** Headers that differ between any two responses. */
const VARYING = new Set(['date', 'x-request-id']);

function comparable(res: request.Response) {
  const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
  return { status: res.status, headers, body: res.body as unknown, text: res.text };
}

describe('the fast lane', () => {
  const cases: [string, (app: express.Express) => request.Test][] = [
    [
      'query',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .set(admin)
          .send({ query_embeddings: [[1, 0.1]], n_results: 2 }),
    ],
    [
      'filtered query',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .set(admin)
          .send({
            query_embeddings: [[1, 0.1]],
            n_results: 2,
            where: { k: 1 },
            include: ['distances', 'metadatas'],
          }),
    ],
    [
      'get',
      (app) =>
        request(app)
          .post(`${base}/get`)
          .set(reader)
          .send({ ids: ['b', 'a'] }),
    ],
    ['count', (app) => request(app).get(`${base}/count`).set(reader)],
    [
      'no credentials',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .send({ query_embeddings: [[1, 0]] }),
    ],
    [
      'read-only token writing',
      (app) =>
        request(app)
          .post(`${base}/add`)
          .set(reader)
          .send({ ids: ['z'], embeddings: [[1, 0]] }),
    ],
    [
      'malformed JSON',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .set(admin)
          .set('Content-Type', 'application/json')
          .send('{"query_embeddings": ['),
    ],
    [
      'invalid body',
      (app) => request(app).post(`${base}/query`).set(admin).send({ query_embeddings: 'nope' }),
    ],
    [
      'wrong dimension',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .set(admin)
          .send({ query_embeddings: [[1, 2, 3]] }),
    ],
    [
      'bad where',
      (app) =>
        request(app)
          .post(`${base}/get`)
          .set(admin)
          .send({ where: { k: { $nope: 1 } } }),
    ],
    [
      'not a UUID',
      (app) =>
        request(app)
          .post(`${DEFAULT_SCOPE}/collections/not-a-uuid/query`)
          .set(admin)
          .send({ query_embeddings: [[1, 0]] }),
    ],
    [
      'another database',
      (app) =>
        request(app)
          .post(`${base.replace('default_database', 'other')}/query`)
          .set(admin)
          .send({ query_embeddings: [[1, 0]] }),
    ],
    [
      'missing collection',
      (app) =>
        request(app)
          .get(`${DEFAULT_SCOPE}/collections/00000000-0000-4000-8000-000000000000/count`)
          .set(admin),
    ],
    [
      'too many queries',
      (app) =>
        request(app)
          .post(`${base}/query`)
          .set(admin)
          .send({ query_embeddings: Array.from({ length: config.maxBatchSize + 1 }, () => [1, 0]) }),
    ],
  ];

  it.each(cases)('should answer %s exactly as the full stack does', async (_name, send) => {
    const viaStack = comparable(await send(slow));
    const viaLane = comparable(await send(fast));
    expect(viaLane).toEqual(viaStack);
    expect(viaLane.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(viaLane.headers['content-security-policy']).toBeDefined();
  });

  it('should write like the full stack, with the same status and bodies', async () => {
    for (const [app, id] of [
      [slow, 'w1'],
      [fast, 'w2'],
    ] as const) {
      const added = await request(app)
        .post(`${base}/add`)
        .set(admin)
        .send({ ids: [id], embeddings: [[0.5, 0.5]] });
      expect([added.status, added.body]).toEqual([201, {}]);
      const upserted = await request(app)
        .post(`${base}/upsert`)
        .set(admin)
        .send({ ids: [id], embeddings: [[0.4, 0.6]], documents: ['w'] });
      expect([upserted.status, upserted.body]).toEqual([200, {}]);
      const updated = await request(app)
        .post(`${base}/update`)
        .set(admin)
        .send({ ids: [id], metadatas: [{ k: 9 }] });
      expect([updated.status, updated.body]).toEqual([200, {}]);
      const got = await request(app)
        .post(`${base}/get`)
        .set(admin)
        .send({ ids: [id] });
      expect(got.body.metadatas).toEqual([{ k: 9 }]);
      expect(got.body.documents).toEqual(['w']);
      const deleted = await request(app)
        .post(`${base}/delete`)
        .set(admin)
        .send({ ids: [id] });
      expect([deleted.status, deleted.body]).toEqual([200, { deleted: 1 }]);
    }
  });

  it('should echo a well-formed request id and count requests under the route template', async () => {
    const route = `/api/v2/tenants/:tenant/databases/:database/collections/:collection_id/count`;
    const before = await countOf(route);
    const res = await request(fast)
      .get(`${base}/count`)
      .set(admin)
      .set('X-Request-Id', 'trace-42')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('trace-42');
    expect(res.body).toBe(3);
    expect(await countOf(route)).toBe(before + 1);
  });
});

describe('which requests the fast lane takes', () => {
  /** The fast lane alone, with a marker behind it for the requests it leaves to the stack. */
  const lane = express();
  lane.disable('x-powered-by');
  installFastLane(
    lane,
    createFastLane(lane, {
      ctx: {
        engine,
        config,
        readiness: () => ({ ready: true, checks: { starting: null, store: null, upstream: null } }),
      },
      auth: createAuth(authOptionsFrom(config)),
      errorHandler: createErrorHandler(silentLogger()),
      logger: silentLogger(),
      log: { mode: 'errors', slowMs: 1_000 },
      maxBodyBytes: 1_000,
    }),
  );
  lane.use((_req, res) => {
    res.status(299).send('stack');
  });

  it('should answer record operations itself, failures included', async () => {
    await request(lane)
      .post(`${base}/query`)
      .set(admin)
      .send({ query_embeddings: [[1, 0]] })
      .expect(200);
    await request(lane).get(`${base}/count`).set(admin).expect(200);
    await request(lane).post(`${base}/get`).send({}).expect(401);
    await request(lane).post(`${base}/get`).set(admin).send({ where: 7 }).expect(400);
  });

  it.each([
    [
      'a CORS request',
      () => request(lane).post(`${base}/query`).set(admin).set('Origin', 'http://x').send({}),
    ],
    ['a query string', () => request(lane).post(`${base}/get?x=1`).set(admin).send({})],
    [
      'a percent-escape',
      () =>
        request(lane)
          .post(`${base.replace('default_tenant', 'default%5Ftenant')}/get`)
          .set(admin)
          .send({}),
    ],
    ['another method', () => request(lane).put(`${base}/get`).set(admin).send({})],
    ['HEAD', () => request(lane).head(`${base}/count`).set(admin)],
    ['an unknown operation', () => request(lane).post(`${base}/fork`).set(admin).send({})],
    ['a prototype key', () => request(lane).post(`${base}/constructor`).set(admin).send({})],
    [
      'another content type',
      () => request(lane).post(`${base}/get`).set(admin).set('Content-Type', 'text/plain').send('{}'),
    ],
    [
      'a compressed body',
      () => request(lane).post(`${base}/get`).set(admin).set('Content-Encoding', 'gzip').send({}),
    ],
    [
      'a body over the limit',
      () =>
        request(lane)
          .post(`${base}/get`)
          .set(admin)
          .send({ pad: 'x'.repeat(2_000) }),
    ],
    ['a collection route', () => request(lane).get(`${DEFAULT_SCOPE}/collections`).set(admin)],
  ])('should leave %s to the full stack', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(299);
  });
});

async function countOf(route: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('kbgate_http_request_duration_seconds')?.get();
  const values = (metric?.values ?? []) as {
    metricName?: string;
    labels: Record<string, unknown>;
    value: number;
  }[];
  return values
    .filter((v) => v.metricName?.endsWith('_count') && v.labels.route === route && v.labels.method === 'GET')
    .reduce((sum, v) => sum + v.value, 0);
}
