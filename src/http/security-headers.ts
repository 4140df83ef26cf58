/** Helmet's security headers, with `upgrade-insecure-requests` only for pages that were served over HTTPS. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers one helmet configuration sets and removes; the same for every request. */
export interface HeaderSet {
  set: readonly (readonly [string, string])[];
  removed: readonly string[];
}

/**
 * Creates the security-header middleware.
 *
 * @remarks Helmet's default Content-Security-Policy asks browsers to fetch every sub-resource over HTTPS
 * (`upgrade-insecure-requests`). kbgate itself speaks plain HTTP, so on a page loaded as `http://<host name>:8000/docs`
 * Chromium would ask for Swagger UI's scripts over HTTPS and show a blank page (it exempts only loopback hosts).
 * The directive is therefore sent only when the request arrived over HTTPS: directly, or through a TLS proxy when
 * `publicUrl` is an https URL and the proxy says so in `X-Forwarded-Proto`.
 *
 * Helmet's headers do not depend on the request, so each configuration is run once, recorded, and replayed: a
 * dozen chained middleware calls per request become one loop.
 */
export function createSecurityHeaders(publicUrl: string): RequestHandler {
  const headersFor = securityHeadersFor(publicUrl);
  return (req, res, next) => {
    const headers = headersFor(req);
    for (const name of headers.removed) res.removeHeader(name);
    for (const [name, value] of headers.set) res.setHeader(name, value);
    next();
  };
}

/** The security headers a request's response gets (see {@link createSecurityHeaders}), computed once per kind. */
export function securityHeadersFor(publicUrl: string): (req: IncomingMessage) => HeaderSet {
  const behindTls = publicUrl.startsWith('https:');
  const common = { crossOriginResourcePolicy: { policy: 'cross-origin' as const } };
  const overHttps = recordHelmet(common);
  const overHttp = recordHelmet({
    ...common,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  return (req) => (isHttps(req, behindTls) ? overHttps : overHttp);
}

/** Runs helmet once against a recording response and returns what it set and removed. */
function recordHelmet(options: HelmetOptions): HeaderSet {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const res = {
    setHeader(name: string, value: string) {
      set.push([name, String(value)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({} as IncomingMessage, res, (err?: unknown) => {
    failure = err;
  });
  if (failure !== undefined) throw failure;
  return { set, removed };
}

/** Whether the request came over TLS: its own socket's (the app does not trust proxies), or a trusted proxy's. */
function isHttps(req: IncomingMessage, behindTls: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return behindTls && typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
