/**
 * Backup and restore benchmark: how long a backup takes and how big it is, and how long a restored data directory
 * takes until its first query can be answered, with the vector indexes in the backup and without them.
 *
 * Usage: npm run bench:backup -- [--n 100000] [--dim 384] [--batch 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PersistentClient } from '../src/client.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import { createBackup } from '../src/ops/backup.js';
import { restoreBackup } from '../src/ops/restore.js';
import { verifyBackup } from '../src/ops/verify.js';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    batch: { type: 'string', default: '1000' },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const BATCH = Number(values.batch);

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

async function fill(dir: string): Promise<number> {
  const start = performance.now();
  const client = new PersistentClient({ path: dir, defaultEmbedding: 'none' });
  const collection = await client.createCollection({
    name: 'bench',
    configuration: { hnsw: { space: 'cosine' } },
  });
  const vectors = clusteredVectors(N, DIM, 100, 42);
  for (let from = 0; from < N; from += BATCH) {
    const slice = vectors.slice(from, from + BATCH);
    await collection.add({
      ids: slice.map((_, i) => `r${from + i}`),
      embeddings: slice.map((v) => Array.from(v)),
      documents: slice.map((_, i) => `passage ${from + i} about topic ${(from + i) % 100}`),
      metadatas: slice.map((_, i) => ({ bucket: (from + i) % 10 })),
    });
  }
  client.close();
  return seconds(start);
}

/** Seconds from opening a restored data directory until every collection's index is loaded and a query answers. */
async function timeToFirstQuery(dir: string): Promise<number> {
  const start = performance.now();
  const { engine } = openEngine({ path: dir, defaultEmbedding: 'none' });
  for (const c of engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE)) engine.loadIndex(c.id);
  const [collection] = engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE);
  await engine.query(collection!.id, { queryEmbeddings: [new Float32Array(DIM).fill(0.1)], nResults: 10 });
  const elapsed = seconds(start);
  engine.close();
  return elapsed;
}

async function measure(work: string, source: string, indexes: boolean): Promise<Record<string, string>> {
  const file = join(work, `backup-${indexes ? 'with' : 'without'}-indexes.sqlite3`);
  const backup = await createBackup(source, file, { indexes });
  let start = performance.now();
  verifyBackup(file);
  const verify = seconds(start);
  const target = join(work, `restored-${indexes ? 'with' : 'without'}`);
  start = performance.now();
  restoreBackup(file, target);
  const restore = seconds(start);
  const firstQuery = await timeToFirstQuery(target);
  return {
    indexes: indexes ? 'in the backup' : 'rebuilt',
    backup_s: backup.seconds.toFixed(2),
    backup_mb: (backup.bytes / 1e6).toFixed(0),
    verify_s: verify.toFixed(2),
    restore_s: restore.toFixed(2),
    first_query_s: firstQuery.toFixed(2),
    restore_to_query_s: (restore + firstQuery).toFixed(2),
  };
}

const work = mkdtempSync(join(tmpdir(), 'kbgate-bench-backup-'));
try {
  const source = join(work, 'source');
  const fillSeconds = await fill(source);
  console.log(`filled ${N} x ${DIM} (cosine) in ${fillSeconds.toFixed(1)} s`);
  console.table([await measure(work, source, true), await measure(work, source, false)]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
