import { describe, expect, it } from 'vitest';
import { PersistentClient, type Collection } from '../src/client.js';
import { BATCH_DIM, batchEmbeddings } from './helpers/batches.js';
import { startWriter } from './helpers/child-writer.js';
import { makeTempDir } from './helpers/clients.js';
import { createRng } from '../src/engine/where/random-where.js';

const BATCH_SIZE = 40;

/** Checks that every batch is whole or absent, and returns the set of batches present. */
async function presentBatches(collection: Collection): Promise<Map<number, number>> {
  const all = await collection.get({ include: ['metadatas'] });
  const sizes = new Map<number, number>();
  for (const m of all.metadatas ?? []) {
    const batch = Number(m?.['batch']);
    sizes.set(batch, (sizes.get(batch) ?? 0) + 1);
  }
  return sizes;
}

/** Checks that the vector index agrees with the stored records: each record finds itself first. */
async function expectIndexMatchesStore(
  collection: Collection,
  prefix: string,
  batches: number[],
): Promise<void> {
  const total = await collection.count();
  const everything = await collection.query({
    queryEmbeddings: [new Array(BATCH_DIM).fill(0)],
    nResults: total,
  });
  expect(new Set(everything.ids[0]).size).toBe(total);
  for (const batch of batches.slice(-3)) {
    const [probe] = batchEmbeddings(prefix, batch, 1);
    const hit = await collection.query({ queryEmbeddings: [probe as number[]], nResults: 1 });
    expect(hit.ids[0]?.[0]).toBe(`${prefix}-${batch}-0`);
  }
}

describe('crash safety', () => {
  const dir = makeTempDir('kbgate-crash-');

  it('should keep every committed batch and no partial batch across repeated SIGKILLs', async () => {
    const rng = createRng(20261122);
    const reported = new Set<number>();
    let next = 0;
    for (let round = 0; round < 10; round++) {
      const writer = startWriter(dir.path, {
        prefix: 'p',
        first: next,
        batches: 1000,
        size: BATCH_SIZE,
        flushEvery: 3,
      });
      await writer.whenCommitted(2 + Math.floor(rng() * 6));
      await new Promise((r) => setTimeout(r, Math.floor(rng() * 40)));
      writer.child.kill('SIGKILL');
      await writer.exited;
      expect(writer.stderr()).not.toMatch(/Error/);
      writer.committed.forEach((b) => reported.add(b));

      const client = new PersistentClient({ path: dir.path });
      try {
        const collection = await client.getCollection({ name: 'crash' });
        const sizes = await presentBatches(collection);
        for (const [batch, size] of sizes) expect({ batch, size }).toEqual({ batch, size: BATCH_SIZE });
        for (const batch of reported) expect(sizes.has(batch)).toBe(true);
        const present = [...sizes.keys()].sort((a, b) => a - b);
        await expectIndexMatchesStore(collection, 'p', present);
        next = (present.at(-1) ?? -1) + 1;
      } finally {
        client.close();
      }
    }
    expect(reported.size).toBeGreaterThan(6);
    dir.dispose();
  });
});
