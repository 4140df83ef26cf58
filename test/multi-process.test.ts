import { describe, expect, it } from 'vitest';
import { PersistentClient } from '../src/client.js';
import { batchEmbeddings } from './helpers/batches.js';
import { startWriter } from './helpers/child-writer.js';
import { makeTempDir } from './helpers/clients.js';

describe('two processes on one data directory', () => {
  it('should keep every write of both writers and show them to a third reader on its next call', async () => {
    const dir = makeTempDir('kbgate-multi-');
    const reader = new PersistentClient({ path: dir.path });
    try {
      const collection = await reader.getOrCreateCollection({
        name: 'crash',
        configuration: { hnsw: { space: 'l2' } },
      });
      const a = startWriter(dir.path, { prefix: 'a', first: 0, batches: 25, size: 20, flushEvery: 5 });
      const b = startWriter(dir.path, { prefix: 'b', first: 0, batches: 25, size: 20, flushEvery: 7 });
      let running = true;
      void Promise.all([a.exited, b.exited]).then(() => (running = false));
      const seen: number[] = [];
      while (running) {
        seen.push(await collection.count());
        await collection.query({ queryEmbeddings: [batchEmbeddings('a', 0, 1)[0] as number[]], nResults: 5 });
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
      expect(a.stderr() + b.stderr()).toBe('');
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(await collection.count()).toBe(1000);
      for (const prefix of ['a', 'b']) {
        const probe = batchEmbeddings(prefix, 24, 1)[0] as number[];
        const hit = await collection.query({ queryEmbeddings: [probe], nResults: 1 });
        expect(hit.ids[0]).toEqual([`${prefix}-24-0`]);
        const got = await collection.get({ where: { prefix }, include: [] });
        expect(got.ids).toHaveLength(500);
      }
      const everything = await collection.query({ queryEmbeddings: [new Array(8).fill(0)], nResults: 1000 });
      expect(new Set(everything.ids[0]).size).toBe(1000);
    } finally {
      reader.close();
      dir.dispose();
    }
  });
});
