import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { createBackup } from '../../src/ops/backup.js';
import { restoreBackup, RestoreRefused } from '../../src/ops/restore.js';
import { verifyBackup, verifyDataDir } from '../../src/ops/verify.js';
import { batchEmbeddings } from '../helpers/batches.js';
import { startWriter, type ChildWriter } from '../helpers/child-writer.js';
import { makeTempDir } from '../helpers/clients.js';

const BATCH_SIZE = 40;
const PREFIXES = ['a', 'b', 'c'];

/** Batches present per writer prefix, with how many of each batch's records exist. */
async function readBatches(dataDir: string): Promise<Map<string, Map<number, number>>> {
  const client = new PersistentClient({ path: dataDir });
  try {
    const collection = await client.getCollection({ name: 'crash' });
    const all = await collection.get({ include: ['metadatas'] });
    const out = new Map(PREFIXES.map((p) => [p, new Map<number, number>()]));
    for (const m of all.metadatas ?? []) {
      const sizes = out.get(String(m?.['prefix']))!;
      const batch = Number(m?.['batch']);
      sizes.set(batch, (sizes.get(batch) ?? 0) + 1);
    }
    for (const prefix of PREFIXES) {
      const last = Math.max(-1, ...out.get(prefix)!.keys());
      if (last < 0) continue;
      const [probe] = batchEmbeddings(prefix, last, 1);
      const hit = await collection.query({ queryEmbeddings: [probe as number[]], nResults: 1 });
      expect(hit.ids[0]?.[0], `nearest neighbour of ${prefix}-${last}-0`).toBe(`${prefix}-${last}-0`);
    }
    return out;
  } finally {
    client.close();
  }
}

function kill(writers: ChildWriter[]): Promise<unknown> {
  for (const w of writers) w.child.kill('SIGKILL');
  return Promise.all(writers.map((w) => w.exited));
}

describe('kbgate backup while writers run', () => {
  it('should restore every batch committed before the backup began and no partial batch', async () => {
    const data = makeTempDir('kbgate-backup-src-');
    const out = makeTempDir('kbgate-backup-out-');
    const creator = new PersistentClient({ path: data.path });
    await creator.createCollection({ name: 'crash', configuration: { hnsw: { space: 'l2' } } });
    creator.close();
    const writers = PREFIXES.map((prefix) =>
      startWriter(data.path, { prefix, first: 0, batches: 2000, size: BATCH_SIZE, flushEvery: 4 }),
    );
    try {
      await Promise.all(writers.map((w) => w.whenCommitted(12)));
      const before = writers.map((w) => [...w.committed]);
      const file = join(out.path, 'backup.sqlite3');
      const backup = createBackup(data.path, file);
      writers[2]!.child.kill('SIGKILL'); // mid-batch: it writes without pause
      const summary = await backup;
      const atEnd = writers.map((w) => w.committed.length);
      await Promise.all(writers.slice(0, 2).map((w, i) => w.whenCommitted(atEnd[i]! + 3)));
      await kill(writers);
      expect(writers.map((w) => w.stderr()).join('')).not.toMatch(/Error/);
      expect(summary.records).toBeGreaterThan(0);

      expect(verifyBackup(file).filter((r) => r.status !== 'ok')).toEqual([]);
      const restored = join(out.path, 'restored');
      restoreBackup(file, restored);
      expect(verifyDataDir(restored).filter((r) => r.status === 'fail')).toEqual([]);
      const present = await readBatches(restored);
      PREFIXES.forEach((prefix, i) => {
        const sizes = present.get(prefix)!;
        for (const [batch, size] of sizes)
          expect({ prefix, batch, size }).toEqual({ prefix, batch, size: BATCH_SIZE });
        for (const batch of before[i]!) expect(sizes.has(batch), `${prefix} batch ${batch}`).toBe(true);
        const batches = [...sizes.keys()].sort((x, y) => x - y);
        expect(batches).toEqual(batches.map((_, n) => n)); // each writer's batches: a prefix, no gap
      });
      const total = [...present.values()].reduce((sum, sizes) => sum + sizes.size * BATCH_SIZE, 0);
      expect(total).toBe(summary.records);
      const everything = await readBatches(data.path);
      const later = PREFIXES.some((p) => everything.get(p)!.size > present.get(p)!.size);
      expect(later, 'writers went on committing after the snapshot').toBe(true);
    } finally {
      await kill(writers);
      data.dispose();
      out.dispose();
    }
  });
});

describe('kbgate verify and restore on damaged backups', () => {
  it('should fail verify on a flipped byte in a document and a truncated copy, and refuse to restore them', async () => {
    const data = makeTempDir('kbgate-verify-src-');
    const out = makeTempDir('kbgate-verify-out-');
    try {
      const client = new PersistentClient({ path: data.path });
      const collection = await client.createCollection({ name: 'docs' });
      const ids = Array.from({ length: 200 }, (_, i) => `doc-${i}`);
      await collection.add({
        ids,
        embeddings: batchEmbeddings('v', 0, ids.length),
        documents: ids.map((id) => `the text of ${id}, marker-${id}-end`),
      });
      client.close();
      const file = join(out.path, 'good.sqlite3');
      await createBackup(data.path, file);
      expect(verifyBackup(file).every((r) => r.status === 'ok')).toBe(true);

      const flipped = join(out.path, 'flipped.sqlite3');
      const bytes = readFileSync(file);
      const at = bytes.indexOf('marker-doc-117-end');
      expect(at).toBeGreaterThan(0);
      bytes[at + 7] = 'X'.charCodeAt(0);
      writeFileSync(flipped, bytes);
      const flippedResults = verifyBackup(flipped);
      expect(flippedResults.find((r) => r.title === 'contents')?.status).toBe('fail');

      const truncated = join(out.path, 'truncated.sqlite3');
      writeFileSync(truncated, readFileSync(file).subarray(0, Math.floor(bytes.length / 2)));
      expect(verifyBackup(truncated).some((r) => r.status === 'fail')).toBe(true);

      const target = join(out.path, 'target');
      restoreBackup(file, target);
      for (const damaged of [flipped, truncated]) {
        expect(() => restoreBackup(damaged, target, { replace: true })).toThrow(RestoreRefused);
      }
      expect(verifyDataDir(target).every((r) => r.status === 'ok')).toBe(true);
    } finally {
      data.dispose();
      out.dispose();
    }
  });

  it('should refuse to restore over a data directory that a process has open', async () => {
    const data = makeTempDir('kbgate-inuse-');
    try {
      const client = new PersistentClient({ path: data.path });
      await client.createCollection({ name: 'docs' });
      const file = join(data.path, 'backup.sqlite3');
      await createBackup(data.path, file);
      const copy = join(data.path, 'copy.sqlite3');
      copyFileSync(file, copy);
      expect(() => restoreBackup(copy, data.path, { replace: true })).toThrow(/in use/);
      expect(await client.listCollections()).toHaveLength(1);
      client.close();
      expect(restoreBackup(copy, data.path, { replace: true }).replaced).toBe(true);
    } finally {
      data.dispose();
    }
  });
});
