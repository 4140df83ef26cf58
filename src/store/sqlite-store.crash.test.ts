import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const BATCH = 50;
const KILL_AFTER_BATCHES = 20;
const COLLECTION_ID = '00000000-0000-4000-8000-c4a54c4a54c4';

/** Writes batches forever, printing each committed seq; the parent kills it with SIGKILL mid-stream. */
const WRITER_SOURCE = `
const { SqliteStore } = await import(process.env.KB_STORE_MODULE);
const store = new SqliteStore(process.env.KB_PATH);
store.createCollection({
  id: '${COLLECTION_ID}', name: 'crash', tenant: 'default_tenant', database: 'default_database',
  metadata: null, configuration: {}, dimension: null, embedding: null,
  hnsw: { space: 'l2', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
});
for (let batch = 0; ; batch++) {
  const records = Array.from({ length: ${BATCH} }, (_, i) => ({
    id: batch + '-' + i, embedding: new Float32Array([batch, i]), document: 'batch ' + batch,
    metadata: { batch }, uri: null,
  }));
  store.putRecords('${COLLECTION_ID}', records);
  process.stdout.write(store.currentSeq('${COLLECTION_ID}') + '\\n');
}
`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs the writer until it reports `batches` commits, then SIGKILLs it; resolves with the last reported seq. */
function killWriterAfter(path: string, batches: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER_SOURCE], {
    env: {
      ...process.env,
      KB_PATH: path,
      KB_STORE_MODULE: new URL('./sqlite-store.ts', import.meta.url).href,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastSeq = 0;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().trim().split('\n');
    lastSeq = Math.max(lastSeq, Number(lines.at(-1)));
    if (lastSeq >= batches) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(lastSeq) : reject(new Error(`writer exited without SIGKILL: ${stderr}`)),
    );
  });
}

describe('SqliteStore after SIGKILL of a writing process', () => {
  it('should keep every committed batch whole and no partial batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbgate-crash-'));
    dirs.push(dir);
    const path = join(dir, 'kb.sqlite');
    const reported = await killWriterAfter(path, KILL_AFTER_BATCHES);
    const store = new SqliteStore(path);
    const seq = store.currentSeq(COLLECTION_ID);
    const count = store.count(COLLECTION_ID);
    store.close();
    expect(reported).toBeGreaterThanOrEqual(KILL_AFTER_BATCHES);
    expect(seq).toBeGreaterThanOrEqual(reported);
    expect(count).toBe(seq * BATCH);
  });
});
