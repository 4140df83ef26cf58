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
import type { SearchIndex } from '../../retrieval/search-index.js';
import { authOptionsFrom, createAuth } from '../auth.js';
import { HttpError } from '../error-handler.js';
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
  /** What retrieval searches: the embedded engine's indexes or a Chroma server's. */
  index: SearchIndex;
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

/**
 * The OpenAI API routes forwarded as received besides chat completions, matched exactly on the path below `/v1`:
 * an allowlist, so nothing else (FastChat's worker or admin routes, `..` tricks) reaches the upstream with its key.
 */
const FORWARDED_ROUTES: Readonly<Record<string, string>> = {
  '/chat/completions': 'POST', // through forwardChat, with retrieval
  '/models': 'GET',
  '/completions': 'POST',
  '/embeddings': 'POST',
};

/** Largest body the proxy reads: chat requests and embeddings batches are far smaller (JSON.parse blocks on it). */
export const PROXY_MAX_BODY_BYTES = 16 * 1024 * 1024;

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
export function createProxyContext(deps: Pick<OpenAIProxyDeps, 'index' | 'config'>): ProxyContext {
  const { config } = deps;
  const client = new UpstreamClient({
    baseUrl: config.upstreamUrl,
    apiKey: config.upstreamApiKey,
    timeoutMs: config.upstreamTimeoutMs,
    secrets: [
      ...(config.authToken === null ? [] : [config.authToken]),
      ...config.readTokens.map((t) => t.token),
      ...(config.embeddingApiKey === null ? [] : [config.embeddingApiKey]),
    ],
  });
  let ownTools: ReadonlySet<string> | null = null;
  return {
    index: deps.index,
    client,
    retrieval: {
      collection: config.collection,
      topK: config.proxyPassages,
      minRelevance: config.proxyMinRelevance,
    },
    contextChars: config.proxyContextChars,
    tokens: new TokenCounter(client, { fallbackContextLength: config.upstreamContextTokens }),
    maxBodyBytes: Math.min(config.maxBodyBytes, PROXY_MAX_BODY_BYTES),
    /** Read from the plugin's OpenAPI document when a chat first needs it (building it loads swagger-jsdoc). */
    get ownTools() {
      return (ownTools ??= pluginToolNames(buildOpenApiDocument(config)));
    },
  };
}

/** The app's authentication, answering refusals with an OpenAI-style 401 (callers present the token as API key). */
function createOpenAIAuth(config: Config): RequestHandler {
  const auth = createAuth(authOptionsFrom(config));
  return (req, res, next) => {
    const verdict: NextFunction = (err?: unknown) => {
      if (err === undefined) return next();
      if (err instanceof HttpError && err.code === 'FORBIDDEN') {
        return sendOpenAIError(res, 403, err.message, 'invalid_request_error', 'forbidden');
      }
      sendOpenAIError(res, 401, 'Invalid or missing API key', 'invalid_request_error', 'invalid_api_key');
    };
    return auth(req, res, verdict);
  };
}

/**
 * Forwards the other routes of {@link FORWARDED_ROUTES} (models, completions, embeddings) with method, query and
 * body as received; any other path is a 404 and any other method a 405, answered here.
 */
async function forwardAsIs(
  ctx: ProxyContext,
  req: Request,
  res: Response,
  signal: AbortSignal,
): Promise<void> {
  const method = FORWARDED_ROUTES[req.path];
  if (method === undefined || !Object.hasOwn(FORWARDED_ROUTES, req.path)) {
    const known = Object.keys(FORWARDED_ROUTES)
      .map((p) => `/v1${p}`)
      .join(', ');
    return sendOpenAIError(res, 404, `kbgate forwards only ${known}`, 'invalid_request_error', 'unknown_url');
  }
  if (req.method !== method || req.path === '/chat/completions') {
    res.setHeader('Allow', method);
    return sendOpenAIError(res, 405, `Use ${method} for /v1${req.path}`, 'invalid_request_error', null);
  }
  const body = method === 'POST' ? await readRawBody(req, ctx.maxBodyBytes) : undefined;
  const query = req.url.indexOf('?');
  const upstream = await ctx.client.send({
    method,
    path: query < 0 ? req.path : `${req.path}${req.url.slice(query)}`,
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
