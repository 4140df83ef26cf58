import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import { createApp } from '../src/http/app.js';
import { runIngestCli } from '../src/ingest/cli.js';

const TOKEN = 'ingest-test-token';

let base: string;
let engine: Engine;
let server: Server;
let url: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-ingest-http-'));
  const config = loadConfig({
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_AUTH_TOKEN: TOKEN,
  });
  engine = openEngine({ defaultEmbedding: 'none' }).engine;
  const app = createApp({ engine, config });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  engine.close();
  await rm(base, { recursive: true, force: true });
});

function captureIo() {
  const out = { stdout: '', stderr: '' };
  const stream = (key: 'stdout' | 'stderr') =>
    ({ write: (text: string) => (out[key] += text) }) as unknown as NodeJS.WritableStream;
  return { out, io: { stdout: stream('stdout'), stderr: stream('stderr') } };
}

describe('npm run ingest --url', () => {
  it('should sync through a live server, incrementally and with --prune', async () => {
    const kb = path.join(base, 'kb');
    await mkdir(kb);
    await writeFile(path.join(kb, 'a.md'), '---\ntags: [x, y]\n---\n# A\n\nalpha');
    await writeFile(path.join(kb, 'b.md'), '# B\n\nbeta');
    const env = { KBGATE_DATA_DIR: ':memory:' };
    const args = [kb, '--url', url, '--token', TOKEN, '--collection', 'remote'];

    const first = captureIo();
    expect(await runIngestCli(args, { env, ...first.io })).toBe(0);
    expect(first.out.stdout).toMatch(
      /^remote: 2 added, 0 updated, 0 unchanged, 0 removed, 0 failed; 2 chunks/,
    );

    const collection = engine.getCollection('default_tenant', 'default_database', 'remote');
    const stored = await engine.get(collection.id, { include: ['metadatas'] });
    expect(stored.ids.sort()).toEqual(['a.md#0', 'b.md#0']);
    expect(stored.metadatas?.find((meta) => meta?.source === 'a.md')).toMatchObject({ tags: ['x', 'y'] });

    await rm(path.join(kb, 'b.md'));
    const second = captureIo();
    expect(await runIngestCli([...args, '--prune'], { env, ...second.io })).toBe(0);
    expect(second.out.stdout).toMatch(/^remote: 0 added, 0 updated, 1 unchanged, 1 removed, 0 failed/);
    expect((await engine.get(collection.id, {})).ids).toEqual(['a.md#0']);
  });

  it('should fail with exit code 2 when the server refuses the token', async () => {
    const kb = path.join(base, 'kb');
    await mkdir(kb);
    await writeFile(path.join(kb, 'a.md'), '# A');
    const run = captureIo();
    const code = await runIngestCli([kb, '--url', url, '--token', 'wrong'], { env: {}, ...run.io });
    expect(code).toBe(2);
    expect(run.out.stderr).toMatch(/401|403/);
  });

  it('should not create the collection in a dry run', async () => {
    const kb = path.join(base, 'kb');
    await mkdir(kb);
    await writeFile(path.join(kb, 'a.md'), '# A\n\nalpha');
    const run = captureIo();
    expect(
      await runIngestCli([kb, '--url', url, '--token', TOKEN, '--dry-run'], { env: {}, ...run.io }),
    ).toBe(0);
    expect(run.out.stdout).toMatch(/^docs: 1 added.*\(dry run, nothing written\)\n$/);
    expect(engine.listCollections('default_tenant', 'default_database')).toEqual([]);
  });
});
