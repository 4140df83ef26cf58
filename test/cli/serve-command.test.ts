import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { makeTempDir } from '../helpers/clients.js';
import { kbgateArgs, kbgateEnv, runKbgate } from '../helpers/run-kbgate.js';

let data: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  data = makeTempDir('kbgate-serve-');
});

afterEach(() => data.dispose());

async function listenSomewhere(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const STACK_FRAME = /^\s+at /m;

describe('kbgate serve start-up errors', () => {
  it('should print its settings for serve --help instead of starting', async () => {
    const run = await runKbgate(['serve', '--help'], { KBGATE_DATA_DIR: data.path });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/KBGATE_PORT\s+\(default 8000\)/);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it('should print the version for --version', async () => {
    const run = await runKbgate(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('should refuse an unknown KBGATE_EMBEDDING at start-up', async () => {
    const run = await runKbgate(['serve'], { KBGATE_DATA_DIR: data.path, KBGATE_EMBEDDING: 'bogus' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^kbgate: configuration error: KBGATE_EMBEDDING: unknown embedding function "bogus"/,
    );
  });

  it('should explain a busy port in one line naming KBGATE_PORT', async () => {
    const busy = await listenSomewhere();
    try {
      const port = String((busy.address() as AddressInfo).port);
      const run = await runKbgate(['serve'], { KBGATE_DATA_DIR: data.path, KBGATE_PORT: port });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toMatch(
        new RegExp(`^kbgate: cannot start: port ${port} is already in use .*KBGATE_PORT`),
      );
      expect(run.stderr).not.toMatch(STACK_FRAME);
    } finally {
      busy.close();
    }
  });

  it('should explain a data directory that cannot be created in one line naming KBGATE_DATA_DIR', async () => {
    const file = join(data.path, 'a-file');
    writeFileSync(file, '');
    const run = await runKbgate(['serve'], { KBGATE_DATA_DIR: join(file, 'data'), KBGATE_PORT: '0' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      /^kbgate: cannot start: cannot use the data directory .*KBGATE_DATA_DIR/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('kbgate serve start-up summary', () => {
  it('should print URLs, data directory, collections, embedding availability and the ingest command once', async () => {
    const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
    const docs = await client.createCollection({ name: 'docs' });
    await docs.add({ ids: ['a', 'b'], documents: ['alpha', 'beta'] });
    await client.createCollection({ name: 'empty-one' });
    client.close();
    const models = makeTempDir('kbgate-models-');
    const env = {
      KBGATE_DATA_DIR: data.path,
      KBGATE_PORT: '0',
      KBGATE_COLLECTION: 'handbook',
      KBGATE_OFFLINE: '1',
      KBGATE_MODEL_DIR: models.path,
      KBGATE_UPSTREAM_URL: 'http://127.0.0.1:8001/v1',
    };
    const child = spawn(process.execPath, kbgateArgs(['serve']), { env: kbgateEnv(env) });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', () => /\nNext:.*\n.*\n.*\n/.test(stderr) && resolve());
        child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      const url = /is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      expect(url).toBeDefined();
      for (const part of [
        `${url}/api/v2`,
        `${url}/docs`,
        `POST ${url}/search`,
        `${url}/v1`,
        'http://127.0.0.1:8001/v1',
        data.path,
      ])
        expect(stderr).toContain(part);
      expect(stderr).toMatch(/docs: 2 records, embedding none/);
      expect(stderr).toMatch(/empty-one: 0 records/);
      expect(stderr).toMatch(/Embedding\s+default for new collections: NOT available/);
      expect(stderr).toMatch(/Vector search\s+hnswlib-node, (AVX2|stock) build \(.+\)/);
      expect(stderr).toMatch(/Next: fill the "handbook" collection/);
      expect(stderr).toMatch(/ingest <folder>/);
      expect(stderr).toMatch(/KBGATE_EMBEDDING=none .*ingest <folder>/);
      expect(stderr.match(/is listening on/g)).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
      models.dispose();
    }
  });
});
