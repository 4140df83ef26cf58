import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/http/logging.js';
import { Readiness } from '../../src/ops/readiness.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { batchEmbeddings } from '../helpers/batches.js';
import { makeTempDir } from '../helpers/clients.js';
import { ROOT } from '../deployment/compose-file.js';

/** Runs the container health check (scripts/healthcheck.mjs) against a port, as the compose file does. */
function runHealthcheck(port: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const script = `${ROOT}scripts/healthcheck.mjs`;
    execFile(process.execPath, [script, ...args], { env: { KBGATE_PORT: port } }, (error, _out, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

/** A stand-in upstream that answers GET /v1/models with `status`. */
async function startUpstream(status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"data":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Readiness', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function dataDirWithStore(): string {
    const dir = makeTempDir('kbgate-ready-');
    new PersistentClient({ path: dir.path }).close();
    cleanups.push(() => dir.dispose());
    return dir.path;
  }

  it('should be ready only once started, with a writable store and an upstream that answers', async () => {
    const upstream = await startUpstream();
    cleanups.push(() => close(upstream.server));
    const readiness = new Readiness({
      dataDir: dataDirWithStore(),
      upstream: { url: upstream.url, apiKey: 'k' },
    });
    cleanups.push(() => readiness.stop());
    expect(readiness.report().checks.starting).toBe('starting');
    readiness.setStarting(null);
    expect(readiness.report().checks.upstream).toBe('upstream not checked yet');
    readiness.start();
    await until(() => readiness.report().ready);
    expect(readiness.report().checks).toEqual({ starting: null, store: null, upstream: null });
    readiness.stop();
    readiness.setStarting(null);
    expect(readiness.report().checks.starting).toBe('shutting down');
  });

  it('should name an upstream that refuses or answers an error', async () => {
    const failing = await startUpstream(401);
    cleanups.push(() => close(failing.server));
    const refused = await startUpstream();
    await close(refused.server);
    for (const [url, problem] of [
      [failing.url, 'upstream answered 401 to GET /v1/models'],
      [refused.url, 'upstream unreachable (ECONNREFUSED)'],
    ] as const) {
      const readiness = new Readiness({ dataDir: null, upstream: { url, apiKey: null } });
      cleanups.push(() => readiness.stop());
      readiness.setStarting(null);
      readiness.start();
      await until(() => readiness.report().checks.upstream !== 'upstream not checked yet');
      expect(readiness.report()).toEqual({
        ready: false,
        checks: { starting: null, store: null, upstream: problem },
      });
    }
  });

  it('should not be ready when the data directory or the database cannot be written', () => {
    const gone = dataDirWithStore();
    const readiness = new Readiness({ dataDir: gone, upstream: null, storeCacheMs: 0 });
    cleanups.push(() => readiness.stop());
    readiness.setStarting(null);
    expect(readiness.report().ready).toBe(true);
    rmSync(gone, { recursive: true, force: true });
    expect(readiness.report().checks.store).toBe('data directory not writable (ENOENT)');
  });
});

describe('GET /api/v2/healthcheck of a running server', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.shutdown();
    running = undefined;
  });

  it('should answer 200 once the vector indexes are loaded, and 503 naming the upstream while it is down', async () => {
    const dir = makeTempDir('kbgate-ready-server-');
    const client = new PersistentClient({ path: dir.path });
    const collection = await client.createCollection({ name: 'docs' });
    await collection.add({ ids: ['a', 'b'], embeddings: batchEmbeddings('r', 0, 2) });
    client.close();
    const upstream = await startUpstream();
    const env = {
      KBGATE_DATA_DIR: dir.path,
      KBGATE_PORT: '0',
      KBGATE_EMBEDDING: 'none',
      KBGATE_UPSTREAM_URL: upstream.url,
    };
    running = await startServer(loadConfig(env), silentLogger());
    const url = running.url;
    const status = async (path: string) => (await fetch(`${url}${path}`)).status;
    await until(async () => (await status('/api/v2/healthcheck')) === 200);
    await close(upstream.server);
    await running.shutdown();
    running = await startServer(loadConfig(env), silentLogger());
    const again = running.url;
    const message = async () => {
      const res = await fetch(`${again}/api/v2/healthcheck`);
      return `${res.status} ${((await res.json()) as { message?: string }).message}`;
    };
    await until(async () => !(await message()).includes('not checked yet'));
    expect(await message()).toMatch(
      /^503 Not ready: upstream unreachable \((ECONNREFUSED|UND_ERR_SOCKET)\)$/,
    );
    expect((await fetch(`${again}/api/v2/heartbeat`)).status).toBe(200);
    const port = new URL(again).port;
    expect(await runHealthcheck(port)).toEqual({ code: 0, stderr: '' });
    const notReady = await runHealthcheck(port, '--ready');
    expect(notReady.code).toBe(1);
    expect(notReady.stderr).toMatch(/healthcheck answered 503: Not ready: upstream unreachable/);
    await running.shutdown();
    running = undefined;
    dir.dispose();
  });
});
