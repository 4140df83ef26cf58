import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import { startProxy, UPSTREAM_KEY, type Proxy } from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const TOKEN = 'kbgate-caller-token';
const messages = [{ role: 'user' as const, content: 'How do I take a backup?' }];

describe('/v1 authentication', () => {
  it.each([
    ['a wrong', 'wrong-token'],
    ["the upstream's", UPSTREAM_KEY],
  ])('should refuse %s API key with an OpenAI-style 401', async (_, apiKey) => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    const err = await proxy
      .client(apiKey)
      .chat.completions.create({ model: FAKE_MODEL, messages })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'invalid_api_key' });
    expect(proxy.fake.requests).toHaveLength(0);
  });

  it('should refuse a request without Authorization on pass-through paths too', async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    const response = await fetch(`${proxy.baseUrl}/models`);

    expect(response.status).toBe(401);
    expect(proxy.fake.requests).toHaveLength(0);
  });

  it("should send the upstream key instead of the caller's token and reveal it in no response", async () => {
    proxy = await startProxy({ KBGATE_AUTH_TOKEN: TOKEN });
    const client = proxy.client(TOKEN);
    const chat = await client.chat.completions.create({ model: FAKE_MODEL, messages }).withResponse();
    const stream = await client.chat.completions
      .create({ model: FAKE_MODEL, messages, stream: true })
      .withResponse();
    const streamed: unknown[] = [];
    for await (const chunk of stream.data) streamed.push(chunk);
    const models = await client.models.list().withResponse();

    for (const request of proxy.fake.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(JSON.stringify(request.headers)).not.toContain(TOKEN);
    }
    const seen = [chat, stream, models].map(({ response }) => JSON.stringify([...response.headers]));
    seen.push(JSON.stringify(chat.data), JSON.stringify(streamed), JSON.stringify(models.data));
    for (const text of seen) expect(text).not.toContain(UPSTREAM_KEY);
  });
});
