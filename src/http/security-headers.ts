/** Helmet's security headers, with `upgrade-insecure-requests` only for pages that were served over HTTPS. */
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Creates the security-header middleware.
 *
 * @remarks Helmet's default Content-Security-Policy asks browsers to fetch every sub-resource over HTTPS
 * (`upgrade-insecure-requests`). kbgate itself speaks plain HTTP, so on a page loaded as `http://<host name>:8000/docs`
 * Chromium would ask for Swagger UI's scripts over HTTPS and show a blank page (it exempts only loopback hosts).
 * The directive is therefore sent only when the request arrived over HTTPS: directly, or through a TLS proxy when
 * `publicUrl` is an https URL and the proxy says so in `X-Forwarded-Proto`.
 */
export function createSecurityHeaders(publicUrl: string): RequestHandler {
  const behindTls = publicUrl.startsWith('https:');
  const common = { crossOriginResourcePolicy: { policy: 'cross-origin' as const } };
  const overHttps = helmet(common);
  const overHttp = helmet({
    ...common,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  return (req, res, next) => (isHttps(req, behindTls) ? overHttps : overHttp)(req, res, next);
}

function isHttps(req: Request, behindTls: boolean): boolean {
  if (req.secure) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return behindTls && typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === 'https';
}
