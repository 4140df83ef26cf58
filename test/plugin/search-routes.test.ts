import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { MAX_RESPONSE_CHARS } from '../../src/retrieval/fit-response.js';
import { createPluginApp, type PluginApp } from './plugin-app.js';

let plugin: PluginApp;

beforeAll(async () => {
  plugin = await createPluginApp();
});

describe('POST /search', () => {
  it('should return cited passages best first with the modes that ran', async () => {
    const res = await request(plugin.app).post('/search').send({ query: 'automobile', top_k: 2 });
    expect(res.status).toBe(200);
    expect(res.body.modes).toEqual(['vector', 'lexical']);
    expect(res.body.results.map((h: { id: string }) => h.id)).toEqual(['car-insurance', 'car-tyres']);
    expect(res.body.results[0].source).toEqual({
      path: 'garage/insurance.md',
      title: 'insurance',
      heading: 'About insurance',
      anchor: 'about-insurance',
      lines: [1, 5],
    });
    expect(res.body.truncated).toBeUndefined();
  });

  it('should return five passages by default', async () => {
    const res = await request(plugin.app).post('/search').send({ query: 'dog car bread bank' });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(5);
  });

  it('should apply mode and where', async () => {
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'dog', mode: 'lexical', where: { topic: { $in: ['pets', 'food'] } } });
    expect(res.status).toBe(200);
    expect(res.body.modes).toEqual(['lexical']);
    expect(res.body.results.map((h: { id: string }) => h.id).sort()).toEqual(['dog-walk']);
  });

  it('should find Chinese and Thai passages', async () => {
    const zh = await request(plugin.app).post('/search').send({ query: '深度学习', mode: 'lexical' });
    const th = await request(plugin.app).post('/search').send({ query: 'ไก่ทอด', mode: 'lexical' });
    expect(zh.body.results[0].id).toBe('zh-ml');
    expect(th.body.results[0].id).toBe('th-food');
  });

  it('should search another collection when asked', async () => {
    const other = plugin.engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'other-notes' });
    await plugin.engine.add(other.id, { ids: ['n1'], documents: ['Quarterly budget review notes'] });
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'budget', collection: 'other-notes' });
    expect(res.body.results.map((h: { id: string }) => h.id)).toEqual(['n1']);
    expect(res.body.modes).toEqual(['lexical']);
  });

  it('should keep the response under 100,000 characters and say it was truncated', async () => {
    const big = plugin.engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'big-pages' });
    const ids = Array.from({ length: 30 }, (_, i) => `page-${i}`);
    await plugin.engine.add(big.id, {
      ids,
      documents: ids.map((id) => `${id} harbour `.repeat(1_000)),
    });
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'harbour', top_k: 30, collection: 'big-pages' });
    expect(res.status).toBe(200);
    expect(res.text.length).toBeLessThanOrEqual(MAX_RESPONSE_CHARS);
    expect(res.body.truncated).toBe(true);
    expect(res.body.results).toHaveLength(30);
  });

  it('should answer an empty collection with no results', async () => {
    plugin.engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'empty-notes' });
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'anything', collection: 'empty-notes' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [], modes: ['lexical'] });
  });

  it('should answer 404 for a collection that does not exist', async () => {
    const res = await request(plugin.app).post('/search').send({ query: 'x', collection: 'no-such-thing' });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('NotFoundError');
  });

  it.each([
    ['an empty query', { query: '   ' }],
    ['a missing query', { top_k: 3 }],
    ['top_k 0', { query: 'dog', top_k: 0 }],
    ['top_k 51', { query: 'dog', top_k: 51 }],
    ['a fractional top_k', { query: 'dog', top_k: 2.5 }],
    ['an unknown mode', { query: 'dog', mode: 'fuzzy' }],
    ['a where that is not an object', { query: 'dog', where: ['topic'] }],
    ['a where with an unknown operator', { query: 'dog', where: { topic: { $like: 'p%' } } }],
  ])('should answer 400 for %s', async (_name, body) => {
    const res = await request(plugin.app).post('/search').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
  });

  it('should answer 400 for malformed JSON', async () => {
    const res = await request(plugin.app)
      .post('/search')
      .set('Content-Type', 'application/json')
      .send('{"query": ');
    expect(res.status).toBe(400);
  });
});

