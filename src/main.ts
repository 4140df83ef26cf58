/** Composition root: configuration -> engine -> HTTP server; graceful shutdown on SIGTERM and SIGINT. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createEmbeddingResolver } from './embed/registry.js';
import type { Engine } from './engine/database.js';
import { openEngine } from './engine-factory.js';
import { createApp } from './http/app.js';
import { createLogger } from './http/logging.js';
import { createTracing, type Tracing } from './http/tracing.js';

/** Milliseconds to let requests in flight finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often changed vector indexes are saved, so a restart after a crash replays little of the change log. */
const INDEX_SAVE_INTERVAL_MS = 60_000;
/** How often connections left idle by a finished request are closed during shutdown. */
const IDLE_REAP_MS = 50;
/** Idle keep-alive connections are kept this long. */
const KEEP_ALIVE_MS = 65_000;

/** A running kbgate server. */
export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, finishes requests in flight, flushes and closes the engine. */
  shutdown(): Promise<void>;
}

/** Opens the engine at the configured location and starts listening. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const { engine } = openEngine({
    path: config.dataDir ?? undefined,
    defaultEmbedding: config.embedding,
    resolveEmbedding: createEmbeddingResolver({
      modelDir: config.modelDir,
      offline: config.offline,
      openaiUrl: config.embeddingUrl,
      openaiApiKey: config.embeddingApiKey,
    }),
  });
  const tracing = createTracing({ endpoint: config.otlpEndpoint });
  let ready = true;
  const app = createApp({ engine, config, logger, tracing, isReady: () => ready });
  const server = await listen(app.listen.bind(app), config);
  // Longer than clients' idle-pool timeouts (httpx, undici: 4-5 s), so a pooled connection is never closed by the
  // server just as a client reuses it; shutdown closes idle connections itself.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const saver = setInterval(() => saveIndexes(engine, logger), INDEX_SAVE_INTERVAL_MS).unref();
  const shutdown = async (): Promise<void> => {
    ready = false;
    clearInterval(saver);
    await closeServer(server);
    await closeEngine(engine, tracing, logger);
  };
  return { server, url, shutdown };
}

/** Saves the vector indexes that changed since their last save; a failure only costs replay time later. */
function saveIndexes(engine: Engine, logger: Logger): void {
  try {
    engine.flush();
  } catch (err) {
    logger.warn({ err }, 'saving vector indexes failed; they will be caught up from the store on next open');
  }
}

function listen(listenFn: (port: number, host: string) => Server, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = listenFn(config.port, config.host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/** Stops accepting; keep-alive connections are closed as soon as their request in flight is answered. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    const reaper = setInterval(() => server.closeIdleConnections(), IDLE_REAP_MS);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(reaper);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function closeEngine(engine: Engine, tracing: Tracing, logger: Logger): Promise<void> {
  try {
    engine.flush();
  } finally {
    engine.close();
  }
  await tracing.shutdown().catch((err: unknown) => logger.warn({ err }, 'trace export failed at shutdown'));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kbgate: configuration error: ${err.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  logger.info({ url: running.url, dataDir: config.dataDir ?? ':memory:' }, 'kbgate listening');
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
