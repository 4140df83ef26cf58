import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing } from '../../src/http/tracing.js';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface OtlpSpan {
  name: string;
  attributes: OtlpAttribute[];
}

const received: { path: string; body: unknown }[] = [];
let receiver: Server;
let endpoint: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

function spansOf(body: unknown): OtlpSpan[] {
  const resourceSpans =
    (body as { resourceSpans?: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans ?? [];
  return resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

function attribute(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

describe('OpenTelemetry tracing', () => {
  it('should export one span per request with route, operation and collection over OTLP/HTTP', async () => {
    const tracing = await createTracing({ endpoint, exportDelayMs: 60_000 });
    const { app } = createTestApp({}, { tracing });
    const created = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'traced' })
      .expect(200);
    await request(app).get(`${DEFAULT_SCOPE}/collections/${created.body.id}/count`).expect(200);
    await tracing.shutdown();

    expect(received.every((r) => r.path === '/v1/traces')).toBe(true);
    const spans = received.flatMap((r) => spansOf(r.body));
    const count = spans.find((s) => attribute(s, 'kbgate.operation') === 'count');
    expect(count?.name).toBe(
      'GET /api/v2/tenants/:tenant/databases/:database/collections/:collection_id/count',
    );
    expect(attribute(count as OtlpSpan, 'kbgate.collection.id')).toBe(created.body.id);
    expect(attribute(count as OtlpSpan, 'http.response.status_code')).toBe(200);
    expect(spans.some((s) => attribute(s, 'kbgate.operation') === 'create_collection')).toBe(true);
  });
});
