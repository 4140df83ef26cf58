import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenPluginApp, type ListeningPluginApp } from './listen-plugin-app.js';
import { startNextChatProxy, type NextChatProxy } from './nextchat-proxy.js';
import { buildNextChatTools, type NextChatPlugin } from './nextchat-tools.js';

const TOKEN = 'nextchat-plugin-token';
let kbgate: ListeningPluginApp;
let proxy: NextChatProxy;
let content: string;

beforeAll(async () => {
  kbgate = await listenPluginApp({ KBGATE_AUTH_TOKEN: TOKEN });
  proxy = await startNextChatProxy();
  content = await (await fetch(`${kbgate.baseUrl}/openapi.yaml`)).text();
});

afterAll(async () => {
  await proxy.close();
  await kbgate.close();
});

const withBearer = (): NextChatPlugin => ({ content, authType: 'bearer', authToken: TOKEN });
const toolNamed = (name: string) =>
  buildNextChatTools(withBearer(), null).tools.find((t) => t.function.name === name)!.function.parameters;
const ids = (data: unknown) => (data as { results: { id: string }[] }).results.map((h) => h.id);

describe('the plugin loaded the way NextChat 2.16 loads it', () => {
  it('should offer one tool per operation, named by operationId', () => {
    const { tools } = buildNextChatTools(withBearer(), null);
    expect(tools.map((t) => t.function.name)).toEqual(['searchKnowledgeBase']);
    for (const tool of tools) {
      expect(tool.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.function.description?.length).toBeGreaterThan(20);
      expect(tool.function.description!.length).toBeLessThanOrEqual(200);
    }
  });

  it('should give the POST tool the dereferenced request body schema as parameters', () => {
    const post = toolNamed('searchKnowledgeBase');
    expect(post.type).toBe('object');
    expect(post.required).toEqual(['query']);
    const properties = post.properties as Record<string, { type: string; enum?: string[] }>;
    expect(Object.keys(properties).sort()).toEqual([
      'collection',
      'include_metadata',
      'max_chars',
      'min_relevance',
      'mode',
      'query',
      'top_k',
      'where',
    ]);
    expect(properties.query?.type).toBe('string');
    expect(properties.top_k?.type).toBe('integer');
    expect(properties.mode?.enum).toEqual(['hybrid', 'vector', 'lexical']);
    expect(properties.where?.type).toBe('object');
    expect(JSON.stringify(post)).not.toContain('$ref');
  });

  it('should call /search directly with the bearer token (app build)', async () => {
    const { funcs } = buildNextChatTools(withBearer(), null);
    const post = await funcs.searchKnowledgeBase!({ query: 'automobile', top_k: 2 });
    const puppy = await funcs.searchKnowledgeBase!({ query: 'puppy meals', top_k: 1 });
    expect(post.status).toBe(200);
    expect(ids(post.data)).toEqual(['car-insurance', 'car-tyres']);
    expect(ids(puppy.data)).toEqual(['dog-food']);
  });

  it('should call /search through /api/proxy with X-Base-URL and the forwarded Authorization (web build)', async () => {
    const { funcs } = buildNextChatTools(withBearer(), proxy.baseUrl);
    const thai = await funcs.searchKnowledgeBase!({ query: 'ข้าวผัด', mode: 'lexical' });
    const chinese = await funcs.searchKnowledgeBase!({ query: '人工智能', mode: 'lexical' });
    expect(ids(thai.data)[0]).toBe('th-food');
    expect(ids(chinese.data)[0]).toBe('zh-ml');
    expect(proxy.forwarded.slice(-2)).toEqual([`${kbgate.baseUrl}/search?`, `${kbgate.baseUrl}/search?`]);
  });

  it('should be refused without the token, directly and through the proxy', async () => {
    for (const viaProxy of [null, proxy.baseUrl]) {
      const { funcs } = buildNextChatTools({ content, authType: 'none' }, viaProxy);
      const refusal = await funcs.searchKnowledgeBase!({ query: 'dog' }).catch(
        (err: { response?: { status: number } }) => err.response?.status,
      );
      expect(refusal).toBe(401);
    }
  });
});
