import { createServer } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import { startProxy, UPSTREAM_KEY, type Proxy } from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const messages = [{ role: 'user' as const, content: 'How do I take a backup?' }];

async function chatError(client: OpenAI, stream = false): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await client.chat.completions.create({ model: FAKE_MODEL, messages, stream });
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('upstream failures', () => {
  it('should pass a FastChat refusal through with its status as an OpenAI-style error', async () => {
    proxy = await startProxy();
    proxy.fake.chat = {
      kind: 'error',
      status: 400,
      body: { object: 'error', message: 'Only vicuna-7b-v1.5 allowed now', code: 40301 },
    };
    const err = await chatError(proxy.client());

    expect(err.status).toBe(400);
    expect(err.error).toEqual({
      message: 'Only vicuna-7b-v1.5 allowed now',
      type: 'invalid_request_error',
      code: 40301,
      param: null,
    });
  });

  it('should pass an upstream server error through with its status', async () => {
    proxy = await startProxy();
    proxy.fake.chat = {
      kind: 'error',
      status: 500,
      body: { error: { message: 'worker crashed', type: 'x' } },
    };
    const err = await chatError(proxy.client(), true);

    expect(err.status).toBe(500);
    expect(err.error).toMatchObject({ message: 'worker crashed', type: 'x' });
  });

  it('should answer 502 when the upstream is unreachable', async () => {
    proxy = await startProxy({ KBGATE_UPSTREAM_URL: `http://127.0.0.1:${await closedPort()}/v1` });
    const err = await chatError(proxy.client());

    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ type: 'upstream_error', code: 'upstream_unreachable' });
    expect(JSON.stringify(err.error)).not.toContain(UPSTREAM_KEY);
  });

  it('should answer 504 when the upstream sends no response headers within the timeout', async () => {
    proxy = await startProxy({ KBGATE_UPSTREAM_TIMEOUT_MS: '150' });
    proxy.fake.chat = { kind: 'hang' };
    const abandoned = proxy.fake.nextAbandoned();
    const err = await chatError(proxy.client(), true);

    expect(err.status).toBe(504);
    expect(err.error).toMatchObject({ type: 'upstream_error', code: 'upstream_timeout' });
    await abandoned;
  });

  it('should cancel the upstream request when the client disconnects mid-stream', async () => {
    proxy = await startProxy();
    const release = proxy.fake.holdLastPiece();
    const abandoned = proxy.fake.nextAbandoned();
    const controller = new AbortController();
    const stream = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages, stream: true }, { signal: controller.signal });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    controller.abort();

    await abandoned;
    release();
    expect(proxy.fake.finishedStreams).toBe(0);
  });

  it('should answer 400 with an OpenAI-style error for a body that is not JSON', async () => {
    proxy = await startProxy();
    const response = await fetch(`${proxy.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(proxy.fake.requests).toHaveLength(0);
  });

  it('should answer 503 when no upstream is configured', async () => {
    proxy = await startProxy({ KBGATE_UPSTREAM_URL: '' });
    const err = await chatError(proxy.client());

    expect(err.status).toBe(503);
    expect(err.error).toMatchObject({ code: 'upstream_not_configured' });
  });
});

describe('upstream stream broken off', () => {
  it('should end the event stream with an error event the SDK raises', async () => {
    proxy = await startProxy();
    proxy.fake.chat = { kind: 'break' };
    const stream = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages, stream: true });
    const pieces: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    };

    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(pieces).toEqual(['The ']);
  });
});
