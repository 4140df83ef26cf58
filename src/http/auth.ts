/** Authentication and authorization: an admin token, read-only tokens, or HTTP Basic users from an htpasswd file. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import type { Request, RequestHandler } from 'express';
import type { Config, NamedToken } from '../config.js';
import { HttpError } from './error-handler.js';

/** Routes that answer without credentials, so health checks and version probes keep working. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/api/v2/heartbeat',
  '/api/v2/version',
  '/api/v2/healthcheck',
  '/api/v1/heartbeat',
]);

/**
 * POST routes that only read, which read-only tokens may call besides GET and HEAD: the plugin's search, the
 * retrieval proxy, Chroma's `get` and `query`, and the console's search and preview.
 */
const READ_POSTS: readonly RegExp[] = [
  /^\/search\/?$/i,
  /^\/v1(\/|$)/i,
  /^\/api\/v2\/tenants\/[^/]+\/databases\/[^/]+\/collections\/[^/]+\/(get|query)\/?$/i,
  /^\/console\/api\/(search|preview)\/?$/i,
];

/** What a credential may do: everything, or read. */
export type Role = 'admin' | 'read';

/** What {@link createAuth} checks; with none set, every request passes. */
export interface AuthOptions {
  /** The admin token. */
  token: string | null;
  /** Read-only tokens. */
  readTokens?: readonly NamedToken[];
  /** user name -> bcrypt hash; its users are admins. */
  htpasswd: ReadonlyMap<string, string> | null;
}

/** The credentials the configuration sets (the htpasswd file read once per call). */
export function authOptionsFrom(config: Config): AuthOptions {
  return {
    token: config.authToken,
    readTokens: config.readTokens,
    htpasswd: config.htpasswdFile === null ? null : readHtpasswd(config.htpasswdFile),
  };
}

/** Whether the configuration asks for credentials at all. */
export function authRequired(config: Config): boolean {
  return config.authToken !== null || config.readTokens.length > 0 || config.htpasswdFile !== null;
}

/** Whether a read-only credential may make this request. */
export function isReadRequest(req: Request): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  const path = fullPath(req);
  return req.method === 'POST' && READ_POSTS.some((pattern) => pattern.test(path));
}

const VERIFIED_CACHE_LIMIT = 256;

/** Reads an htpasswd file of bcrypt entries (`htpasswd -B`); throws naming the file on anything else. */
export function readHtpasswd(file: string): Map<string, string> {
  const users = new Map<string, string>();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    const user = trimmed.slice(0, colon);
    const hash = trimmed.slice(colon + 1);
    if (colon <= 0 || !/^\$2[aby]\$\d\d\$.{53}$/.test(hash)) {
      throw new Error(`${file}:${i + 1}: not a bcrypt htpasswd entry (create it with htpasswd -B)`);
    }
    users.set(user, hash);
  });
  return users;
}

/**
 * Creates the authentication and authorization middleware.
 *
 * @remarks
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, against every configured token, so neither content
 * nor length leaks through timing. Successful Basic logins are remembered by digest, because bcrypt costs tens of
 * milliseconds per check. A read-only token making a request that writes is refused with 403. Public paths are
 * matched on the whole path (`req.baseUrl + req.path`), so a router mounted elsewhere cannot make them public there.
 */
export function createAuth(options: AuthOptions): RequestHandler {
  const tokens = [
    ...(options.token === null ? [] : [{ name: 'admin', token: options.token, role: 'admin' as Role }]),
    ...(options.readTokens ?? []).map((t) => ({ ...t, role: 'read' as Role })),
  ].map((t) => ({ name: t.name, role: t.role, digest: digest(t.token) }));
  const htpasswd = options.htpasswd;
  const verified = new Set<string>();
  if (tokens.length === 0 && htpasswd === null) return (_req, _res, next) => next();

  return async (req, res, next) => {
    if (PUBLIC_PATHS.has(fullPath(req))) return next();
    const credentials = readCredentials(req.headers);
    let found = credentials.token === null ? null : matchToken(tokens, digest(credentials.token));
    if (found === null && htpasswd !== null && credentials.basic !== null) {
      const key = digest(`${credentials.basic.user}\0${credentials.basic.password}`).toString('hex');
      if (verified.has(key) || (await checkBasic(htpasswd, credentials.basic))) {
        remember(verified, key);
        found = { name: credentials.basic.user, role: 'admin' };
      }
    }
    if (found === null) {
      if (htpasswd !== null) res.setHeader('WWW-Authenticate', 'Basic realm="kbgate"');
      return next(new HttpError('UNAUTHORIZED', 'Unauthorized: missing or invalid credentials'));
    }
    res.locals.principal = found.name;
    if (found.role === 'read' && !isReadRequest(req)) {
      return next(new HttpError('FORBIDDEN', `Forbidden: the token "${found.name}" may only read`));
    }
    next();
  };
}

/** The configured token whose digest matches, checking every one so timing does not tell which. */
function matchToken(
  tokens: readonly { name: string; role: Role; digest: Buffer }[],
  presented: Buffer,
): { name: string; role: Role } | null {
  let found: { name: string; role: Role } | null = null;
  for (const token of tokens) if (safeEqual(presented, token.digest) && found === null) found = token;
  return found === null ? null : { name: found.name, role: found.role };
}

/** The whole path; before Express's dispatch (the fast lane) the request has no `path` and the URL's is used. */
function fullPath(req: Request): string {
  const { baseUrl, path } = req as Partial<Request>;
  return path === undefined ? (req.url.split('?', 1)[0] ?? '') : `${baseUrl ?? ''}${path}`;
}

interface Credentials {
  token: string | null;
  basic: { user: string; password: string } | null;
}

function readCredentials(headers: Record<string, string | string[] | undefined>): Credentials {
  const chromaToken = headers['x-chroma-token'];
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : '';
  const [scheme = '', value = ''] = authorization.split(/\s+/, 2);
  const out: Credentials = { token: typeof chromaToken === 'string' ? chromaToken : null, basic: null };
  if (/^bearer$/i.test(scheme) && value !== '') out.token = value;
  if (/^basic$/i.test(scheme) && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) out.basic = { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return out;
}

async function checkBasic(
  htpasswd: ReadonlyMap<string, string>,
  basic: { user: string; password: string },
): Promise<boolean> {
  const hash = htpasswd.get(basic.user);
  if (hash === undefined) return false;
  return bcrypt.compare(basic.password, hash).catch(() => false);
}

function remember(cache: Set<string>, key: string): void {
  if (cache.has(key)) return;
  if (cache.size >= VERIFIED_CACHE_LIMIT) cache.clear();
  cache.add(key);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
