import type { Express } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { EmbeddingFunction } from '../../src/engine/ports.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { LAST_INGEST_KEY } from '../../src/ingest/last-ingest.js';
import { instrumentEmbeddings } from '../../src/ops/instrument-embedding.js';
import { DEFAULT_SCOPE } from '../http/test-app.js';
import { postChat, startProxy, type Proxy } from '../openai/proxy-fixture.js';

/** Every sample of a scrape, keyed `name{label="value",...}` with labels sorted by name. */
function parseScrape(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k!, v!]);
    samples.set(key(match[1]!, Object.fromEntries(labels)), Number(match[3]));
  }
  return samples;
}

function key(name: string, labels: Record<string, string> = {}): string {
  const sorted = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return sorted.length === 0 ? name : `${name}{${sorted.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** The metrics change between two scrapes (the registry is the process's, shared by every app of this file). */
function delta(before: Map<string, number>, after: Map<string, number>, name: string, labels = {}): number {
  const k = key(name, labels);
  return (after.get(k) ?? 0) - (before.get(k) ?? 0);
}

const TOKEN = 'metrics-test-token';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** A fake embedding function: two numbers per text, from its length. */
const FAKE: EmbeddingFunction = {
  name: 'openai:fake',
  embed: async (texts) => texts.map((t) => Float32Array.from([t.length, 1])),
  embedQuery: async (texts) => texts.map((t) => Float32Array.from([t.length, 1])),
};

function createMeasuredApp(): Express {
  const config = loadConfig({
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_AUTH_TOKEN: TOKEN,
  });
  const { engine } = openEngine({
    defaultEmbedding: 'openai:fake',
    resolveEmbedding: instrumentEmbeddings(() => FAKE),
  });
  return createApp({ engine, config });
}

async function scrape(app: Express): Promise<Map<string, number>> {
  const res = await request(app).get('/metrics').set(auth).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseScrape(res.text);
}

describe('GET /metrics', () => {
  let proxy: Proxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('should need the same credentials as the API', async () => {
    const app = createMeasuredApp();
    await request(app).get('/metrics').expect(401);
    await request(app).get('/metrics').set('X-Chroma-Token', TOKEN).expect(200);
  });

  it('should show the requests, records, collections, ingest and embedding calls of a known sequence', async () => {
    const app = createMeasuredApp();
    const before = await scrape(app);
    for (let i = 0; i < 3; i++) await request(app).get('/api/v2/heartbeat').expect(200);
    await request(app).get('/api/v2/nothing-here').set(auth).expect(404);
    const lastIngest = JSON.stringify({ at: '2026-01-02T03:04:05.000Z', files: 4, added: 3, failed: 1 });
    const created = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .set(auth)
      .send({ name: 'docs', metadata: { [LAST_INGEST_KEY]: lastIngest } })
      .expect(200);
    const records = `${DEFAULT_SCOPE}/collections/${created.body.id as string}`;
    await request(app)
      .post(`${records}/add`)
      .set(auth)
      .send({ ids: ['a', 'b', 'c'], documents: ['one', 'two', 'three'] })
      .expect(201);
    await request(app)
      .post(`${records}/query`)
      .set(auth)
      .send({ query_texts: ['two'], n_results: 1 })
      .expect(200);
    const after = await scrape(app);

    const http = 'kbgate_http_request_duration_seconds_count';
    expect(delta(before, after, http, { method: 'GET', route: '/api/v2/heartbeat', status: '200' })).toBe(3);
    expect(delta(before, after, http, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    const add = '/api/v2/tenants/:tenant/databases/:database/collections/:collection_id/add';
    expect(delta(before, after, http, { method: 'POST', route: add, status: '201' })).toBe(1);
    expect(delta(before, after, http, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(after.get(key('kbgate_collections'))).toBe(1);
    const docs = { database: 'default_database', collection: 'docs' };
    expect(after.get(key('kbgate_records', docs))).toBe(3);
    expect(after.get(key('kbgate_index_memory_bytes', docs))).toBeGreaterThan(0);
    expect(after.get(key('kbgate_ingest_last_run_timestamp_seconds', docs))).toBe(1767323045);
    expect(after.get(key('kbgate_ingest_last_run_files', { ...docs, result: 'added' }))).toBe(3);
    expect(after.get(key('kbgate_ingest_last_run_files', { ...docs, result: 'failed' }))).toBe(1);
    const embedding = 'kbgate_embedding_duration_seconds_count';
    const fn = { function: 'openai:fake', outcome: 'ok' };
    expect(delta(before, after, embedding, { ...fn, kind: 'document' })).toBe(1);
    expect(delta(before, after, embedding, { ...fn, kind: 'query' })).toBe(1);
    const texts = 'kbgate_embedding_texts_total';
    expect(delta(before, after, texts, { function: 'openai:fake', kind: 'document' })).toBe(3);
    expect(after.has(key('process_resident_memory_bytes'))).toBe(true);
  });

  it('should count chat requests by retrieval outcome, passages added, and upstream answers and failures', async () => {
    proxy = await startProxy();
    const root = proxy.baseUrl.replace(/\/v1$/, '');
    const read = async () => parseScrape(await (await fetch(`${root}/metrics`)).text());
    const before = await read();
    const chat = (content: string) =>
      postChat(proxy!, JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }));
    const added = await chat('How do I take a backup of the data directory?');
    expect(added.headers.get('x-kbgate-retrieval')).toBe('added');
    const passages = Number(added.headers.get('x-kbgate-passages'));
    await added.text();
    const unrelated = await chat('What colour do flamingos turn when they eat shrimp?');
    expect(unrelated.headers.get('x-kbgate-retrieval')).toBe('below-threshold');
    await unrelated.text();
    const housekeeping = await chat('Summarize our conversation so far.');
    expect(housekeeping.headers.get('x-kbgate-retrieval')).toBe('housekeeping');
    await housekeeping.text();
    await proxy.fake.close();
    const failed = await fetch(`${proxy.baseUrl}/models`, { headers: { authorization: 'Bearer k' } });
    expect(failed.status).toBe(502);
    const after = await read();

    const outcomes = 'kbgate_proxy_chat_requests_total';
    for (const retrieval of ['added', 'below-threshold', 'housekeeping']) {
      expect(delta(before, after, outcomes, { retrieval }), retrieval).toBe(1);
    }
    expect(passages).toBeGreaterThan(0);
    expect(delta(before, after, 'kbgate_proxy_passages_added_total')).toBe(passages);
    const upstream = 'kbgate_upstream_request_duration_seconds_count';
    expect(delta(before, after, upstream, { operation: '/chat/completions', status: '200' })).toBe(3);
    const failures = 'kbgate_upstream_failures_total';
    expect(delta(before, after, failures, { operation: '/models', reason: 'unreachable' })).toBe(1);
  });
});
