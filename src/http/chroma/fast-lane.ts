/**
 * The fast lane: record requests from Chroma's clients (add, upsert, update, delete, get, query, count) answered
 * without walking the app's middleware stack and router.
 *
 * @remarks
 * A query's search takes a fraction of a millisecond; Express's per-request work around it (a dozen middleware
 * calls, matching the path against every route, `res.json`'s content negotiation, a header set per call) cost more
 * than the search itself, and so did Express's own dispatch (a final handler, prototype swaps and the router walk
 * per request). The fast lane therefore sits in front of that dispatch ({@link installFastLane}) and works on Node's
 * own request and response; it takes only requests it answers exactly as the full stack would: a record path
 * without a query string or percent-escapes, the operation's method, no `Origin` (CORS requests take the full
 * stack), a plain JSON body with a `Content-Length` within the limit, and neither tracing nor per-request logging
 * switched on. For those it does what the stack does, in the same order:
 * request id, security headers, authentication, body parsing, the collection check, the operation (the same code
 * as the routes), metrics under the route's template, and the same log line for failures and slow requests; errors
 * go to the app's own error handler (the request and response are given Express's prototypes first, as Express's
 * dispatch does). Everything else is handed to Express's dispatch untouched and served by the stack as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
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

/** Answers a request and returns true, or returns false having touched nothing (the stack serves it). */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Puts `lane` in front of the app's dispatch: requests it takes never reach Express's router.
 *
 * @remarks Express calls `app.handle` for every request (from `app.listen`'s server, `supertest` or a parent app);
 * the wrapper keeps that entry point, so every way of serving the app gets the lane.
 */
export function installFastLane(app: Express, lane: FastLane): void {
  const dispatch = app as unknown as {
    handle: (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;
  };
  const handle = dispatch.handle.bind(app);
  dispatch.handle = (req, res, next) => {
    if (!lane(req, res)) handle(req, res, next);
  };
}

/** Gives a lane request and response what Express's dispatch gives them, for the app's error handler. */
function asExpress(app: Express, req: IncomingMessage, res: ServerResponse): { req: Request; res: Response } {
  Object.assign(req, { res });
  Object.assign(res, { req });
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  return { req: req as Request, res: res as Response };
}

/** Creates the fast lane for `app` (see the module's remarks). */
export function createFastLane(app: Express, options: FastLaneOptions): FastLane {
  const { ctx, auth, errorHandler, logger, log } = options;
  const headersFor = securityHeadersFor(ctx.config.publicUrl);
  const flat = new Map<HeaderSet, string[]>();
  const flatHeaders = (set: HeaderSet): string[] => {
    let headers = flat.get(set);
    if (headers === undefined) flat.set(set, (headers = set.set.flatMap(([name, value]) => [name, value])));
    return headers;
  };
  return (req, res) => {
    if (req.headers.origin !== undefined) return false;
    const match = RECORD_PATH.exec(req.url ?? '');
    if (match === null) return false;
    const [, tenant = '', database = '', id = '', segment = ''] = match;
    const operation = Object.hasOwn(RECORD_OPERATIONS, segment) ? RECORD_OPERATIONS[segment] : undefined;
    if (operation === undefined || req.method !== operation.method) return false;
    if (operation.method === 'POST') {
      const length = plainJsonLength(req);
      if (length === null || length > options.maxBodyBytes) return false;
    }

    const started = Date.now();
    const timer = performance.now();
    const requestId = requestIdOf(req);
    (req as { id?: string }).id = requestId;
    const locals: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    locals.operation = operation.label;
    locals.collectionId = id;
    Object.assign(res, { locals });
    const route = `${RECORDS_BASE}/${segment}`;
    res.once('close', () => {
      if (res.writableFinished) {
        recordHttpRequest(req.method ?? '', route, res.statusCode, (performance.now() - timer) / 1000);
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
      const routed = asExpress(app, req, res);
      errorHandler(err, routed.req, routed.res, () => res.destroy());
    };
    // Before Express's dispatch the request has no `path`: the authentication reads the URL's (no query string here).
    void auth(req as Request, res as Response, (denied?: unknown) => {
      if (denied !== undefined) return fail(denied);
      const body = operation.method === 'POST' ? readPlainJson(req) : Promise.resolve({});
      body
        .then((raw) => {
          findCollection(ctx, tenant, database, id);
          return operation.run(ctx, id, raw);
        })
        .then((result) => send(res, operation.status, flatHeaders(security), requestId, result), fail);
    });
    return true;
  };
}

/** Writes a JSON response with its headers in one call (Node's fast path when no header was set before). */
function send(
  res: ServerResponse,
  status: number,
  security: string[],
  requestId: string,
  result: unknown,
): void {
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
