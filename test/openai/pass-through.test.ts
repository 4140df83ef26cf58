import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import { startProxy, UPSTREAM_KEY, type Proxy } from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

describe('pass-through /v1 paths', () => {
  it('should list the upstream models', async () => {
    proxy = await startProxy();
    const models = await proxy.client().models.list();

    expect(models.data.map((m) => m.id)).toEqual([FAKE_MODEL]);
    expect(proxy.fake.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/models' });
  });

  it('should forward embeddings with the body byte for byte and the upstream key', async () => {
    proxy = await startProxy();
    const result = await proxy
      .client()
      .embeddings.create({ model: FAKE_MODEL, input: ['backup the data'], encoding_format: 'float' });

    expect(result.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
    const received = proxy.fake.requests.at(-1);
    expect(received?.url).toBe('/v1/embeddings');
    expect(received?.body).toEqual({
      model: FAKE_MODEL,
      input: ['backup the data'],
      encoding_format: 'float',
    });
    expect(received?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it('should forward completions with their query string and without retrieval', async () => {
    proxy = await startProxy();
    const raw = JSON.stringify({ model: FAKE_MODEL, prompt: 'How do I take a backup?', max_tokens: 5 });
    const response = await fetch(`${proxy.baseUrl}/completions?api-version=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw,
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: { text: string }[] }).choices[0]?.text).toBe(' completed');
    expect(proxy.fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      url: '/v1/completions?api-version=1',
      raw,
    });
  });

  it('should answer a path outside the forwarded OpenAI routes with a 404 of its own, forwarding nothing', async () => {
    proxy = await startProxy();
    const response = await fetch(`${proxy.baseUrl}/no/such/path`);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringContaining('kbgate forwards only'), code: 'unknown_url' },
    });
    expect(proxy.fake.requests).toEqual([]);
  });
});
