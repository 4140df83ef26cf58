import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_MODEL, fakeTokenCount } from '../helpers/fake-fastchat.js';
import {
  lastChatMessages,
  lastChatRequest,
  postChat,
  startProxy,
  tokenChecks,
  type Passage,
  type Proxy,
} from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const CONTEXT_LENGTH = 2048;
const MAX_TOKENS = 512;
const QUESTION = '如何备份数据目录？';

/** Five Chinese passages about backups, about 800 characters (and tokens) each: together twice the context. */
const CJK_PASSAGES: Passage[] = Array.from({ length: 5 }, (_, i) => ({
  id: `backup-zh.md#${i}`,
  text: `备份数据目录：第${i + 1}节。${'停止服务器后复制整个数据目录即可完成备份。'.repeat(40)}`,
  source: 'docs/backup-zh.md',
  title: '备份',
}));

/** A NextChat-like streamed chat request with `max_tokens`. */
function chatBody(messages: object[], maxTokens: number | null = MAX_TOKENS): string {
  return JSON.stringify({
    messages,
    stream: true,
    model: FAKE_MODEL,
    ...(maxTokens === null ? {} : { max_tokens: maxTokens }),
  });
}

async function chat(messages: object[], maxTokens?: number | null): Promise<Response> {
  const response = await postChat(proxy, chatBody(messages, maxTokens));
  await response.text();
  return response;
}

describe('POST /v1/chat/completions token budget', () => {
  it('should add only the CJK passages that fit a 2,048-token context beside the answer', async () => {
    proxy = await startProxy({}, CJK_PASSAGES);
    proxy.fake.contextLength = CONTEXT_LENGTH;
    expect(CJK_PASSAGES.reduce((sum, p) => sum + fakeTokenCount(p.text), 0)).toBeGreaterThan(
      CONTEXT_LENGTH * 2,
    );

    const response = await chat([{ role: 'user', content: QUESTION }]);

    expect(response.status).toBe(200);
    const passages = Number(response.headers.get('x-kbgate-passages'));
    expect(passages).toBeGreaterThanOrEqual(1);
    expect(passages).toBeLessThan(CJK_PASSAGES.length);
    expect(lastChatRequest(proxy.fake)?.promptTokens).toBeLessThanOrEqual(CONTEXT_LENGTH - MAX_TOKENS);
    expect(tokenChecks(proxy.fake)).toHaveLength(1);
  });

  it('should keep a default answer reserve when the request sets no max_tokens', async () => {
    proxy = await startProxy({}, CJK_PASSAGES);
    proxy.fake.contextLength = CONTEXT_LENGTH;

    const response = await chat([{ role: 'user', content: QUESTION }], null);

    expect(Number(response.headers.get('x-kbgate-passages'))).toBeGreaterThanOrEqual(1);
    expect(lastChatRequest(proxy.fake)?.promptTokens).toBeLessThanOrEqual(
      CONTEXT_LENGTH - CONTEXT_LENGTH / 4,
    );
  });

  it('should cut the first passage down when a whole one does not fit', async () => {
    proxy = await startProxy({}, CJK_PASSAGES);
    proxy.fake.contextLength = 1536;

    const response = await chat([{ role: 'user', content: QUESTION }]);

    expect(response.headers.get('x-kbgate-passages')).toBe('1');
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain('…');
    expect(lastChatRequest(proxy.fake)?.promptTokens).toBeLessThanOrEqual(1536 - MAX_TOKENS);
  });

  it('should add nothing when the conversation leaves no room', async () => {
    proxy = await startProxy({}, CJK_PASSAGES);
    proxy.fake.contextLength = CONTEXT_LENGTH;
    const history = [
      { role: 'user', content: '数据目录'.repeat(300) },
      { role: 'assistant', content: '好的。' },
      { role: 'user', content: QUESTION },
    ];
    const raw = chatBody(history);
    const response = await postChat(proxy, raw);
    await response.text();

    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('no-room');
    expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
  });

  it('should estimate conservatively, and ask for the token check only once, when the upstream has none', async () => {
    proxy = await startProxy({ KBGATE_UPSTREAM_CONTEXT_TOKENS: String(CONTEXT_LENGTH) }, CJK_PASSAGES);
    proxy.fake.contextLength = CONTEXT_LENGTH;
    proxy.fake.tokenCheck = 'absent';

    for (const question of [QUESTION, '数据目录怎么备份？']) {
      const response = await chat([{ role: 'user', content: question }]);

      expect(response.status).toBe(200);
      expect(Number(response.headers.get('x-kbgate-passages'))).toBeGreaterThanOrEqual(1);
      expect(lastChatRequest(proxy.fake)?.promptTokens).toBeLessThanOrEqual(CONTEXT_LENGTH - MAX_TOKENS);
    }
    expect(tokenChecks(proxy.fake)).toHaveLength(1);
  });

  it('should fall back to the estimate when the token check fails, and answer the chat', async () => {
    proxy = await startProxy({ KBGATE_UPSTREAM_CONTEXT_TOKENS: String(CONTEXT_LENGTH) }, CJK_PASSAGES);
    proxy.fake.contextLength = CONTEXT_LENGTH;
    proxy.fake.tokenCheck = 'error';

    const response = await chat([{ role: 'user', content: QUESTION }]);

    expect(response.status).toBe(200);
    expect(response.headers.get('x-kbgate-retrieval')).toBe('added');
    expect(lastChatRequest(proxy.fake)?.promptTokens).toBeLessThanOrEqual(CONTEXT_LENGTH - MAX_TOKENS);
  });
});
