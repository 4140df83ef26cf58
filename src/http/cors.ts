/** CORS middleware for an allowlist of exact origins; refused origins get no `Access-Control-Allow-Origin`. */
import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * Creates the CORS middleware.
 *
 * @remarks
 * Origins are matched exactly (scheme, host and port); `*` in the list allows any origin. Preflight requests are
 * answered here with 204, before authentication, as browsers send them without credentials.
 */
export function createCors(origins: readonly string[]): RequestHandler {
  const allowAny = origins.includes('*');
  const allowed = new Set(origins);
  const handler = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && (allowAny || allowed.has(origin))),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    maxAge: 600,
  });
  // Without an Origin header the cors package adds nothing and calls next(): the same, without its per-request work.
  return (req, res, next) => (req.headers.origin === undefined ? next() : handler(req, res, next));
}
