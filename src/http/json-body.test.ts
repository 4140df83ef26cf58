import { gzipSync } from 'node:zlib';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.js';
import { createJsonBodyParser } from './json-body.js';
import { silentLogger } from './logging.js';

const LIMIT = 1_000;

/** An app that echoes the parsed body (or `null` for none) behind the given parser, with kbgate's error handler. */
function echoApp(parser: RequestHandler) {
  const app = express();
  app.use(parser);
  app.post('/echo', (req, res) => {
    res.json({ body: req.body ?? null });
  });
  app.use(createErrorHandler(silentLogger()));
  return app;
}

const reference = echoApp(express.json({ limit: LIMIT }));
const parser = echoApp(createJsonBodyParser(LIMIT));

const CASES: { name: string; body: string | Buffer; headers?: Record<string, string> }[] = [
  { name: 'an object', body: '{"ids":["a"],"embeddings":[[0.1,2e-3,-4]]}' },
  { name: 'an array', body: ' \n[1, 2]' },
  { name: 'an empty body', body: '' },
  { name: 'a byte-order mark', body: '\ufeff{"a":1}' },
  { name: 'a string', body: '"ids"' },
  { name: 'a number after whitespace', body: '  12' },
  { name: 'malformed JSON', body: '{"ids": [' },
  { name: 'trailing garbage', body: '{"a":1} x' },
  { name: 'UTF-8 text', body: '{"d":"Привет, 世界, สวัสดี"}' },
  {
    name: 'an explicit UTF-8 charset',
    body: '{"a":1}',
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
  },
  {
    name: 'a Latin-1 charset',
    body: '{"a":1}',
    headers: { 'Content-Type': 'application/json; charset=latin1' },
  },
  { name: 'a text type', body: '{"a":1}', headers: { 'Content-Type': 'text/plain' } },
  { name: 'a body over the limit', body: `{"a":"${'x'.repeat(LIMIT)}"}` },
  {
    name: 'a gzip-compressed body',
    body: gzipSync('{"a":1}'),
    headers: { 'Content-Encoding': 'gzip' },
  },
];

describe('createJsonBodyParser', () => {
  it.each(CASES)('should answer $name as express.json does', async ({ body, headers }) => {
    const send = (app: express.Express) =>
      request(app)
        .post('/echo')
        .set({ 'Content-Type': 'application/json', ...headers })
        .send(body);
    const [want, got] = await Promise.all([send(reference), send(parser)]);
    expect({ status: got.status, body: got.body as unknown }).toEqual({
      status: want.status,
      body: want.body as unknown,
    });
  });
});
