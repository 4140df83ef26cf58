import { afterEach, describe, expect, it } from 'vitest';
import {
  NEXTCHAT_SUMMARIZE_PROMPTS,
  NEXTCHAT_TOPIC_PROMPTS,
} from '../../src/http/openai/nextchat-prompts.js';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import {
  lastChatMessages,
  lastChatRequest,
  postChat,
  startProxy,
  tokenChecks,
  type Proxy,
} from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const BACKUP_QUESTION = 'How do I take a backup of the data directory?';

/** A conversation about a topic the knowledge base covers, as NextChat keeps it (role and content only). */
const CONVERSATION = [
  { role: 'user', content: BACKUP_QUESTION },
  { role: 'assistant', content: 'Stop the server, then copy the data directory [1].' },
  { role: 'user', content: 'And how do I restore a backup of the data directory?' },
  { role: 'assistant', content: 'Replace the data directory and restart the server [1].' },
];

/** NextChat 2.16's request body (app/client/platforms/openai.ts): messages, stream, model and sampling settings. */
function nextChatBody(messages: object[], stream: boolean): string {
  return JSON.stringify({
    messages,
    stream,
    model: FAKE_MODEL,
    temperature: 0.5,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_p: 1,
  });
}

/** The title request of summarizeSession (app/store/chat.ts): the conversation, then the Topic prompt as user. */
function titleRequest(locale: string): string {
  const prompt = NEXTCHAT_TOPIC_PROMPTS[locale] as string;
  return nextChatBody([...CONVERSATION, { role: 'user', content: prompt }], false);
}

/** The memory-summary request: the memory prompt, the conversation, then the Summarize prompt as system. */
function summaryRequest(locale: string): string {
  const prompt = NEXTCHAT_SUMMARIZE_PROMPTS[locale] as string;
  const memory = { role: 'system', content: 'This is a summary of the chat history as a recap: backups.' };
  return nextChatBody([memory, ...CONVERSATION, { role: 'system', content: prompt }], true);
}

describe("NextChat's housekeeping requests", () => {
  it.each(['en', 'cn', 'ru', 'tw'])('should forward the %s title request byte for byte', async (locale) => {
    proxy = await startProxy();
    const raw = titleRequest(locale);
    const response = await postChat(proxy, raw);

    expect(response.status).toBe(200);
    expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('housekeeping');
    expect(tokenChecks(proxy.fake)).toHaveLength(0);
  });

  it.each(['en', 'cn', 'ru', 'tw'])(
    'should forward the %s memory-summary request byte for byte',
    async (locale) => {
      proxy = await startProxy();
      const raw = summaryRequest(locale);
      const response = await postChat(proxy, raw);

      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(await response.text()).toContain('data: [DONE]');
      expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
      expect(response.headers.get('x-kbgate-passages')).toBe('0');
      expect(response.headers.get('x-kbgate-retrieval')).toBe('housekeeping');
    },
  );

  it('should forward a question about the conversation itself untouched', async () => {
    proxy = await startProxy();
    const raw = nextChatBody(
      [...CONVERSATION, { role: 'user', content: 'Summarize our conversation' }],
      true,
    );
    const response = await postChat(proxy, raw);
    await response.text();

    expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
    expect(response.headers.get('x-kbgate-retrieval')).toBe('housekeeping');
  });

  it('should still add passages to a question in the same conversation', async () => {
    proxy = await startProxy();
    const question = {
      role: 'user',
      content: 'Can I take a backup of the data directory while the server runs?',
    };
    const response = await postChat(proxy, nextChatBody([...CONVERSATION, question], true));
    await response.text();

    expect(response.headers.get('x-kbgate-retrieval')).toBe('added');
    expect(lastChatMessages(proxy.fake).at(-1)?.content).toContain('docs/backup.md');
  });
});
