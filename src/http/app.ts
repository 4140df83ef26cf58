/** The Express application: middleware, Chroma routes and error handling; never listens itself. */
import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { readPackageVersion } from '../cli/package-version.js';
import type { Config } from '../config.js';
import type { Engine } from '../engine/database.js';
import { EngineSearchIndex } from '../retrieval/engine-search-index.js';
import type { SearchIndex } from '../retrieval/search-index.js';
import { authOptionsFrom, createAuth } from './auth.js';
import { registerCollectionRoutes } from './chroma/collections.js';
import { registerDatabaseRoutes } from './chroma/databases.js';
import { registerGatewayRoutes } from './chroma/gateway.js';
import { createFastLane, installFastLane } from './chroma/fast-lane.js';
import { registerRecordRoutes } from './chroma/records.js';
import type { RouteContext } from './chroma/route-context.js';
import { registerSystemRoutes } from './chroma/system.js';
import { registerTenantRoutes } from './chroma/tenants.js';
import { registerUnsupportedRoutes } from './chroma/unsupported.js';
import { CONSOLE_API_PATH, createConsoleApi } from './console/console-api.js';
import { createConsolePage } from './console/console-page.js';
import type { CollectionOverview } from './console/overview.js';
import { createCors } from './cors.js';
import { createErrorHandler, notFoundHandler } from './error-handler.js';
import { createJsonBodyParser } from './json-body.js';
import { createRequestLogger, silentLogger } from './logging.js';
import { createMetricsRoute, createRequestMetrics } from './metrics.js';
import { createSecurityHeaders } from './security-headers.js';
import { createOpenAIProxyRouter } from './openai/openai-router.js';
import { createPluginRouter } from './plugin/plugin-router.js';
import type { Tracing } from './tracing.js';
import type { ReadinessReport } from '../ops/readiness.js';

/** What {@link createApp} is built from. */
export interface AppDeps {
  /** The embedded database; absent in gateway mode (`searchIndex` is then a Chroma server's). */
  engine?: Engine;
  /** What `/search`, the retrieval proxy and the console search; by default the engine's own indexes. */
  searchIndex?: SearchIndex;
  /** Gateway mode: the collections on Chroma, for the console's overview. */
  remoteCollections?: () => Promise<CollectionOverview[]>;
  config: Config;
  logger?: Logger;
  tracing?: Tracing;
  /** Readiness for the healthcheck and metrics (the server's Readiness); always ready when absent. */
  readiness?: () => ReadinessReport;
  /** Whether Chroma's record requests may take the fast lane (default true; tests compare both ways). */
  fastLane?: boolean;
}

const ALWAYS_READY = (): ReadinessReport => ({
  ready: true,
  checks: { starting: null, store: null, upstream: null },
});

/**
 * Creates the kbgate HTTP application.
 *
 * @remarks
 * Authentication runs before the body is parsed, so unauthenticated clients cannot make the server buffer and parse
 * large bodies. The error handler is registered last and answers every failure with Chroma's `{ error, message }`.
 */
export function createApp(deps: AppDeps): Express {
  const { config, engine } = deps;
  const index = deps.searchIndex ?? (engine ? new EngineSearchIndex(engine) : null);
  if (index === null) throw new Error('createApp needs an engine or a search index');
  const logger = deps.logger ?? silentLogger();
  const app = express();
  app.set('etag', false);
  app.set('trust proxy', false);
  app.disable('x-powered-by'); // helmet would remove it; not setting it keeps the fast lane's one-call headers
  const readiness = deps.readiness ?? ALWAYS_READY;
  const ctx: RouteContext | null = engine ? { engine, config, readiness } : null;
  const requestLog = { mode: config.logRequests, slowMs: config.slowRequestMs, slowExempt: ['/v1/'] };
  const auth = createAuth(authOptionsFrom(config));
  const errorHandler = createErrorHandler(logger);
  const tracing = deps.tracing?.enabled ? deps.tracing : null;
  if (ctx !== null && deps.fastLane !== false && tracing === null && config.logRequests !== 'all') {
    const options = { ctx, auth, errorHandler, logger, log: requestLog, maxBodyBytes: config.maxBodyBytes };
    installFastLane(app, createFastLane(app, options));
  }
  app.use(createRequestMetrics());
  if (tracing) app.use(tracing.middleware);
  app.use(createRequestLogger(logger, requestLog));
  app.use(createSecurityHeaders(config.publicUrl));
  app.use(createCors(config.corsOrigins));
  app.use('/v1', createOpenAIProxyRouter({ index, config, logger })); // own auth and body reading
  app.use(exceptApi(createPluginRouter({ index, config }))); // public manifest/spec/logo; /search: own auth
  app.use(exceptApi(createConsolePage())); // public page, scripts and styles; its data comes from CONSOLE_API_PATH below
  app.use(auth);
  app.use(exceptApi(createMetricsRoute({ engine: engine ?? null, config, readiness })));
  app.use(createJsonBodyParser(config.maxBodyBytes));

  const router = express.Router();
  if (ctx !== null) {
    registerSystemRoutes(router, ctx);
    registerTenantRoutes(router, ctx);
    registerDatabaseRoutes(router, ctx);
    registerCollectionRoutes(router, ctx);
    registerRecordRoutes(router, ctx);
    registerUnsupportedRoutes(router);
  } else {
    registerGatewayRoutes(router, { config, readiness });
  }
  app.use(router);
  const version = readPackageVersion();
  app.use(
    CONSOLE_API_PATH,
    createConsoleApi({
      engine: engine ?? null,
      index,
      remoteCollections: deps.remoteCollections,
      config,
      logger,
      version,
    }),
  );

  app.use(notFoundHandler());
  app.use(errorHandler);
  return app;
}

/**
 * Runs `handler` for every request but those under `/api/` (the Chroma API), which it never serves.
 *
 * @remarks The plugin, console and metrics routers match none of the API's paths; skipping them spares each API
 * request a walk through their routes.
 */
function exceptApi(handler: RequestHandler): RequestHandler {
  return (req, res, next) => (req.url.startsWith('/api/') ? next() : handler(req, res, next));
}
