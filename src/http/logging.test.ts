import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createRequestLogger, type RequestLogOptions } from './logging.js';

/** An app whose routes answer 200, 500 or slowly, logging into the returned list of parsed lines. */
function appLogging(options: RequestLogOptions) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = express();
  app.use(createRequestLogger(logger, options));
  app.get('/ok', (_req, res) => {
    res.json({});
  });
  app.get('/fail', (_req, res) => {
    res.status(500).json({});
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({}), 30);
  });
  app.get('/v1/slow', (_req, res) => {
    setTimeout(() => res.json({}), 30);
  });
  app.get('/uses-log', (req, res) => {
    (req as unknown as { log: typeof logger }).log.info('from the handler');
    res.json({});
  });
  return { app, lines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('createRequestLogger', () => {
  it('should write no line for a fast successful request by default', async () => {
    const { app, lines } = appLogging({ mode: 'errors', slowMs: 1_000 });
    await request(app).get('/ok').expect(200);
    await settle();
    expect(lines).toEqual([]);
  });

  it('should log server errors at error and slow requests at warn', async () => {
    const { app, lines } = appLogging({ mode: 'errors', slowMs: 10, slowExempt: ['/v1/'] });
    await request(app).get('/fail').expect(500);
    await request(app).get('/slow').expect(200);
    await request(app).get('/v1/slow').expect(200);
    await settle();
    expect(lines.map((l) => [l['level'], l['msg'], (l['req'] as { url: string }).url])).toEqual([
      [50, 'request errored', '/fail'],
      [40, 'slow request', '/slow'],
    ]);
  });

  it('should log every request with its id, status and time when asked to', async () => {
    const { app, lines } = appLogging({ mode: 'all', slowMs: 1_000 });
    await request(app).get('/ok').set('X-Request-Id', 'abc-1').expect(200);
    await settle();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'abc-1', method: 'GET', url: '/ok' },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0]?.['responseTime']).toBe('number');
  });

  it('should give handlers a logger bound to the request id', async () => {
    const { app, lines } = appLogging({ mode: 'errors', slowMs: 1_000 });
    await request(app).get('/uses-log').set('X-Request-Id', 'abc-2').expect(200);
    await settle();
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'from the handler', req: expect.objectContaining({ id: 'abc-2' }) }),
    ]);
  });
});
