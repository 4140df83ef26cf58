import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { FAKE_MODEL } from '../helpers/fake-fastchat.js';
import { lastChatMessages, PASSAGES, startProxy, type Proxy } from './proxy-fixture.js';

let proxy: Proxy;

afterEach(async () => {
  await proxy.close();
});

const BACKUP_QUESTION = 'How do I take a backup of the data directory?';

describe('POST /v1/chat/completions', () => {
  it('should add the top passages as a system message with numbered sources and a citation instruction', async () => {
    proxy = await startProxy();
    const { data, response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] })
      .withResponse();

    expect(data.choices[0]?.message.content).toBe('The answer is 42 [1].');
    const [system, user] = lastChatMessages(proxy.fake);
    expect(system?.role).toBe('system');
    expect(system?.content).toMatch(/\[1\] Backups — docs\/backup\.md \(lines 1-3\)\nBackups > Snapshots/);
    expect(system?.content).toContain('[2] Backups — docs/backup.md');
    expect(system?.content).toMatch(/square brackets/);
    expect(system?.content).not.toContain('Node.js 20');
    expect(user).toEqual({ role: 'user', content: BACKUP_QUESTION });
    expect(response.headers.get('x-kbgate-passages')).toBe('2');
    expect(response.headers.get('x-kbgate-sources')).toBe('docs%2Fbackup.md, docs%2Fbackup.md');
  });

  it('should append the context to the client system prompt, since FastChat keeps only one', async () => {
    proxy = await startProxy();
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: BACKUP_QUESTION },
      ],
    });

    const messages = lastChatMessages(proxy.fake);
    expect(messages).toHaveLength(2);
    expect(messages[0]?.content).toMatch(/^You are a helpful assistant\.\n\nAnswer using the numbered/);
  });

  it('should search a short follow-up together with the previous question', async () => {
    proxy = await startProxy();
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [
        { role: 'user', content: 'Which Node.js version and toolchain does kbgate need to install?' },
        { role: 'assistant', content: 'Node.js 20.' },
        { role: 'user', content: 'And for a restore?' },
      ],
    });

    const system = lastChatMessages(proxy.fake)[0]?.content ?? '';
    expect(system).toContain('docs/install.md');
    expect(system).toContain('Restore a backup');
  });

  it('should keep the passages within the character budget', async () => {
    const long = PASSAGES.map((p) => ({ ...p, text: `${p.text} ${'backup data directory '.repeat(100)}` }));
    proxy = await startProxy({ KBGATE_PROXY_CONTEXT_CHARS: '1000' }, long);
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] })
      .withResponse();

    const system = lastChatMessages(proxy.fake)[0]?.content ?? '';
    expect(system.length).toBeLessThan(1500);
    expect(system).toContain('…');
    expect(response.headers.get('x-kbgate-passages')).toBe('1');
  });

  it('should forward the request unchanged when nothing in the collection matches', async () => {
    proxy = await startProxy();
    const messages = [{ role: 'user' as const, content: 'zebra quokka platypus' }];
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages, temperature: 0.2 })
      .withResponse();

    expect(lastChatMessages(proxy.fake)).toEqual(messages);
    expect(proxy.fake.requests.at(-1)?.body?.temperature).toBe(0.2);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
  });

  it.each([
    ['missing', null],
    ['empty', []],
  ])('should forward the request unchanged when the collection is %s', async (_, passages) => {
    proxy = await startProxy({}, passages);
    const messages = [{ role: 'user' as const, content: BACKUP_QUESTION }];
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages })
      .withResponse();

    expect(lastChatMessages(proxy.fake)).toEqual(messages);
    expect(response.headers.get('x-kbgate-passages')).toBe('0');
  });

  it('should drop passages that do not score above the threshold', async () => {
    proxy = await startProxy({ KBGATE_PROXY_MIN_SCORE: '1000' });
    const messages = [{ role: 'user' as const, content: BACKUP_QUESTION }];
    await proxy.client().chat.completions.create({ model: FAKE_MODEL, messages });

    expect(lastChatMessages(proxy.fake)).toEqual(messages);
  });

  it('should keep only the passages whose BM25 score is above the threshold', async () => {
    proxy = await startProxy();
    const collection = proxy.engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, 'docs');
    const { ids, scores } = await proxy.engine.lexicalQuery(collection.id, { queryText: BACKUP_QUESTION });
    expect(ids).toHaveLength(2);
    await proxy.close();

    proxy = await startProxy({ KBGATE_PROXY_MIN_SCORE: String(((scores[0] ?? 0) + (scores[1] ?? 0)) / 2) });
    const { response } = await proxy
      .client()
      .chat.completions.create({ model: FAKE_MODEL, messages: [{ role: 'user', content: BACKUP_QUESTION }] })
      .withResponse();

    expect(response.headers.get('x-kbgate-passages')).toBe('1');
    expect(lastChatMessages(proxy.fake)[0]?.content).toContain(`[1] Backups`);
    expect(lastChatMessages(proxy.fake)[0]?.content).not.toContain('\n[2] ');
  });

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

describe('POST /v1/chat/completions with tools', () => {
  const searchTool = {
    type: 'function' as const,
    function: { name: 'searchKnowledgeBase', description: 'Search', parameters: { type: 'object' } },
  };
  const searchByQueryTool = {
    type: 'function' as const,
    function: { name: 'searchKnowledgeBaseByQuery', description: 'Search', parameters: { type: 'object' } },
  };
  const weatherTool = {
    type: 'function' as const,
    function: { name: 'getWeather', description: 'Weather', parameters: { type: 'object' } },
  };

  it("should remove kbgate's own search tools and keep the others as sent", async () => {
    proxy = await startProxy();
    await proxy.client().chat.completions.create({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: BACKUP_QUESTION }],
      tools: [searchTool, weatherTool, searchByQueryTool],
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
