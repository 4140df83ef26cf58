import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Engine } from '../../src/engine/database.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { ROOT } from './compose-file.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts/healthcheck.mjs');

interface Outcome {
  code: number;
  stderr: string;
}

/** Runs the health check as the Dockerfile's HEALTHCHECK does, with only KBGATE_PORT set. */
async function runHealthcheck(port: number, ...args: string[]): Promise<Outcome> {
  try {
    const { stderr } = await run(process.execPath, [SCRIPT, ...args], {
      env: { PATH: process.env.PATH, KBGATE_PORT: String(port) },
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

/** A real kbgate (the app main.ts serves) over an in-memory engine, configured as the compose file does: with a token. */
async function startKbgate(): Promise<{ port: number; server: Server; engine: Engine }> {
  const config = loadConfig({
    KBGATE_HOST: '127.0.0.1',
    KBGATE_PORT: '0',
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_AUTH_TOKEN: 'deployment-test-token',
  });
  const { engine } = openEngine({ defaultEmbedding: 'none' });
  const app = createApp({ engine, config });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { port: (server.address() as AddressInfo).port, server, engine };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe('scripts/healthcheck.mjs (the Docker HEALTHCHECK)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('should exit 0 against a live kbgate, even one that requires a token', async () => {
    const kbgate = await startKbgate();
    cleanups.push(
      () => kbgate.engine.close(),
      () => stop(kbgate.server),
    );

    const outcome = await runHealthcheck(kbgate.port);

    expect(outcome).toEqual({ code: 0, stderr: '' });
  });

  it('should exit 1 once kbgate is down', async () => {
    const kbgate = await startKbgate();
    expect((await runHealthcheck(kbgate.port)).code).toBe(0);
    await stop(kbgate.server);
    kbgate.engine.close();

    const outcome = await runHealthcheck(kbgate.port);

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/unhealthy: http:\/\/127\.0\.0\.1:\d+\/api\/v2\/heartbeat/);
  });

  it('should exit 1 when nothing answers within the timeout', async () => {
    // A peer that accepts connections and never answers: what a wedged process looks like from outside.
    const sockets: Socket[] = [];
    const hung = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          sockets.forEach((s) => s.destroy());
          hung.close(() => resolve());
        }),
    );

    const outcome = await runHealthcheck((hung.address() as AddressInfo).port, '200');

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/unhealthy/);
  });
});
