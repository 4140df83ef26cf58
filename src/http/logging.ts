/** Structured request logging: pino, a request id on every response, a log line for failed and slow requests. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pino, type Logger, type LevelWithSilent } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Which requests {@link createRequestLogger} writes a line for. */
export interface RequestLogOptions {
  /** `errors`: server errors and slow requests only; `all`: every request. */
  mode: 'errors' | 'all';
  /** Requests answered in at least this many milliseconds are logged at `warn` in either mode. */
  slowMs: number;
  /** Path prefixes whose requests are never judged slow (the chat proxy waits on a model by design). */
  slowExempt?: readonly string[];
}

const DEFAULT_OPTIONS: RequestLogOptions = { mode: 'errors', slowMs: 1_000 };

/** Creates the service's root logger at the given level. */
export function createLogger(level: LevelWithSilent): Logger {
  return pino({ level, base: { service: 'kbgate' } });
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Creates the request logger; honours a well-formed incoming `X-Request-Id`, else generates one, and echoes it.
 *
 * @remarks
 * A synchronous log line per request costs a busy server about a tenth of its CPU, so by default only failures
 * (status >= 500, at `error`), slow and aborted requests (at `warn`) are written; `mode: 'all'` adds
 * every other request at `info`, in the shape pino-http wrote (`req`, `res`, `responseTime`). `req.log`, a child
 * logger bound to the request, is only created when a handler uses it.
 */
export function createRequestLogger(
  logger: Logger,
  options: RequestLogOptions = DEFAULT_OPTIONS,
): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const id = requestIdOf(req);
    res.setHeader('X-Request-Id', id);
    (req as { id?: string }).id = id;
    defineRequestLog(req, () => logger.child({ req: describeRequest(req, id) }));
    const done = (): void => {
      res.off('finish', done);
      res.off('close', done);
      logRequestOutcome(logger, options, req, res, id, started);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/** The request's id: a well-formed incoming `X-Request-Id`, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Writes the line a finished or aborted request gets under `options` (none for most); `started` is its `Date.now()`
 * on arrival.
 */
export function logRequestOutcome(
  logger: Logger,
  options: RequestLogOptions,
  req: IncomingMessage,
  res: ServerResponse & { locals?: Record<string, unknown> },
  id: string,
  started: number,
): void {
  const slowMs = options.slowExempt?.some((p) => req.url?.startsWith(p)) ? Infinity : options.slowMs;
  const responseTime = Date.now() - started;
  const level = levelOf(res.statusCode, res.writableFinished, responseTime >= slowMs, options.mode);
  if (level === 'silent' || !logger.isLevelEnabled(level)) return;
  const line: Record<string, unknown> = {
    req: describeRequest(req, id),
    res: { statusCode: res.statusCode },
    responseTime,
  };
  // The name of the credential that authenticated it (`admin`, a read-only token's name, a Basic user).
  if (typeof res.locals?.principal === 'string') line.principal = res.locals.principal;
  if (res.statusCode >= 500) {
    logger.error({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  } else logger[level](line, messageOf(level, res.writableFinished));
}

/** The level of a finished (or aborted) request's line; `silent` writes none. */
function levelOf(
  status: number,
  finished: boolean,
  slow: boolean,
  mode: RequestLogOptions['mode'],
): LevelWithSilent {
  if (status >= 500) return 'error';
  if (!finished || slow) return 'warn';
  return mode === 'all' ? 'info' : 'silent';
}

function messageOf(level: LevelWithSilent, finished: boolean): string {
  if (!finished) return 'request aborted';
  return level === 'warn' ? 'slow request' : 'request completed';
}

/** Gives the request a lazily created `log` property, unless something set one already. */
function defineRequestLog(req: IncomingMessage, create: () => Logger): void {
  if ((req as { log?: Logger }).log !== undefined) return;
  let log: Logger | undefined;
  Object.defineProperty(req, 'log', {
    configurable: true,
    enumerable: false,
    get: () => (log ??= create()),
    set: (value: Logger) => {
      log = value;
    },
  });
}

function describeRequest(req: IncomingMessage, id: string): { id: string; method: string; url: string } {
  return {
    id,
    method: req.method ?? '',
    url: (req as { originalUrl?: string }).originalUrl ?? req.url ?? '',
  };
}
