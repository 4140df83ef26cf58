import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { hybridSearch } from '../../src/retrieval/hybrid-search.js';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import {
  lastChatMessages,
  lastChatRequest,
  PASSAGES,
  postChat,
  startProxy,
  type Proxy,
} from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const BACKUP_QUESTION = 'How do I take a backup of the data directory?';

describe('POST /v1/chat/completions', () => {
  it('should put the relevant passages with numbered sources and a citation instruction before the question', async () => {
    proxy = await startProxy();
    const { data, response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] })
      .withResponse();

    expect(data.choices[0]?.message.content).toBe('The answer is 42 [1].');
    const messages = lastChatMessages(proxy.fake);
    expect(messages).toHaveLength(1);
    const user = messages[0];
    expect(user?.role).toBe('user');
    expect(user?.content).toMatch(
      /<passages>\n\[1\] Backups — docs\/backup\.md \(lines 1-3\)\nBackups > Snapshots/,
    );
    expect(user?.content).toContain('[2] Backups — docs/backup.md');
    expect(user?.content).toMatch(/square brackets/);
    expect(user?.content).not.toContain('Node.js 20');
    expect(user?.content).toMatch(
      new RegExp(`</passages>\\n\\n[^]*\\nQuestion:\\n${escape(BACKUP_QUESTION)}$`),
    );
    expect(response.headers.get('x-kbgate-passages')).toBe('2');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('added');
    expect(response.headers.get('x-kbgate-sources')).toBe('docs%2Fbackup.md, docs%2Fbackup.md');
  });

  it("should leave the client's system prompts as sent, since FastChat keeps only the last one", async () => {
    proxy = await startProxy();
    const system = [
      { role: 'system' as const, content: 'This is a summary of the chat history as a recap: backups.' },
      { role: 'system' as const, content: 'You are a helpful assistant.' },
    ];
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [...system, { role: 'user', content: BACKUP_QUESTION }],
    });

    const messages = lastChatMessages(proxy.fake);
    expect(messages.slice(0, 2)).toEqual(system);
    expect(messages).toHaveLength(3);
    expect(messages[2]?.content).toMatch(/^Knowledge-base passages[^]*\[1\] Backups[^]*Question:\n/);
  });

  it('should add the context to the latest user turn only, leaving earlier turns as sent', async () => {
    proxy = await startProxy();
    const earlier = [
      { role: 'user' as const, content: 'Which Node.js version and toolchain does kbgate need to install?' },
      { role: 'assistant' as const, content: 'Node.js 20.' },
    ];
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [...earlier, { role: 'user', content: 'And for a restore?' }],
    });

    const messages = lastChatMessages(proxy.fake);
    expect(messages.slice(0, 2)).toEqual(earlier);
    expect(messages[2]?.content).toContain('docs/install.md');
    expect(messages[2]?.content).toContain('Restore a backup');
    expect(messages[2]?.content).toMatch(/\nQuestion:\nAnd for a restore\?$/);
  });

  it('should keep the passages within the character budget', async () => {
    const long = PASSAGES.map((p) => ({ ...p, text: `${p.text} ${'backup data directory '.repeat(100)}` }));
    proxy = await startProxy({ KBGATE_PROXY_CONTEXT_CHARS: '1000' }, long);
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] })
      .withResponse();

    const user = lastChatMessages(proxy.fake)[0]?.content ?? '';
    expect(user.length).toBeLessThan(1000 + 1000);
    expect(user).toContain('…');
    expect(response.headers.get('x-kbgate-passages')).toBe('1');
  });

  it('should forward the request byte for byte when nothing in the collection matches', async () => {
    proxy = await startProxy();
    const raw = JSON.stringify({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: 'zebra quokka platypus' }],
      temperature: 0.2,
    }).replace('0.2', '0.20');
    const response = await postChat(proxy, raw);

    expect(response.status).toBe(200);
    expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('below-threshold');
  });

  it.each([
    ['missing', null, 'no-collection'],
    ['empty', [], 'below-threshold'],
  ])('should forward the request unchanged when the collection is %s', async (_, passages, outcome) => {
    proxy = await startProxy({}, passages);
    const messages = [{ role: 'user' as const, content: BACKUP_QUESTION }];
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages })
      .withResponse();

    expect(lastChatMessages(proxy.fake)).toEqual(messages);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe(outcome);
  });

  it('should say so when retrieval is disabled', async () => {
    proxy = await startProxy({ KBGATE_PROXY_PASSAGES: '0' });
    const messages = [{ role: 'user' as const, content: BACKUP_QUESTION }];
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages })
      .withResponse();

    expect(lastChatMessages(proxy.fake)).toEqual(messages);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('disabled');
  });

  it('should say so when there is no user text to search', async () => {
    proxy = await startProxy();
    const response = await postChat(proxy, JSON.stringify({ model: FAKE_MODEL, messages: [] }));

    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('no-query');
  });
});

