/** The kbgate server: configuration -> engine -> HTTP app listening, with graceful shutdown. */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Engine } from './engine/database.js';
import { embeddingOptionsFrom, openEngine } from './engine-factory.js';
import { createApp } from './http/app.js';
import { ChromaGateway } from './gateway/chroma-gateway.js';
import { readLastIngest } from './ingest/last-ingest.js';
import { ChromaSearchIndex } from './gateway/chroma-search-index.js';
import { createTracing, type Tracing } from './http/tracing.js';
import { instrumentEmbeddings } from './ops/instrument-embedding.js';
import { loadIndexes } from './ops/load-indexes.js';
import { createMemoryReducer } from './ops/memory-reducer.js';
import { Readiness } from './ops/readiness.js';

/** Milliseconds to let requests in flight finish before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * Changed vector indexes are saved once the server has had no request for this long, so a restart after a crash
 * replays little of the change log, without a save (about 0.4 s per 100,000 vectors) stalling requests under load.
 */
const INDEX_SAVE_IDLE_MS = 10_000;
/** How often the idle check runs. */
const INDEX_SAVE_CHECK_MS = 2_000;
/** How often connections left idle by a finished request are closed during shutdown. */
const IDLE_REAP_MS = 50;
/** Idle keep-alive connections are kept this long. */
const KEEP_ALIVE_MS = 65_000;

/** A running kbgate server. */
export interface RunningServer {
  server: Server;
  url: string;
  /** The engine the server answers from (for the start-up summary); null in gateway mode. */
  engine: Engine | null;
  /** The Chroma server of gateway mode (KBGATE_CHROMA_URL); null in embedded mode. */
  gateway: ChromaGateway | null;
  /** Stops accepting, finishes requests in flight, flushes and closes the engine. */
  shutdown(): Promise<void>;
}

/** Tuning of {@link startServer} beyond the configuration (tests shorten the idle delay). */
export interface ServerOptions {
  /** Milliseconds without a request after which changed vector indexes are saved. */
  indexSaveIdleMs?: number;
}

/** Opens the engine at the configured location and starts listening; a failed start closes the engine again. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const tracing = await createTracing({ endpoint: config.otlpEndpoint });
  if (config.chroma !== null) return startGateway(config, tracing, logger);
  const embedding = embeddingOptionsFrom(config);
  const resolveEmbedding = instrumentEmbeddings(embedding.resolveEmbedding);
  const warn = (details: Record<string, unknown>, message: string): void => logger.warn(details, message);
  const { engine } = openEngine({ path: config.dataDir ?? undefined, ...embedding, resolveEmbedding, warn });
  const readiness = createReadiness(config);
  const app = createApp({ engine, config, logger, tracing, readiness: () => readiness.report() });
  let server: Server;
  try {
    server = await listen(app.listen.bind(app), config);
  } catch (error) {
    await closeEngine(engine, tracing, logger);
    throw error;
  }
  // Longer than clients' idle-pool timeouts (httpx, undici: 4-5 s), so a pooled connection is never closed by the
  // server just as a client reuses it; shutdown closes idle connections itself.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  readiness.start();
  const warmUp = new AbortController();
  const loading = loadIndexes(engine, (state) => readiness.setStarting(state), logger, warmUp.signal);
  const idleMs = options.indexSaveIdleMs ?? INDEX_SAVE_IDLE_MS;
  let lastRequest = Date.now();
  const memory = createMemoryReducer();
  server.on('request', (req: IncomingMessage) => {
    lastRequest = Date.now();
    const bodyBytes = Number(req.headers['content-length']);
    if (bodyBytes > 0) memory.noteBody(bodyBytes);
  });
  const saver = setInterval(
    () => {
      if (Date.now() - lastRequest >= idleMs) saveIndexes(engine, logger);
    },
    Math.min(INDEX_SAVE_CHECK_MS, idleMs),
  ).unref();
  const shutdown = async (): Promise<void> => {
    readiness.stop();
    warmUp.abort();
    clearInterval(saver);
    memory.stop();
    await closeServer(server);
    await loading;
    await closeEngine(engine, tracing, logger);
  };
  return { server, url, engine, gateway: null, shutdown };
}

/** Pause between readiness probes of the Chroma server: a load balancer learns of an outage within a few seconds. */
const CHROMA_PROBE_MS = 2_000;

/**
 * Gateway mode: no store, no indexes; `/search`, the proxy and the console search the configured Chroma server.
 * Readiness follows Chroma's heartbeat, so a load balancer stops routing here while Chroma cannot be reached, and
 * routes again once it answers, without a restart.
 */
async function startGateway(config: Config, tracing: Tracing, logger: Logger): Promise<RunningServer> {
  const settings = config.chroma!;
  const embedding = embeddingOptionsFrom(config);
  const gateway = new ChromaGateway({
    settings,
    resolveEmbedding: instrumentEmbeddings(embedding.resolveEmbedding),
    defaultEmbedding: config.embedding,
    binding: { openaiUrl: config.embeddingUrl },
  });
  const upstream =
    config.upstreamUrl === null ? null : { url: config.upstreamUrl, apiKey: config.upstreamApiKey };
  const readiness = new Readiness({
    dataDir: null,
    upstream,
    chroma: { url: settings.url, probe: () => gateway.heartbeat(CHROMA_PROBE_MS), everyMs: CHROMA_PROBE_MS },
  });
  const searchIndex = new ChromaSearchIndex(gateway);
  const remoteCollections = async () =>
    (await gateway.describeCollections()).map((c) => ({
      name: c.name,
      id: c.id,
      records: c.records,
      embedding: c.binding,
      dimension: null,
      space: c.space,
      lastIngest: readLastIngest(c.metadata),
      indexBytes: 0,
    }));
  const app = createApp({
    searchIndex,
    remoteCollections,
    config,
    logger,
    tracing,
    readiness: () => readiness.report(),
  });
  let server: Server;
  try {
    server = await listen(app.listen.bind(app), config);
  } catch (error) {
    await tracing.shutdown().catch(() => undefined);
    throw error;
  }
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  readiness.setStarting(null);
  readiness.start();
  const shutdown = async (): Promise<void> => {
    readiness.stop();
    await closeServer(server);
    await tracing.shutdown().catch((err: unknown) => logger.warn({ err }, 'trace export failed at shutdown'));
  };
  return { server, url, engine: null, gateway, shutdown };
}

/** Readiness over the configured data directory and upstream chat API. */
function createReadiness(config: Config): Readiness {
  const upstream =
    config.upstreamUrl === null ? null : { url: config.upstreamUrl, apiKey: config.upstreamApiKey };
  return new Readiness({ dataDir: config.dataDir, upstream });
}

/**
 * Saves the vector indexes that changed since their last save and have no writes waiting to be indexed (applying
 * those at once could hold the server for seconds; a later save gets them); a failure only costs replay time later.
 */
function saveIndexes(engine: Engine, logger: Logger): void {
  try {
    engine.flush({ applyPending: false });
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
