/** CORS middleware for an allowlist of exact origins; refused origins get no `Access-Control-Allow-Origin`. */
import cors from 'cors';
import type { RequestHandler, Response } from 'express';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Creates the CORS middleware.
 *
 * @remarks
 * Origins are matched exactly (scheme, host and port); `*` in the list allows any origin. Every OPTIONS request
 * ends here, before authentication, as browsers send preflights without credentials: an allowed preflight gets
 * CORS's 204, any other OPTIONS a bare 204 naming the methods, and none reaches a route, the retrieval proxy or
 * its upstream.
 */
export function createCors(origins: readonly string[]): RequestHandler {
  const allowAny = origins.includes('*');
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && (allowAny || allowed.has(origin))),
    methods: METHODS,
    maxAge: 600,
  });
  const endOptions = (res: Response): void => {
    res.setHeader('Allow', ['OPTIONS', ...METHODS].join(', '));
    res.setHeader('Content-Length', '0');
    res.status(204).end();
  };
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') {
      // Without an Origin header the cors package adds nothing and calls next(): the same, without its work.
      return req.headers.origin === undefined ? next() : handler(req, res, next);
    }
    // A body sent with OPTIONS is never read: close the connection rather than drain it.
    if (hasBody(req.headers)) res.setHeader('Connection', 'close');
    if (req.headers.origin === undefined) return endOptions(res);
    handler(req, res, (err?: unknown) => (err ? next(err) : endOptions(res)));
  };
}

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}
