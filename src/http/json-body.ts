/** The app's JSON body parser: express.json's behaviour, with a short path for the plain bodies clients send. */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';

/** A JSON body parse failure, classified by the error handler as express.json's (`entity.parse.failed`, 400). */
class JsonBodyError extends SyntaxError {
  readonly type = 'entity.parse.failed';
  readonly status = 400;
}

const PLAIN_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
]);
/** JSON whitespace: space, tab, line feed, carriage return. */
const LEADING_WHITESPACE = /^[ \t\n\r]*/;

/**
 * Creates the JSON body parser for bodies up to `limit` bytes.
 *
 * @remarks
 * A request with a `Content-Length` and a plain `application/json` (UTF-8) type, uncompressed and within the limit
 * (what Chroma's clients send) is read here in one pass: chunks, one decode, `JSON.parse`. Everything else
 * (chunked, compressed, other charsets or types, too large) goes to express.json, which answers it exactly as before;
 * both set `req.body` and fail the same way (strict JSON: an object or an array; an empty body is `{}`).
 */
export function createJsonBodyParser(limit: number): RequestHandler {
  const fallback = express.json({ limit });
  return (req, res, next) => {
    const length = plainJsonLength(req);
    if (length === null || length > limit || req.body !== undefined) return fallback(req, res, next);
    readPlainJson(req).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}

/**
 * Reads and parses a body {@link plainJsonLength} accepted, in one pass: chunks, one decode, `JSON.parse`. Fails as
 * express.json does (`entity.parse.failed`) on malformed JSON.
 */
export function readPlainJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', reject);
    req.once('end', () => {
      try {
        resolve(parseJson(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The declared length of a plain, uncompressed UTF-8 JSON body; null for anything express.json should handle. */
export function plainJsonLength(req: IncomingMessage): number | null {
  const { headers } = req;
  const type = headers['content-type'];
  const length = headers['content-length'];
  if (type === undefined || length === undefined || headers['transfer-encoding'] !== undefined) return null;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null;
  if (!PLAIN_TYPES.has(type.toLowerCase()) || !/^\d{1,15}$/.test(length) || req.readableEnded) return null;
  return Number(length);
}

/** Parses a body as express.json does in strict mode: BOM dropped, `{}` when empty, only objects and arrays. */
function parseJson(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = text[LEADING_WHITESPACE.exec(text)?.[0].length ?? 0];
  if (first !== '{' && first !== '[') throw new JsonBodyError('JSON body must be an object or an array');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JsonBodyError((err as Error).message);
  }
}
