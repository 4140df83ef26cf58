import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import type { Metadata } from '../src/engine/types.js';

interface Passage {
  id: string;
  document: string;
  metadata?: Metadata;
}

const PASSAGES: Passage[] = [
  { id: 'compose-health', document: 'Add a Health Check to the compose service so Docker restarts it.' },
  { id: 'k8s-probe', document: 'Kubernetes uses a healthcheck endpoint as its liveness probe.' },
  {
    id: 'api-option',
    document: 'Pass maxTokens to limit the answer; the busy_timeout pragma waits for locks.',
  },
  {
    id: 'ru-backup',
    document: 'Резервное копирование: остановите контейнер и сохраните том с данными.',
  },
  {
    id: 'heading-match',
    document: 'The method compiles SQL once and runs it many times.',
    metadata: { title: 'better-sqlite3', heading_path: 'API > Prepared statements' },
  },
  {
    id: 'body-mention',
    document: 'Benchmark table: prepared statements, transactions and pragmas compared across drivers.',
    metadata: { title: 'better-sqlite3', heading_path: 'Benchmarks' },
  },
  { id: 'zh-health', document: '在 Docker 中配置健康检查，确保服务可用。' },
  { id: 'filler-1', document: 'Unrelated text about gardening and tomatoes.' },
  { id: 'filler-2', document: 'More unrelated text about cooking rice.' },
];

let engine: Engine;
let collectionId: string;

beforeAll(async () => {
  engine = openEngine({ defaultEmbedding: 'none' }).engine;
  const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
    name: 'lexical',
    embedding: 'none',
  });
  collectionId = collection.id;
  await engine.add(collectionId, {
    ids: PASSAGES.map((p) => p.id),
    documents: PASSAGES.map((p) => p.document),
    metadatas: PASSAGES.map((p) => p.metadata ?? null),
  });
});

afterAll(() => engine.close());

async function search(query: string): Promise<{ ids: string[]; relevances: number[] }> {
  const result = await engine.lexicalQuery(collectionId, { queryText: query, nResults: 5 });
  return { ids: result.ids, relevances: result.relevances };
}

describe('lexical search', () => {
  it('should treat "healthcheck", "health check" and "health-check" as one term', async () => {
    for (const query of ['healthcheck', 'health check', 'health-check', 'healthCheck']) {
      const { ids } = await search(query);
      expect(ids.slice(0, 2).sort(), query).toEqual(['compose-health', 'k8s-probe']);
    }
  });

  it('should find camelCase and snake_case identifiers by their words and whole', async () => {
    expect((await search('max tokens')).ids[0]).toBe('api-option');
    expect((await search('maxTokens')).ids[0]).toBe('api-option');
    expect((await search('busy timeout')).ids[0]).toBe('api-option');
    expect((await search('busy_timeout')).ids[0]).toBe('api-option');
  });

  it('should match Russian words in another inflection', async () => {
    const { ids } = await search('как сделать резервную копию контейнера');
    expect(ids[0]).toBe('ru-backup');
  });

  it('should rank a match in the heading above the same words in body text', async () => {
    const { ids } = await search('prepared statements in better-sqlite3');
    expect(ids[0]).toBe('heading-match');
  });

  it('should keep Chinese segmentation', async () => {
    expect((await search('健康检查')).ids[0]).toBe('zh-health');
  });

  it('should give full relevance to a passage with every informative word and less to partial matches', async () => {
    const full = await search('Docker compose health check');
    expect(full.ids[0]).toBe('compose-health');
    expect(full.relevances[0]).toBe(1);
    const partial = await search('Docker compose health check encryption keys rotation');
    expect(partial.ids[0]).toBe('compose-health');
    expect(partial.relevances[0]).toBeGreaterThan(0);
    expect(partial.relevances[0]).toBeLessThan(full.relevances[0]!);
    for (const r of [...full.relevances, ...partial.relevances]) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
  });

  it('should give low relevance to hits that share only a common word with the question', async () => {
    const { ids, relevances } = await search('unrelated question about quantum chromodynamics');
    expect(ids.length).toBeGreaterThan(0);
    expect(Math.max(...relevances)).toBeLessThan(0.5);
  });

  it('should report the same relevance through lexicalRelevance as through lexicalQuery', async () => {
    const query = 'Docker health check';
    const hits = await search(query);
    const again = await engine.lexicalRelevance(collectionId, query, [...hits.ids, 'no-such-id']);
    expect(again.slice(0, -1)).toEqual(hits.relevances);
    expect(again.at(-1)).toBe(0);
  });

  it('should measure relevance the same way for a few hits (their text) and many (the postings)', async () => {
    const many = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
      name: 'many-hits',
      embedding: 'none',
    });
    const ids = Array.from({ length: 40 }, (_, i) => `note-${i}`);
    const words = ['harbour', 'crane', 'schedule', 'health-check', 'maxTokens', 'настройки'];
    await engine.add(many.id, {
      ids,
      documents: ids.map((_, i) => words.filter((_, w) => (i >> w) % 2 === 1).join(' ') + ' filler'),
      metadatas: ids.map((_, i) => (i % 3 === 0 ? { title: 'Crane manual' } : null)),
    });
    const query = 'harbour crane healthcheck max tokens настройка';
    const all = await engine.lexicalRelevance(many.id, query, ids);
    const few = await engine.lexicalRelevance(many.id, query, ids.slice(0, 8));
    expect(few).toEqual(all.slice(0, 8));
    expect(new Set(all).size).toBeGreaterThan(5);
  });

  it('should restrict a filtered search to the allowed records whether the filter keeps few or many', async () => {
    const filtered = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
      name: 'filtered',
      embedding: 'none',
    });
    const ids = Array.from({ length: 300 }, (_, i) => `rec-${i}`);
    await engine.add(filtered.id, {
      ids,
      documents: ids.map((_, i) => `lighthouse ${i % 2 === 0 ? 'beacon' : 'keeper'} note ${i}`),
      metadatas: ids.map((_, i) => ({ bucket: i % 10 })),
    });
    const cases = [
      { where: { bucket: 3 }, keep: (i: number) => i % 10 === 3 },
      { where: { bucket: { $ne: 3 } }, keep: (i: number) => i % 10 !== 3 },
    ];
    for (const { where, keep } of cases) {
      const result = await engine.lexicalQuery(filtered.id, {
        queryText: 'lighthouse beacon',
        nResults: 300,
        where,
      });
      const expected = ids.filter((_, i) => keep(i));
      expect([...result.ids].sort()).toEqual([...expected].sort());
      const beacons = result.ids.filter((id) => Number(id.slice(4)) % 2 === 0);
      expect(result.ids.slice(0, beacons.length).sort()).toEqual([...beacons].sort());
    }
  });
});
