import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readPackageVersion } from '../../src/cli/package-version.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { NEXTCHAT_TOPIC_PROMPTS } from '../../src/http/openai/nextchat-prompts.js';
import { CONCEPT_BINDING, CONCEPT_DIMENSION } from '../plugin/concept-embedding.js';
import { loadPassages, PASSAGES } from '../plugin/fixture-corpus.js';
import { createPluginApp, PLUGIN_COLLECTION } from '../plugin/plugin-app.js';

const TOKEN = 'console-test-token';

interface Hit {
  id: string;
  text: string;
  relevance: number;
  highlights: [number, number][];
  source: { path?: string };
}

function highlighted(hit: Hit): string[] {
  return hit.highlights.map(([start, end]) => hit.text.slice(start, end));
}

describe('GET / (the console page)', () => {
  it('should serve the page, its scripts and styles without credentials, with no inline script or style', async () => {
    const { app } = await createPluginApp({ KBGATE_AUTH_TOKEN: TOKEN });
    const page = await request(app).get('/').expect(200).expect('content-type', /html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/<style|\sstyle=/);
    for (const [, src] of page.text.matchAll(/(?:src|href)="(console\/assets\/[^"]+)"/g)) {
      await request(app).get(`/${src}`).expect(200);
    }
    await request(app)
      .get('/console/assets/main.js')
      .expect(200)
      .expect('content-type', /javascript/);
    await request(app).get('/console/assets/missing.js').expect(401);
  });
});

describe('console API authentication', () => {
  const calls: [string, string, object?][] = [
    ['get', '/console/api/overview'],
    ['get', '/console/api/checks'],
    ['post', '/console/api/search', { query: 'car' }],
    ['post', '/console/api/preview', { question: 'car' }],
    ['get', `/console/api/collections/${PLUGIN_COLLECTION}/records`],
    ['get', `/console/api/collections/${PLUGIN_COLLECTION}/record?id=bread`],
  ];

  it.each(calls)('should refuse %s %s without the token and answer with it', async (method, path, body) => {
    const { app } = await createPluginApp({ KBGATE_AUTH_TOKEN: TOKEN });
    const send = (req: request.Test) => (body ? req.send(body) : req);
    const refused = await send(request(app)[method as 'get'](path)).expect(401);
    expect(refused.body.error).toBe('AuthError');
    await send(request(app)[method as 'get'](path).set('Authorization', 'Bearer wrong')).expect(401);
    await send(request(app)[method as 'get'](path).set('Authorization', `Bearer ${TOKEN}`)).expect(200);
  });
});

describe('GET /console/api/overview', () => {
  it('should list collections with record count, embedding, dimension and last ingest, and kbgate version', async () => {
    const { app, engine } = await createPluginApp();
    engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'empty', embedding: 'none' });
    const { body } = await request(app).get('/console/api/overview').expect(200);
    expect(body.version).toBe(readPackageVersion());
    expect(body.collection).toBe(PLUGIN_COLLECTION);
    expect(body.collections).toEqual([
      expect.objectContaining({
        name: PLUGIN_COLLECTION,
        records: PASSAGES.length,
        embedding: CONCEPT_BINDING,
        dimension: CONCEPT_DIMENSION,
        lastIngest: null,
      }),
      expect.objectContaining({ name: 'empty', records: 0, embedding: null, dimension: null, indexBytes: 0 }),
    ]);
    expect(body.collections[0].indexBytes).toBeGreaterThan(PASSAGES.length * CONCEPT_DIMENSION * 4);
    expect(body.memory.rss).toBeGreaterThan(0);
    expect(body.storage).toBeNull();
    expect(body.proxy).toMatchObject({ upstream: null, passages: 5, minRelevance: 0.5 });
  });

  it('should show the last ingest recorded in the collection metadata', async () => {
    const { app, engine } = await createPluginApp();
    const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, PLUGIN_COLLECTION);
    const run = { at: '2026-01-02T03:04:05.000Z', files: 3, added: 1, updated: 1, unchanged: 1, removed: 0 };
    const last = { ...run, failed: 1, chunks: 7, seconds: 0.5 };
    engine.modifyCollection(model.id, { metadata: { 'kbgate:last_ingest': JSON.stringify(last) } });
    const { body } = await request(app).get('/console/api/overview').expect(200);
    expect(body.collections[0].lastIngest).toEqual(last);
  });
});

