import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { makeTempDir } from '../helpers/clients.js';
import { runKbgate } from '../helpers/run-kbgate.js';

let data: ReturnType<typeof makeTempDir>;
let upstream: Server;
let upstreamUrl: string;

beforeEach(async () => {
  data = makeTempDir('kbgate-doctor-');
  upstream = createServer((req, res) => {
    const authorized = req.headers.authorization === 'Bearer up-key';
    res.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(authorized ? { object: 'list', data: [{ id: 'vicuna-7b-v1.5' }] } : { error: 'no' }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterEach(async () => {
  await new Promise((resolve) => upstream.close(resolve));
  data.dispose();
});

describe('kbgate doctor', () => {
  it('should pass a sound set-up', async () => {
    const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
    const docs = await client.createCollection({ name: 'docs' });
    await docs.add({ ids: ['a'], documents: ['alpha'] });
    client.close();
    const run = await runKbgate(['doctor'], {
      KBGATE_DATA_DIR: data.path,
      KBGATE_EMBEDDING: 'none',
      KBGATE_UPSTREAM_URL: upstreamUrl,
      KBGATE_UPSTREAM_API_KEY: 'up-key',
      KBGATE_CORS_ORIGINS: 'http://localhost:3000,http://127.0.0.1:3000',
    });
    expect(run.stdout).toMatch(/^ok\s+collection "docs" \(KBGATE_COLLECTION\): 1 records$/m);
    expect(run.stdout).toMatch(/serves vicuna-7b-v1\.5/);
    expect(run.stdout).toMatch(/All checks passed\.\n$/);
    expect(run.status).toBe(0);
  });

  it('should name each problem with its fix', async () => {
    const models = makeTempDir('kbgate-models-');
    try {
      const run = await runKbgate(['doctor'], {
        KBGATE_DATA_DIR: data.path,
        KBGATE_HOST: '0.0.0.0',
        KBGATE_OFFLINE: '1',
        KBGATE_MODEL_DIR: models.path,
        KBGATE_UPSTREAM_URL: upstreamUrl,
        KBGATE_UPSTREAM_API_KEY: 'wrong',
        KBGATE_CORS_ORIGINS: 'http://localhost:3000',
      });
      expect(run.status).toBe(1);
      const out = run.stdout;
      expect(out).toMatch(/^ok\s+data directory: .* is writable$/m);
      expect(out).toMatch(
        /^FAIL\s+collection "docs" \(KBGATE_COLLECTION\): does not exist.*\n\s+fix: .*ingest <folder/m,
      );
      expect(out).toMatch(
        /^FAIL\s+embedding "default" \(KBGATE_EMBEDDING\): .*\n\s+fix: .*KBGATE_EMBEDDING=none/m,
      );
      expect(out).toMatch(
        /^FAIL\s+retrieval proxy upstream .*refused the key.*\n\s+fix: set KBGATE_UPSTREAM_API_KEY/m,
      );
      expect(out).toMatch(
        /^FAIL\s+authentication: off while listening on 0\.0\.0\.0.*\n\s+fix: set KBGATE_AUTH_TOKEN/m,
      );
      expect(out).toMatch(/^WARN\s+public URL .*\n\s+fix: set KBGATE_PUBLIC_URL/m);
      expect(out).toMatch(/^WARN\s+CORS origins .*localhost and 127\.0\.0\.1 are different origins/m);
    } finally {
      models.dispose();
    }
  });

  it('should say when the upstream cannot be reached', async () => {
    await new Promise((resolve) => upstream.close(resolve));
    upstream = createServer();
    const run = await runKbgate(['doctor'], {
      KBGATE_DATA_DIR: data.path,
      KBGATE_EMBEDDING: 'none',
      KBGATE_UPSTREAM_URL: upstreamUrl,
    });
    expect(run.stdout).toMatch(/^FAIL\s+retrieval proxy upstream .*cannot reach .*ECONNREFUSED/m);
  });
});
