/**
 * The fast lane: record requests from Chroma's clients (add, upsert, update, delete, get, query, count) answered
 * without walking the app's middleware stack and router.
 *
 * @remarks
 * A query's search takes a fraction of a millisecond; Express's per-request work around it (a dozen middleware
 * calls, matching the path against every route, `res.json`'s content negotiation, a header set per call) cost more
 * than the search itself. The fast lane is the app's first middleware and takes only requests it answers exactly
 * as the full stack would: a record path without a query string or percent-escapes, the operation's method, no
 * `Origin` (CORS requests take the full stack), a plain JSON body with a `Content-Length` within the limit, and
 * neither tracing nor per-request logging switched on. For those it does what the stack does, in the same order:
 * request id, security headers, authentication, body parsing, the collection check, the operation (the same code
 * as the routes), metrics under the route's template, and the same log line for failures and slow requests; errors
 * go to the app's own error handler. Everything else calls `next()` and is served by the stack as before.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { recordHttpRequest } from '../../ops/metrics.js';
import { plainJsonLength, readPlainJson } from '../json-body.js';
import { logRequestOutcome, requestIdOf, type RequestLogOptions } from '../logging.js';
import { securityHeadersFor, type HeaderSet } from '../security-headers.js';
import { RECORD_OPERATIONS, RECORDS_BASE } from './records.js';
import { findCollection, type RouteContext } from './route-context.js';

/** What the fast lane shares with the full stack. */
export interface FastLaneOptions {
  ctx: RouteContext;
  /** The app's authentication middleware. */
  auth: RequestHandler;
  /** The app's error handler. */
  errorHandler: ErrorRequestHandler;
  logger: Logger;
  log: RequestLogOptions;
  /** Largest JSON body accepted, in bytes (larger ones take the full stack, which refuses them). */
  maxBodyBytes: number;
}

/** A record path: tenant, database, collection id, operation; no escapes, no query string. */
const RECORD_PATH = /^\/api\/v2\/tenants\/([^/?%]+)\/databases\/([^/?%]+)\/collections\/([^/?%]+)\/([a-z]+)$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/** Creates the fast lane (see the module's remarks). */
export function createFastLane(options: FastLaneOptions): RequestHandler {
  const { ctx, auth, errorHandler, logger, log } = options;
  const headersFor = securityHeadersFor(ctx.config.publicUrl);
  const flat = new Map<HeaderSet, string[]>();
  const flatHeaders = (set: HeaderSet): string[] => {
    let headers = flat.get(set);
    if (headers === undefined) flat.set(set, (headers = set.set.flatMap(([name, value]) => [name, value])));
    return headers;
  };
  return (req, res, next) => {
    if (req.headers.origin !== undefined) return next();
    const match = RECORD_PATH.exec(req.url);
    if (match === null) return next();
    const [, tenant = '', database = '', id = '', segment = ''] = match;
    const operation = Object.hasOwn(RECORD_OPERATIONS, segment) ? RECORD_OPERATIONS[segment] : undefined;
    if (operation === undefined || req.method !== operation.method) return next();
    if (operation.method === 'POST') {
      const length = plainJsonLength(req);
      if (length === null || length > options.maxBodyBytes) return next();
    }

    const started = Date.now();
    const timer = performance.now();
    const requestId = requestIdOf(req);
    (req as { id?: string }).id = requestId;
    res.locals.operation = operation.label;
    res.locals.collectionId = id;
    const route = `${RECORDS_BASE}/${segment}`;
    res.once('close', () => {
      if (res.writableFinished) {
        recordHttpRequest(req.method, route, res.statusCode, (performance.now() - timer) / 1000);
      }
      logRequestOutcome(logger, log, req, res, requestId, started);
    });
    const security = headersFor(req);
    const fail = (err: unknown): void => {
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : undefined);
        return;
      }
      for (const [name, value] of security.set) res.setHeader(name, value);
      res.setHeader('X-Request-Id', requestId);
      errorHandler(err, req, res, () => res.destroy());
    };
    auth(req, res, (denied?: unknown) => {
      if (denied !== undefined) return fail(denied);
      const body = operation.method === 'POST' ? readPlainJson(req) : Promise.resolve({});
      body
        .then((raw) => {
          findCollection(ctx, tenant, database, id);
          return operation.run(ctx, id, raw);
        })
        .then((result) => send(res, operation.status, flatHeaders(security), requestId, result), fail);
    });
  };
}

/** Writes a JSON response with its headers in one call (Node's fast path when no header was set before). */
function send(res: Response, status: number, security: string[], requestId: string, result: unknown): void {
  const json = JSON.stringify(result);
  res.writeHead(status, [
    'X-Request-Id',
    requestId,
    ...security,
    'Content-Type',
    JSON_TYPE,
    'Content-Length',
    String(Buffer.byteLength(json)),
  ]);
  res.end(json);
}