describe('GET /console/api/checks', () => {
  it("should run doctor's checks against the server's own engine", async () => {
    const { app } = await createPluginApp();
    const { body } = await request(app).get('/console/api/checks').expect(200);
    const byTitle = Object.fromEntries(
      (body.checks as { title: string; status: string }[]).map((c) => [c.title, c.status]),
    );
    expect(byTitle).toMatchObject({
      [`collection "${PLUGIN_COLLECTION}" (KBGATE_COLLECTION)`]: 'ok',
      [`embedding "${CONCEPT_BINDING}" of collection "${PLUGIN_COLLECTION}"`]: 'ok',
      'retrieval proxy upstream (KBGATE_UPSTREAM_URL)': 'warn',
      authentication: 'ok',
    });
  });

  it('should report an upstream that cannot be reached and a missing collection', async () => {
    const { app } = await createPluginApp({
      KBGATE_UPSTREAM_URL: 'http://127.0.0.1:9/v1',
      KBGATE_COLLECTION: 'missing',
    });
    const { body } = await request(app).get('/console/api/checks').expect(200);
    const statuses = (body.checks as { title: string; status: string }[]).map((c) => [c.title, c.status]);
    expect(statuses).toContainEqual(['collection "missing" (KBGATE_COLLECTION)', 'fail']);
    expect(statuses).toContainEqual(['retrieval proxy upstream (KBGATE_UPSTREAM_URL)', 'fail']);
  });
});

describe('POST /console/api/search', () => {
  it('should return compact hits with metadata, scores, relevance and the spans of the query words', async () => {
    const { app } = await createPluginApp();
    const { body } = await request(app)
      .post('/console/api/search')
      .send({ query: 'tyre for the car', mode: 'lexical' })
      .expect(200);
    const hit = body.results[0] as Hit;
    expect(hit.id).toBe('car-tyres');
    expect(highlighted(hit)).toEqual(['car', 'tyres']);
    expect(hit.source.path).toBe('garage/tyres.md');
    expect(body.results[0]).toHaveProperty('metadata.topic', 'cars');
    expect(body.proxy).toEqual({ minRelevance: 0.5 });
    expect(body.collection).toBe(PLUGIN_COLLECTION);
  });

  it('should highlight Chinese and Thai words as the index segments them', async () => {
    const { app } = await createPluginApp();
    const zh = await request(app).post('/console/api/search').send({ query: '什么是机器学习' }).expect(200);
    const zhHit = (zh.body.results as Hit[]).find((h) => h.id === 'zh-ml')!;
    expect(highlighted(zhHit)).toEqual(['机器学习', '学习']);
    const th = await request(app).post('/console/api/search').send({ query: 'ข้าวผัด' }).expect(200);
    expect(highlighted((th.body.results as Hit[])[0]!)).toEqual(['ข้าวผัด']);
  });

  it('should answer a bad filter or mode with 400', async () => {
    const { app } = await createPluginApp();
    const bad = await request(app)
      .post('/console/api/search')
      .send({ query: 'car', where: { year: { $bad: 1 } } })
      .expect(400);
    expect(bad.body.message).toMatch(/\$bad/);
    await request(app).post('/console/api/search').send({ query: 'car', mode: 'fuzzy' }).expect(400);
  });
});

