import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../src/engine/database.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { runIngestCli } from '../../src/ingest/cli.js';
import { LAST_INGEST_KEY, readLastIngest } from '../../src/ingest/last-ingest.js';

let base: string;
let kb: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-last-ingest-'));
  kb = path.join(base, 'kb');
  await mkdir(kb);
  await writeFile(path.join(kb, 'a.md'), '# A\n\nalpha');
  await writeFile(path.join(kb, 'b.md'), '# B\n\nbeta');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const silent = () => {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  return { stdout: sink, stderr: sink };
};

function lastIngestOf(engine: Engine, name: string) {
  return readLastIngest(engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name).metadata);
}

describe('ingest records its last run in the collection metadata', () => {
  it('should record time, files, chunks and failures of a run into the data directory, keeping other metadata', async () => {
    const dataDir = path.join(base, 'data');
    const env = { KBGATE_DATA_DIR: dataDir, KBGATE_EMBEDDING: 'none' };
    const before = Date.now();
    expect(await runIngestCli([kb, '--collection', 'notes'], { env, ...silent() })).toBe(0);
    const { engine } = openEngine({ path: dataDir });
    try {
      const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'notes');
      engine.modifyCollection(model.id, { metadata: { ...model.metadata, owner: 'docs team' } });
    } finally {
      engine.close();
    }
    await writeFile(path.join(kb, 'b.md'), '# B\n\nbeta, changed');
    expect(await runIngestCli([kb, '--collection', 'notes'], { env, ...silent() })).toBe(0);

    const reopened = openEngine({ path: dataDir }).engine;
    try {
      const run = lastIngestOf(reopened, 'notes');
      expect(run).toMatchObject({ files: 2, added: 0, updated: 1, unchanged: 1, failed: 0, chunks: 1 });
      expect(Date.parse(run!.at)).toBeGreaterThanOrEqual(before);
      const metadata = reopened.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'notes').metadata;
      expect(metadata?.owner).toBe('docs team');
    } finally {
      reopened.close();
    }
  });

  it('should record nothing for a dry run', async () => {
    const dataDir = path.join(base, 'data');
    const env = { KBGATE_DATA_DIR: dataDir, KBGATE_EMBEDDING: 'none' };
    expect(await runIngestCli([kb, '--collection', 'notes'], { env, ...silent() })).toBe(0);
    const { engine } = openEngine({ path: dataDir });
    const first = lastIngestOf(engine, 'notes');
    engine.close();
    await writeFile(path.join(kb, 'c.md'), '# C\n\ngamma');
    expect(await runIngestCli([kb, '--collection', 'notes', '--dry-run'], { env, ...silent() })).toBe(0);
    const reopened = openEngine({ path: dataDir }).engine;
    expect(lastIngestOf(reopened, 'notes')).toEqual(first);
    reopened.close();
  });

  it('should record a run through --url on the server', async () => {
    const config = loadConfig({ KBGATE_DATA_DIR: ':memory:', KBGATE_EMBEDDING: 'none' });
    const engine = openEngine({ defaultEmbedding: 'none' }).engine;
    const server = await new Promise<Server>((resolve) => {
      const listening = createApp({ engine, config }).listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const env = { KBGATE_DATA_DIR: ':memory:' };
      expect(await runIngestCli([kb, '--url', url, '--collection', 'remote'], { env, ...silent() })).toBe(0);
      expect(lastIngestOf(engine, 'remote')).toMatchObject({ files: 2, added: 2, chunks: 2, failed: 0 });
      const metadata = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'remote').metadata;
      expect(Object.keys(metadata ?? {})).toEqual([LAST_INGEST_KEY]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      engine.close();
    }
  });
});