describe('POST /search results', () => {
  it("should give each hit its relevance and each retriever's own score, and no metadata by default", async () => {
    const res = await request(plugin.app).post('/search').send({ query: 'automobile insurance', top_k: 3 });
    expect(res.status).toBe(200);
    const [first] = res.body.results as Record<string, unknown>[];
    expect(Object.keys(first!).sort()).toEqual(['id', 'relevance', 'scores', 'source', 'text']);
    expect(first!.relevance).toBe(1);
    expect(first!.scores).toEqual({ lexical: expect.any(Number), vector: expect.any(Number) });
  });

  it('should score with BM25, not ranks, when only the lexical retriever runs', async () => {
    const res = await request(plugin.app).post('/search').send({ query: 'dog walk puppy', mode: 'lexical' });
    const results = res.body.results as { scores: { lexical: number; vector: null }; relevance: number }[];
    expect(results.length).toBeGreaterThan(1);
    expect(results[0]!.scores.lexical).toBeGreaterThan(results[1]!.scores.lexical);
    expect(results[0]!.scores.vector).toBeNull();
    expect(results[0]!.relevance).toBeGreaterThan(results[1]!.relevance);
    expect(results[0]!.relevance).toBeLessThan(1);
  });

  it('should return the stored metadata and the ranking score when include_metadata is true', async () => {
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'automobile', top_k: 1, include_metadata: true });
    expect(res.body.results[0].metadata).toMatchObject({ topic: 'cars', source: 'garage/insurance.md' });
    expect(res.body.results[0].score).toEqual(expect.any(Number));
  });

  it('should leave out passages below min_relevance', async () => {
    const all = await request(plugin.app).post('/search').send({ query: 'dog walk puppy', mode: 'lexical' });
    const strong = await request(plugin.app)
      .post('/search')
      .send({ query: 'dog walk puppy', mode: 'lexical', min_relevance: 0.5 });
    expect(all.body.results.length).toBeGreaterThan(strong.body.results.length);
    for (const hit of strong.body.results as { relevance: number }[])
      expect(hit.relevance).toBeGreaterThanOrEqual(0.5);
  });

  it('should cut long passages to max_chars around the words of the query and keep five hits under 4 KB', async () => {
    const manual = plugin.engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'long-manual' });
    const filler = 'Unrelated operational detail about the harbour crane schedule. '.repeat(40);
    const ids = Array.from({ length: 5 }, (_, i) => `chapter-${i}`);
    await plugin.engine.add(manual.id, {
      ids,
      documents: ids.map(
        (id) => `${filler}\nThe ${id} lighthouse beacon rotates every ten seconds.\n${filler}`,
      ),
      metadatas: ids.map((id) => ({
        source: `manual/${id}.md`,
        title: id,
        heading_path: 'Manual > Beacons',
      })),
    });
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'lighthouse beacon', collection: 'long-manual' });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(5);
    expect(res.body.truncated).toBe(true);
    for (const hit of res.body.results as { text: string }[]) {
      expect(hit.text.length).toBeLessThanOrEqual(600);
      expect(hit.text).toContain('lighthouse beacon');
    }
    expect(res.text.length).toBeLessThan(4096);
    const wide = await request(plugin.app)
      .post('/search')
      .send({ query: 'lighthouse beacon', collection: 'long-manual', top_k: 1, max_chars: 5000 });
    expect(wide.body.results[0].text.length).toBeGreaterThan(600);
  });

  it('should answer a vector search of a lexical-only collection with what to do instead', async () => {
    plugin.engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
      name: 'plain-notes',
      embedding: 'none',
    });
    const res = await request(plugin.app)
      .post('/search')
      .send({ query: 'anything', collection: 'plain-notes', mode: 'vector' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('"plain-notes"');
    expect(res.body.message).toContain('"lexical" and "hybrid"');
    expect(res.body.message).not.toContain('queryEmbeddings');
  });

  it.each([
    ['max_chars below 50', { query: 'dog', max_chars: 10 }],
    ['min_relevance above 1', { query: 'dog', min_relevance: 1.5 }],
    ['include_metadata that is not a boolean', { query: 'dog', include_metadata: 'yes' }],
  ])('should answer 400 for %s', async (_name, body) => {
    const res = await request(plugin.app).post('/search').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
  });
});

describe('GET /search', () => {
  it('should take its parameters from the query string', async () => {
    const res = await request(plugin.app)
      .get('/search')
      .query({ query: 'puppy meals', top_k: '1', mode: 'lexical' });
    expect(res.status).toBe(200);
    expect(res.body.results.map((h: { id: string }) => h.id)).toEqual(['dog-food']);
  });

  it('should answer 400 for top_k out of range or not a number', async () => {
    expect((await request(plugin.app).get('/search').query({ query: 'dog', top_k: '99' })).status).toBe(400);
    expect((await request(plugin.app).get('/search').query({ query: 'dog', top_k: 'many' })).status).toBe(
      400,
    );
    expect((await request(plugin.app).get('/search')).status).toBe(400);
  });
});

describe('/search with KBGATE_AUTH_TOKEN', () => {
  it('should require the bearer token', async () => {
    const secured = await createPluginApp({ KBGATE_AUTH_TOKEN: 's3cret' });
    const denied = await request(secured.app).post('/search').send({ query: 'dog' });
    const wrong = await request(secured.app).get('/search?query=dog').set('Authorization', 'Bearer nope');
    const allowed = await request(secured.app)
      .post('/search')
      .set('Authorization', 'Bearer s3cret')
      .send({ query: 'dog' });
    expect(denied.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(allowed.status).toBe(200);
  });
});