describe('POST /v1/chat/completions relevance gate', () => {
  const UNANSWERABLE = "How do I renew the server's TLS certificate?";

  it('should add no passages for a question the knowledge base cannot answer, though BM25 finds some', async () => {
    proxy = await startProxy();
    const collection = proxy.engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'docs');
    const { ids } = await proxy.engine.lexicalQuery(collection.id, { queryText: UNANSWERABLE });
    expect(ids.length).toBeGreaterThan(0);

    const raw = JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: UNANSWERABLE }] });
    const response = await postChat(proxy, raw);

    expect(lastChatRequest(proxy.fake)?.raw).toBe(raw);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
    expect(response.headers.get('x-kbgate-retrieval')).toBe('below-threshold');
    expect(response.headers.get('x-kbgate-sources')).toBeNull();
  });

  it('should add those passages when the threshold is lowered to 0', async () => {
    proxy = await startProxy({ KBGATE_PROXY_MIN_RELEVANCE: '0' });
    const response = await postChat(
      proxy,
      JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: UNANSWERABLE }] }),
    );

    expect(Number(response.headers.get('x-kbgate-passages'))).toBeGreaterThan(0);
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain('docs/backup.md');
  });

  it('should keep only the passages at or above the threshold', async () => {
    proxy = await startProxy();
    const collection = proxy.engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'docs');
    const { results } = await hybridSearch(proxy.engine, {
      collection: collection.name,
      query: BACKUP_QUESTION,
      topK: 5,
      mode: 'lexical',
    });
    const [best, second] = results.map((hit) => hit.relevance);
    expect(best).toBeGreaterThan(second ?? 0);
    await proxy.close();

    proxy = await startProxy({ KBGATE_PROXY_MIN_RELEVANCE: String(((best ?? 0) + (second ?? 0)) / 2) });
    const response = await postChat(
      proxy,
      JSON.stringify({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] }),
    );

    expect(response.headers.get('x-kbgate-passages')).toBe('1');
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain('[1] Backups');
    expect(lastChatMessages(proxy.fake)[0]?.content).not.toContain('\n[2] ');
  });
});

describe('POST /v1/chat/completions streaming', () => {
  it('should stream the answer chunk by chunk before the upstream has finished', async () => {
    proxy = await startProxy();
    const release = proxy.fake.holdLastPiece();
    const { data: stream, response } = await proxy
      .client()
      .chat.completions.create({
        model: FAKE_MODEL,
        messages: [{ role: 'user', content: BACKUP_QUESTION }],
        stream: true,
      })
      .withResponse();

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-kbgate-passages')).toBe('2');
    const pieces: string[] = [];
    for await (const chunk of stream) {
      pieces.push(chunk.choices[0]?.delta.content ?? '');
      if (pieces.join('') === 'The answer is ') {
        expect(proxy.fake.finishedStreams).toBe(0);
        release();
      }
    }
    expect(pieces.join('')).toBe('The answer is 42 [1].');
    expect(proxy.fake.finishedStreams).toBe(1);
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain('docs/backup.md');
  });
});

/** `text` with regular-expression characters escaped. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('POST /v1/chat/completions with tools', () => {
  const searchTool = {
    type: 'function' as const,
    function: { name: 'searchKnowledgeBase', description: 'Search', parameters: { type: 'object' } },
  };
  const weatherTool = {
    type: 'function' as const,
    function: { name: 'getWeather', description: 'Weather', parameters: { type: 'object' } },
  };

  it("should remove kbgate's own search tool and keep the others as sent", async () => {
    proxy = await startProxy();
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: BACKUP_QUESTION }],
      tools: [searchTool, weatherTool],
      tool_choice: 'auto',
    });

    const body = proxy.fake.requests.at(-1)?.body;
    expect(body?.tools).toEqual([weatherTool]);
    expect(body?.tool_choice).toBe('auto');
  });

  it('should drop tools and tool_choice when only its own tool was sent', async () => {
    proxy = await startProxy();
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: BACKUP_QUESTION }],
      tools: [searchTool],
      tool_choice: 'auto',
    });

    const body = proxy.fake.requests.at(-1)?.body ?? {};
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain('docs/backup.md');
  });
});
