import pino from 'pino';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

const ADMIN = 'admin-token-0123456789';
const READER = 'reader-token-0123456789';
const GRAFANA = 'grafana-token-0123456789';

describe('KBGATE_READ_TOKEN', () => {
  it('should read named and unnamed tokens, and refuse empty ones and repeated names', () => {
    const config = loadConfig({ KBGATE_READ_TOKEN: `nextchat:${READER}, ${GRAFANA}` });
    expect(config.readTokens).toEqual([
      { name: 'nextchat', token: READER },
      { name: 'read-2', token: GRAFANA },
    ]);
    expect(() => loadConfig({ KBGATE_READ_TOKEN: 'a:x,a:y' })).toThrow(ConfigError);
    expect(() => loadConfig({ KBGATE_READ_TOKEN: 'a:' })).toThrow(/KBGATE_READ_TOKEN/);
  });
});

describe('a read-only token', () => {
  const { app } = createTestApp({
    KBGATE_AUTH_TOKEN: ADMIN,
    KBGATE_READ_TOKEN: `nextchat:${READER},grafana:${GRAFANA}`,
  });
  const admin = { Authorization: `Bearer ${ADMIN}` };
  const reader = { Authorization: `Bearer ${READER}` };
  let base = '';

  beforeAll(async () => {
    const res = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .set(admin)
      .send({ name: 'docs', get_or_create: true })
      .expect(200);
    base = `${DEFAULT_SCOPE}/collections/${res.body.id}`;
    await request(app)
      .post(`${base}/add`)
      .set(admin)
      .send({ ids: ['a'], embeddings: [[1, 2, 3]], documents: ['backups are copies'] })
      .expect(201);
  });

  it('should read: list, get, query, count, search, metrics and the console', async () => {
    await request(app).get(`${DEFAULT_SCOPE}/collections`).set(reader).expect(200);
    await request(app).get(`${base}/count`).set('X-Chroma-Token', GRAFANA).expect(200);
    const got = await request(app).post(`${base}/get`).set(reader).send({}).expect(200);
    expect(got.body.ids).toEqual(['a']);
    await request(app)
      .post(`${base}/query`)
      .set(reader)
      .send({ query_embeddings: [[1, 2, 3]] })
      .expect(200);
    await request(app).post('/search').set(reader).send({ query: 'backups', collection: 'docs' }).expect(200);
    await request(app).get('/metrics').set(reader).expect(200);
    await request(app).get('/console/api/overview').set(reader).expect(200);
    await request(app).post('/console/api/search').set(reader).send({ query: 'backups' }).expect(200);
  });

  it('should be refused every write with 403, and the data stay as it was', async () => {
    const writes: [string, string, unknown][] = [
      ['post', `${DEFAULT_SCOPE}/collections`, { name: 'other' }],
      ['post', `${base}/add`, { ids: ['b'], embeddings: [[1, 2, 3]] }],
      ['post', `${base}/upsert`, { ids: ['a'], embeddings: [[3, 2, 1]] }],
      ['post', `${base}/update`, { ids: ['a'], documents: ['changed'] }],
      ['post', `${base}/delete`, { ids: ['a'] }],
      ['post', `${base.toUpperCase()}/DELETE`, { ids: ['a'] }],
      ['put', `${base}`, { new_name: 'renamed' }],
      ['delete', `${DEFAULT_SCOPE}/collections/docs`, undefined],
      ['post', '/api/v2/tenants', { name: 'evil' }],
      ['post', '/api/v2/reset', undefined],
    ];
    for (const [method, path, body] of writes) {
      const agent = request(app);
      const res = await agent[method as 'post'](path)
        .set(reader)
        .send(body as object);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({ error: 'AuthorizationError', message: expect.stringContaining('nextchat') });
    }
    const got = await request(app).post(`${base}/get`).set(admin).send({}).expect(200);
    expect(got.body).toMatchObject({ ids: ['a'], documents: ['backups are copies'] });
  });

  it('should not be refused writes when the admin token is presented', async () => {
    await request(app)
      .post(`${base}/upsert`)
      .set(admin)
      .send({ ids: ['c'], embeddings: [[1, 1, 1]] })
      .expect(200);
  });
});

describe('request logs', () => {
  it('should name the credential a request used, never the token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const { app } = createTestApp(
      { KBGATE_AUTH_TOKEN: ADMIN, KBGATE_READ_TOKEN: `nextchat:${READER}`, KBGATE_LOG_REQUESTS: 'all' },
      { logger },
    );
    await request(app)
      .get(`${DEFAULT_SCOPE}/collections`)
      .set('Authorization', `Bearer ${READER}`)
      .expect(200);
    await request(app).post(`${DEFAULT_SCOPE}/collections`).set('Authorization', `Bearer ${READER}`).send({});
    const logged = lines.map(
      (line) => JSON.parse(line) as { principal?: string; res?: { statusCode: number } },
    );
    expect(logged.filter((l) => l.res).map((l) => [l.principal, l.res?.statusCode])).toEqual([
      ['nextchat', 200],
      ['nextchat', 403],
    ]);
    expect(lines.join('\n')).not.toContain(READER);
  });
});
