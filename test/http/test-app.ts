/** Builds a kbgate app over an in-memory engine for HTTP tests, and listens on an ephemeral port when asked. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config.js';
import type { Engine } from '../../src/engine/database.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp, type AppDeps } from '../../src/http/app.js';

/** Base path of the default tenant and database. */
export const DEFAULT_SCOPE = '/api/v2/tenants/default_tenant/databases/default_database';

/** An app under test with its engine. */
export interface TestApp {
  app: Express;
  engine: Engine;
  config: Config;
}

/** Creates an app over a fresh in-memory engine; `env` overrides configuration variables. */
export function createTestApp(env: Record<string, string> = {}, extra: Partial<AppDeps> = {}): TestApp {
  const config = loadConfig({ KBGATE_DATA_DIR: ':memory:', KBGATE_EMBEDDING: 'none', ...env });
  const { engine } = openEngine({ defaultEmbedding: 'none' });
  const app = createApp({ engine, config, ...extra });
  return { app, engine, config };
}

/** Listens on 127.0.0.1 with an ephemeral port; returns the port and a close function. */
export async function listenEphemeral(app: Express): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { port, close };
}
