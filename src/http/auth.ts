/** Authentication middleware: a static token (as Chroma's clients send it) or HTTP Basic from an htpasswd file. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import type { RequestHandler } from 'express';
import { HttpError } from './error-handler.js';

/** Routes that answer without credentials, so health checks and version probes keep working. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  '/api/v2/heartbeat',
  '/api/v2/version',
  '/api/v2/healthcheck',
  '/api/v1/heartbeat',
]);

/** What {@link createAuth} checks; with neither set, every request passes. */
export interface AuthOptions {
  token: string | null;
  /** user name -> bcrypt hash. */
  htpasswd: ReadonlyMap<string, string> | null;
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
 * Creates the authentication middleware.
 *
 * @remarks
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, so neither content nor length leaks through timing.
 * Successful Basic logins are remembered by digest, because bcrypt costs tens of milliseconds per check.
 */
export function createAuth(options: AuthOptions): RequestHandler {
  const tokenDigest = options.token === null ? null : digest(options.token);
  const htpasswd = options.htpasswd;
  const verified = new Set<string>();
  if (tokenDigest === null && htpasswd === null) return (_req, _res, next) => next();

  return async (req, res, next) => {
    if (req.method === 'OPTIONS' || PUBLIC_PATHS.has(req.path)) return next();
    const credentials = readCredentials(req.headers);
    if (
      tokenDigest !== null &&
      credentials.token !== null &&
      safeEqual(digest(credentials.token), tokenDigest)
    ) {
      return next();
    }
    if (htpasswd !== null && credentials.basic !== null) {
      const key = digest(`${credentials.basic.user}\0${credentials.basic.password}`).toString('hex');
      if (verified.has(key) || (await checkBasic(htpasswd, credentials.basic))) {
        remember(verified, key);
        return next();
      }
    }
    if (htpasswd !== null) res.setHeader('WWW-Authenticate', 'Basic realm="kbgate"');
    next(new HttpError('UNAUTHORIZED', 'Unauthorized: missing or invalid credentials'));
  };
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