describe('POST /console/api/preview', () => {
  it('should report the passages the proxy would add, the token budget and the message the model gets', async () => {
    const { app } = await createPluginApp();
    const { body } = await request(app)
      .post('/console/api/preview')
      .send({ question: 'When does the car need new tyres?' })
      .expect(200);
    expect(body).toMatchObject({ outcome: 'added', collection: PLUGIN_COLLECTION, minRelevance: 0.5 });
    expect(body.passages[0]).toMatchObject({
      id: 'car-tyres',
      cite: expect.stringContaining('garage/tyres.md'),
    });
    expect(body.budget).toMatchObject({ contextLength: 4096, counted: 'estimate' });
    expect(body.budget.used).toBeGreaterThan(0);
    expect(body.budget.used).toBeLessThanOrEqual(body.budget.room);
    expect(body.message).toContain('The car needs new tyres before the winter season.');
    expect(body.message).toMatch(/When does the car need new tyres\?$/);
  });

  it('should say why nothing would be added', async () => {
    const { app } = await createPluginApp();
    const ask = async (question: string, env?: Record<string, string>) => {
      const target = env ? (await createPluginApp(env)).app : app;
      const { body } = await request(target).post('/console/api/preview').send({ question }).expect(200);
      return body as { outcome: string; passages: unknown[]; message: string | null };
    };
    const lexical = await createPluginApp({ KBGATE_COLLECTION: 'lexical' });
    await loadPassages(lexical.engine, 'lexical', 'none');
    const unrelated = await request(lexical.app)
      .post('/console/api/preview')
      .send({ question: 'Which volcano erupted in 1815?' })
      .expect(200);
    expect(unrelated.body).toMatchObject({ outcome: 'below-threshold', passages: [], message: null });
    expect((await ask('tyres', { KBGATE_COLLECTION: 'missing' })).outcome).toBe('no-collection');
    expect((await ask('tyres', { KBGATE_PROXY_PASSAGES: '0' })).outcome).toBe('disabled');
    expect((await ask('Summarize our conversation')).outcome).toBe('housekeeping');
    expect((await ask(NEXTCHAT_TOPIC_PROMPTS.en!)).outcome).toBe('housekeeping');
  });

  it('should answer 400 for a missing or empty question', async () => {
    const { app } = await createPluginApp();
    await request(app).post('/console/api/preview').send({}).expect(400);
    await request(app).post('/console/api/preview').send({ question: '  ' }).expect(400);
  });
});

describe('GET /console/api/collections/:name/records', () => {
  it('should page through records in storage order with the total', async () => {
    const { app } = await createPluginApp();
    const path = `/console/api/collections/${PLUGIN_COLLECTION}/records`;
    const first = await request(app).get(path).query({ limit: 4 }).expect(200);
    expect(first.body).toMatchObject({ offset: 0, limit: 4, total: PASSAGES.length, more: true });
    expect(first.body.records.map((r: { id: string }) => r.id)).toEqual(
      PASSAGES.slice(0, 4).map((p) => p.id),
    );
    const last = await request(app).get(path).query({ offset: 8, limit: 4 }).expect(200);
    expect(last.body.more).toBe(false);
    expect(last.body.records[0]).toMatchObject({
      id: PASSAGES[8]!.id,
      preview: PASSAGES[8]!.text,
      source: { path: 'th/food.md', lines: [1, 5] },
    });
  });

  it('should filter by document text and by a where filter', async () => {
    const { app } = await createPluginApp();
    const path = `/console/api/collections/${PLUGIN_COLLECTION}/records`;
    const byText = await request(app).get(path).query({ contains: '学习' }).expect(200);
    expect(byText.body.records.map((r: { id: string }) => r.id)).toEqual(['zh-ml']);
    expect(byText.body.total).toBeNull();
    const byWhere = await request(app)
      .get(path)
      .query({ where: JSON.stringify({ topic: 'pets' }) })
      .expect(200);
    expect(byWhere.body.records.map((r: { id: string }) => r.id)).toEqual(['dog-food', 'dog-walk']);
    await request(app).get(path).query({ where: '[1]' }).expect(400);
    await request(app).get(path).query({ limit: 1000 }).expect(400);
    await request(app).get('/console/api/collections/missing/records').expect(404);
  });

  it('should return one record in full with its source and embedding, or 404', async () => {
    const { app } = await createPluginApp();
    const path = `/console/api/collections/${PLUGIN_COLLECTION}/record`;
    const { body } = await request(app).get(path).query({ id: 'dog-walk' }).expect(200);
    expect(body).toMatchObject({
      id: 'dog-walk',
      document: 'A dog needs a long walk every morning.',
      source: { path: 'pets/walks.md', heading: 'About walks', anchor: 'about-walks', lines: [5, 9] },
      embedding: { dimension: CONCEPT_DIMENSION },
      siblings: [{ id: 'dog-walk' }],
    });
    expect(body.metadata.topic).toBe('pets');
    await request(app).get(path).query({ id: 'nope' }).expect(404);
    await request(app).get(path).expect(400);
  });
});
