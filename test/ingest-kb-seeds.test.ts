import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collection } from '../src/client.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import { repairMojibake } from '../src/ingest/repair-encoding.js';
import { syncFolders, type SyncReport } from '../src/ingest/sync.js';
import { hybridSearch } from '../src/retrieval/hybrid-search.js';

/** The shared real-world articles, beside the repository; one of them is UTF-8 Russian once misread as Mac Roman. */
const KB_SEEDS = fileURLToPath(new URL('../../shared/data/kb-seeds', import.meta.url));
const MISENCODED = '001_53b59ca0fc9cfa0f.md';

describe.skipIf(!existsSync(KB_SEEDS))('ingesting the kb-seeds articles', () => {
  let engine: Engine;
  let report: SyncReport;

  beforeAll(async () => {
    engine = openEngine({ defaultEmbedding: 'none' }).engine;
    const model = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
      name: 'seeds',
      embedding: 'none',
    });
    report = await syncFolders(new Collection(engine, model), { folders: [KB_SEEDS] });
  });

  afterAll(() => engine.close());

  it('should store the mis-encoded Russian article with readable headings and passages, and say it repaired it', async () => {
    expect(report.failed).toBe(0);
    expect(report.warnings).toEqual([
      {
        source: MISENCODED,
        message: expect.stringMatching(/^repaired \d+ mis-encoded line\(s\).*Mac Roman/),
      },
    ]);
    const collection = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'seeds');
    const stored = await engine.get(collection.id, {
      where: { source: MISENCODED },
      include: ['documents', 'metadatas'],
    });
    expect(stored.ids.length).toBeGreaterThan(3);
    expect(stored.metadatas?.[0]?.title).toBe('🔧 Исправления проблем с ChromaDB');
    expect(stored.metadatas?.map((meta) => meta?.heading)).toContain('1. Проверка Health Check');
    for (const text of [
      ...(stored.documents ?? []),
      ...(stored.metadatas ?? []).map((m) => String(m?.heading_path)),
    ]) {
      expect(text).toMatch(/[а-яё]/i);
      expect(repairMojibake(text ?? '').misreadAs).toBeNull();
    }
  });

  it('should find the article’s health-check passage for a Russian question', async () => {
    const { results } = await hybridSearch(engine, {
      collection: 'seeds',
      query: 'Почему не проходил health check контейнера ChromaDB?',
      topK: 3,
    });
    expect(results[0]?.source.path).toBe(MISENCODED);
    expect(results[0]?.text).toMatch(/Проблема с Health Check/);
    expect(results[0]?.text).toContain('curl -f http://localhost:8000/api/v1/heartbeat');
  });
});
