import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { INDEX_DIR, openEngine } from '../../src/engine-factory.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

type Warning = { details: Record<string, unknown>; message: string };

function open(path: string, warnings: Warning[]) {
  return openEngine({
    path,
    defaultEmbedding: 'none',
    warn: (details, message) => warnings.push({ details, message }),
  });
}

describe('a damaged vector index', () => {
  it('should be rebuilt with a warning naming the collection and why', async () => {
    const path = mkdtempSync(join(tmpdir(), 'kbgate-rebuild-'));
    dirs.push(path);
    const first = open(path, []).engine;
    const collection = first.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'manuals' });
    const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
    await first.add(collection.id, { ids, embeddings: ids.map((_, i) => [i, 1, 2]) });
    await first.query(collection.id, { queryEmbeddings: [[1, 1, 2]], nResults: 1 });
    first.flush();
    first.close();
    const index = join(
      path,
      INDEX_DIR,
      readdirSync(join(path, INDEX_DIR)).find((f) => f.endsWith('.hnsw'))!,
    );
    const bytes = readFileSync(index);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    writeFileSync(index, bytes);

    const warnings: Warning[] = [];
    const { engine } = open(path, warnings);
    const hits = await engine.query(collection.id, { queryEmbeddings: [[3, 1, 2]], nResults: 1 });
    engine.close();

    expect(hits.ids).toEqual([['r3']]);
    expect(warnings).toEqual([
      {
        details: expect.objectContaining({ collection: 'manuals', collectionId: collection.id }),
        message: expect.stringMatching(/collection "manuals".*checksum \(damaged\)/),
      },
    ]);
  });

  it('should not warn about a collection that never had index files', async () => {
    const path = mkdtempSync(join(tmpdir(), 'kbgate-rebuild-'));
    dirs.push(path);
    const warnings: Warning[] = [];
    const { engine } = open(path, warnings);
    const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'fresh' });
    await engine.add(collection.id, { ids: ['a'], embeddings: [[1, 2, 3]] });
    await engine.query(collection.id, { queryEmbeddings: [[1, 2, 3]], nResults: 1 });
    engine.close();
    expect(warnings).toEqual([]);
  });

  it('should remove temporary files that a killed save left, at start-up', () => {
    const path = mkdtempSync(join(tmpdir(), 'kbgate-rebuild-'));
    dirs.push(path);
    open(path, []).engine.close();
    const stale = `0123.hnsw.${process.pid}.abcdef.tmp`;
    writeFileSync(join(path, INDEX_DIR, stale), 'partial');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(join(path, INDEX_DIR, stale), old, old);
    const warnings: Warning[] = [];
    open(path, warnings).engine.close();
    expect(readdirSync(join(path, INDEX_DIR))).not.toContain(stale);
    expect(warnings[0]?.details).toMatchObject({ files: [stale] });
  });
});
