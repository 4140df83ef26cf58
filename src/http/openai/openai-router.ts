/** The OpenAI-compatible retrieval proxy at `/v1`: chat completions get knowledge-base context, the rest passes. */
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Engine } from '../../engine/database.js';
import { createAuth, readHtpasswd } from '../auth.js';
import { silentLogger } from '../logging.js';
import { buildOpenApiDocument } from '../plugin/openapi-document.js';
import { forwardChat, forwardedHeaders, type ProxyContext } from './chat-completions.js';
import { sendOpenAIError } from './openai-error.js';
import { pluginToolNames } from './own-tools.js';
import { BodyTooLargeError, readRawBody } from './read-raw-body.js';
import { relayResponse } from './relay-response.js';
import { TokenCounter } from './token-counter.js';
import { UpstreamClient, UpstreamError } from './upstream-client.js';

/** What {@link createOpenAIProxyRouter} is built from. */
export interface OpenAIProxyDeps {
  engine: Engine;
  config: Config;
  logger?: Logger;
}

type ProxyHandler = (
  ctx: ProxyContext,
  req: Request,
  res: Response,
  signal: AbortSignal,
  log: Logger,
) => Promise<void>;

const UPSTREAM_FAILURES = {
  UNREACHABLE: { status: 502, code: 'upstream_unreachable' },
  TIMEOUT: { status: 504, code: 'upstream_timeout' },
  NOT_CONFIGURED: { status: 503, code: 'upstream_not_configured' },
} as const;

/**
 * Creates the proxy router, to be mounted at `/v1` before any body parser or app-wide authentication.
 *
 * @remarks
 * It reads request bodies itself (so pass-through bodies are forwarded byte for byte), checks the same credentials
 * as the rest of kbgate but answers with OpenAI-style errors, and answers every request under its mount point.
 */
export function createOpenAIProxyRouter(deps: OpenAIProxyDeps): Router {
  const ctx = createProxyContext(deps);
  const logger = deps.logger ?? silentLogger();
  const router = express.Router();
  router.use(createOpenAIAuth(deps.config));
  router.post('/chat/completions', handle(ctx, logger, forwardChat));
  router.use(handle(ctx, logger, forwardAsIs));
  return router;
}

/** The proxy's upstream client, retrieval settings and token counter, as the configuration sets them. */
export function createProxyContext(deps: Pick<OpenAIProxyDeps, 'engine' | 'config'>): ProxyContext {
  const { config } = deps;
  const client = new UpstreamClient({
    baseUrl: config.upstreamUrl,
    apiKey: config.upstreamApiKey,
    timeoutMs: config.upstreamTimeoutMs,
  });
  let ownTools: ReadonlySet<string> | null = null;
  return {
    engine: deps.engine,
    client,
    retrieval: {
      collection: config.collection,
      topK: config.proxyPassages,
      minRelevance: config.proxyMinRelevance,
    },
    contextChars: config.proxyContextChars,
    tokens: new TokenCounter(client, { fallbackContextLength: config.upstreamContextTokens }),
    maxBodyBytes: config.maxBodyBytes,
    /** Read from the plugin's OpenAPI document when a chat first needs it (building it loads swagger-jsdoc). */
    get ownTools() {
      return (ownTools ??= pluginToolNames(buildOpenApiDocument(config)));
    },
  };
}

/** The app's authentication, answering refusals with an OpenAI-style 401 (callers present the token as API key). */
function createOpenAIAuth(config: Config): RequestHandler {
  const auth = createAuth({
    token: config.authToken,
    htpasswd: config.htpasswdFile === null ? null : readHtpasswd(config.htpasswdFile),
  });
  return (req, res, next) => {
    const verdict: NextFunction = (err?: unknown) => {
      if (err === undefined) return next();
      sendOpenAIError(res, 401, 'Invalid or missing API key', 'invalid_request_error', 'invalid_api_key');
    };
    return auth(req, res, verdict);
  };
}

/** Forwards any other `/v1` request (models, embeddings, completions) with method, query and body as received. */
async function forwardAsIs(
  ctx: ProxyContext,
  req: Request,
  res: Response,
  signal: AbortSignal,
): Promise<void> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? await readRawBody(req, ctx.maxBodyBytes) : undefined;
  const upstream = await ctx.client.send({
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req),
    body,
    signal,
  });
  await relayResponse(upstream, res);
}

function handle(ctx: ProxyContext, logger: Logger, handler: ProxyHandler): RequestHandler {
  return (req, res) => {
    const log = (req as { log?: Logger }).log ?? logger;
    const signal = watchClient(res);
    handler(ctx, req, res, signal, log).catch((err: unknown) => answerFailure(res, err, signal, log));
  };
}

/** An abort signal that fires when the client goes away before the response is complete. */
function watchClient(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function answerFailure(res: Response, err: unknown, signal: AbortSignal, log: Logger): void {
  if (signal.aborted) return;
  if (err instanceof UpstreamError) {
    const { status, code } = UPSTREAM_FAILURES[err.kind];
    log.warn({ err }, 'upstream failed');
    sendOpenAIError(res, status, err.message, 'upstream_error', code);
  } else if (err instanceof BodyTooLargeError) {
    sendOpenAIError(res, 413, err.message, 'invalid_request_error', 'request_too_large');
  } else {
    log.error({ err }, 'proxy request failed');
    sendOpenAIError(res, 500, 'Internal server error', 'server_error', 'internal_error');
  }
}
