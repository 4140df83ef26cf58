import { describe, expect, it } from 'vitest';
import { estimateTokens } from './token-budget.js';
import { TOKEN_CHECK_RETRY_MS, TokenCounter } from './token-counter.js';
import type { UpstreamRequest } from './upstream-client.js';

/** A stand-in upstream answering the token check with `answer`, recording what it was asked. */
function upstream(answer: (request: UpstreamRequest) => Response | Promise<Response>) {
  const requests: UpstreamRequest[] = [];
  return {
    requests,
    send: async (request: UpstreamRequest) => {
      requests.push(request);
      return answer(request);
    },
  };
}

/** FastChat's answer: one token per character, a 2,048-token context. */
function fastChat(request: UpstreamRequest): Response {
  const { prompts } = JSON.parse(String(request.body)) as { prompts: { prompt: string }[] };
  const items = prompts.map((p) => ({ fits: true, tokenCount: p.prompt.length, contextLength: 2048 }));
  return Response.json({ prompts: items });
}

const signal = new AbortController().signal;

describe('TokenCounter', () => {
  it("should count with FastChat's token check and report the model's context length", async () => {
    const fake = upstream(fastChat);
    const counter = new TokenCounter(fake, { fallbackContextLength: 4096 });

    const counted = await counter.count('vicuna', ['abc', 'de'], signal);

    expect(counted).toEqual({ counts: [3, 2], contextLength: 2048, source: 'upstream' });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/token_check', root: true });
    expect(JSON.parse(String(fake.requests[0]?.body))).toEqual({
      prompts: [
        { model: 'vicuna', prompt: 'abc', max_tokens: 0 },
        { model: 'vicuna', prompt: 'de', max_tokens: 0 },
      ],
    });
  });

  it('should estimate with the configured context length, and stop asking, when the upstream has no token check', async () => {
    const fake = upstream(() => new Response('{"detail":"Not Found"}', { status: 404 }));
    const counter = new TokenCounter(fake, { fallbackContextLength: 4096 });

    const first = await counter.count('vicuna', ['数据目录'], signal);
    const second = await counter.count('vicuna', ['backup'], signal);

    expect(first).toMatchObject({ counts: [4], contextLength: 4096, source: 'estimate' });
    expect(first.failure).toBeInstanceOf(Error);
    expect(second).toEqual({ counts: [estimateTokens('backup')], contextLength: 4096, source: 'estimate' });
    expect(fake.requests).toHaveLength(1);
  });

  it('should fall back to the estimate on a failure and ask again only after a while', async () => {
    let now = 0;
    let failing = true;
    const fake = upstream((request) => {
      if (failing) throw new Error('connection refused');
      return fastChat(request);
    });
    const counter = new TokenCounter(fake, { fallbackContextLength: 4096, now: () => now });

    expect(await counter.count('vicuna', ['abc'], signal)).toMatchObject({
      source: 'estimate',
      contextLength: 4096,
    });
    failing = false;
    expect(await counter.count('vicuna', ['abc'], signal)).toMatchObject({ source: 'estimate' });
    now += TOKEN_CHECK_RETRY_MS;
    expect(await counter.count('vicuna', ['abc'], signal)).toMatchObject({ source: 'upstream', counts: [3] });
    expect(fake.requests).toHaveLength(2);
  });

  it('should keep a context length it learned when a later check fails', async () => {
    let answer: (request: UpstreamRequest) => Response = fastChat;
    const counter = new TokenCounter(
      upstream((request) => answer(request)),
      { fallbackContextLength: 4096 },
    );
    await counter.count('vicuna', ['abc'], signal);
    answer = () => Response.json({ unexpected: true });

    expect(await counter.count('vicuna', ['abc'], signal)).toMatchObject({
      source: 'estimate',
      contextLength: 2048,
    });
    expect(await counter.count('other-model', ['abc'], signal)).toMatchObject({ contextLength: 4096 });
  });

  it('should estimate without asking when the request names no model', async () => {
    const fake = upstream(fastChat);
    const counter = new TokenCounter(fake, { fallbackContextLength: 4096 });

    expect(await counter.count(null, ['abc'], signal)).toMatchObject({ source: 'estimate' });
    expect(fake.requests).toHaveLength(0);
  });
});
