import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import { postChat, startProxy, UPSTREAM_KEY, type Proxy } from './proxy-fixture.js';

const TOKEN = 'admin-token-0123456789';
const READ_TOKEN = 'read-token-0123456789';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

/** Sends a request with the path exactly as given (no URL normalization on the way). */
function rawRequest(
  proxy: Proxy,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; body: string }> {
  const { port } = new URL(proxy.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the retrieval proxy forwards only authenticated requests to known OpenAI paths', () => {
  it('should answer OPTIONS itself, with or without an allowed origin, and forward nothing', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN, KBGATE_CORS_ORIGINS: 'http://localhost:3000' });
    const body = JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: 'hi' }] });
    for (const [path, origin] of [
      ['/v1/chat/completions', 'http://evil.example'],
      ['/v1/chat/completions', 'http://localhost:3000'],
      ['/v1/models', ''],
      ['/v1/../../admin/shutdown', ''],
      ['/v1/%2e%2e/%2e%2e/admin/shutdown', ''],
    ] as const) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (origin !== '') Object.assign(headers, { origin, 'access-control-request-method': 'POST' });
      const res = await rawRequest(proxy, 'OPTIONS', path, headers, body);
      expect(res.status, `OPTIONS ${path}`).toBe(204);
    }
    expect(proxy.fake.requests).toEqual([]);
  });

  it('should refuse paths outside the OpenAI routes, however spelled, without forwarding them', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const path of [
      '/v1/../../admin/shutdown',
      '/v1/%2e%2e/%2e%2e/admin/shutdown',
      '/v1/models/..%2f..%2fadmin',
      '/v1//models',
      '/v1/api/v1/token_check',
      '/v1/worker_generate_stream',
    ]) {
      const res = await rawRequest(
        proxy,
        'POST',
        path,
        { ...auth, 'content-type': 'application/json' },
        '{}',
      );
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unknown_url' } });
    }
    const wrongMethod = await rawRequest(proxy, 'DELETE', '/v1/models', auth);
    expect(wrongMethod.status).toBe(405);
    expect(proxy.fake.requests).toEqual([]);
  });

  it('should ask for credentials on /v1 paths that are public elsewhere', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    for (const path of ['/v1/api/v2/heartbeat', '/v1/api/v2/version', '/v1/models']) {
      expect((await rawRequest(proxy, 'GET', path)).status, path).toBe(401);
    }
    expect(proxy.fake.requests).toEqual([]);
  });

  it('should never relay the upstream key an upstream error body echoes', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    proxy.fake.chat = {
      kind: 'error',
      status: 401,
      body: { detail: `Invalid key ${UPSTREAM_KEY}; also tried ${UPSTREAM_KEY.slice(0, 12)}… and ${TOKEN}` },
    };
    const res = await fetch(`${proxy.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: 'hello there' }] }),
    });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(UPSTREAM_KEY.slice(0, 12));
    expect(text).not.toContain(TOKEN);
  });
});

describe('read-only tokens (KBGATE_READ_TOKEN)', () => {
  it('should let a read-only token chat through the proxy and list models', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN, KBGATE_READ_TOKEN: `nextchat:${READ_TOKEN}` });
    const chat = await postChat(
      { ...proxy, baseUrl: proxy.baseUrl },
      JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: 'backup?' }] }),
    );
    expect(chat.status).toBe(401);
    const models = await proxy.client(READ_TOKEN).models.list();
    expect(models.data.map((m) => m.id)).toContain(FAKE_MODEL);
    const answer = await proxy.client(READ_TOKEN).chat.completions.create({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: 'How do I take a backup?' }],
    });
    expect(answer.choices[0]?.message.content).toBe('The answer is 42 [1].');
  });
});
