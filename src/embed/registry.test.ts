import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError, type ErrorCode } from '../engine/errors.js';
import {
  startFakeEmbeddingServer,
  type FakeEmbeddingServer,
} from '../../test/helpers/fake-embedding-server.js';
import { expectedEmbedding, TINY_HIDDEN_SIZE, writeTinyModel } from '../../test/helpers/tiny-model.js';
import { OpenAICompatibleEmbedding } from './openai-compatible.js';
import { createEmbeddingResolver, parseEmbeddingName } from './registry.js';
import { MULTILINGUAL_MODEL, TransformersEmbedding } from './transformers.js';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    return isEngineError(err) ? err.code : undefined;
  }
  return undefined;
}

describe('parseEmbeddingName', () => {
  it('should parse the default, none and OpenAI-compatible names', () => {
    expect(parseEmbeddingName('default')).toEqual({ kind: 'default' });
    expect(parseEmbeddingName('none')).toEqual({ kind: 'none' });
    expect(parseEmbeddingName('multilingual')).toEqual({ kind: 'multilingual' });
    expect(parseEmbeddingName('openai:text-embedding-3-small')).toEqual({
      kind: 'openai',
      model: 'text-embedding-3-small',
    });
  });

  it('should accept model ids with organisations and tags', () => {
    expect(parseEmbeddingName('openai:nomic-ai/nomic-embed-text-v1.5')).toMatchObject({ kind: 'openai' });
    expect(parseEmbeddingName('openai:bge-m3:latest')).toMatchObject({ model: 'bge-m3:latest' });
  });

  it.each([
    '',
    'Default',
    'openai',
    'openai:',
    'openai: spaced',
    'openai:a b',
    'sentence-transformers',
    'none ',
    'Multilingual',
    'multilingual-e5-small',
  ])('should reject %j with INVALID_ARGUMENT', (name) => {
    expect(codeOf(() => parseEmbeddingName(name))).toBe('INVALID_ARGUMENT');
  });
});

describe('createEmbeddingResolver', () => {
  let root: string;
  let server: FakeEmbeddingServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kbgate-registry-'));
    server = await startFakeEmbeddingServer();
  });

  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('should resolve default to one shared local function', () => {
    const resolve = createEmbeddingResolver({ offline: true });
    const first = resolve('default');
    expect(first).toBeInstanceOf(TransformersEmbedding);
    expect(first.name).toBe('default');
    expect(resolve('default')).toBe(first);
  });

  it('should load the local function from the model directory', async () => {
    const tiny = writeTinyModel(join(root, 'models'), 'registry-bert');
    const resolve = createEmbeddingResolver({
      modelDir: tiny.modelDir,
      offline: true,
      transformers: { model: tiny.model },
    });
    const [vector] = await resolve('default').embed(['hello world']);
    expect(vector).toHaveLength(TINY_HIDDEN_SIZE);
  });

  it('should resolve multilingual to one shared local function, separate from default', () => {
    const resolve = createEmbeddingResolver({ offline: true });
    const multilingual = resolve('multilingual');
    expect(multilingual).toBeInstanceOf(TransformersEmbedding);
    expect(multilingual.name).toBe('multilingual');
    expect(resolve('multilingual')).toBe(multilingual);
    expect(resolve('default')).not.toBe(multilingual);
  });

  it('should load multilingual from its folder in the model directory, with its prefixes', async () => {
    const modelDir = join(root, 'multilingual-models');
    const e5 = writeTinyModel(modelDir, MULTILINGUAL_MODEL);
    const resolve = createEmbeddingResolver({ modelDir, offline: true });
    const multilingual = resolve('multilingual');
    const closeTo = (tokens: string[]) =>
      Array.from(expectedEmbedding(e5, ['[CLS]', ...tokens, '[SEP]'])).map((v) => expect.closeTo(v, 5));
    const [passage] = await multilingual.embed(['hello']);
    const [query] = (await multilingual.embedQuery?.(['hello'])) ?? [];
    expect(Array.from(passage ?? [])).toEqual(closeTo(['passage', ':', 'hello']));
    expect(Array.from(query ?? [])).toEqual(closeTo(['query', ':', 'hello']));
    // default's all-MiniLM-L6-v2 is not in that directory: the two presets load different models.
    await expect(resolve('default').embed(['hello'])).rejects.toSatisfy((err) =>
      isEngineError(err, 'FAILED_PRECONDITION'),
    );
  });

  it('should resolve openai:<model> to a client of the configured server, one per model', async () => {
    const resolve = createEmbeddingResolver({ openaiUrl: server.baseUrl, openaiApiKey: 'sk-test' });
    const small = resolve('openai:small');
    expect(small).toBeInstanceOf(OpenAICompatibleEmbedding);
    expect(small.name).toBe('openai:small');
    expect(resolve('openai:small')).toBe(small);
    expect(resolve('openai:large')).not.toBe(small);
    await small.embed(['alpha']);
    expect(server.requests.at(-1)).toMatchObject({
      body: { model: 'small' },
      headers: { authorization: 'Bearer sk-test' },
    });
  });

  it('should pass OpenAI tuning through to the client', async () => {
    const resolve = createEmbeddingResolver({ openaiUrl: server.baseUrl, openai: { batchSize: 2 } });
    const before = server.requests.length;
    await resolve('openai:tuned').embed(['a', 'b', 'c']);
    expect(server.requests.length - before).toBe(2);
  });

  it('should refuse none with FAILED_PRECONDITION: the collection is lexical-only', () => {
    expect(codeOf(() => createEmbeddingResolver()('none'))).toBe('FAILED_PRECONDITION');
  });

  it('should refuse openai:<model> with FAILED_PRECONDITION naming KBGATE_EMBEDDING_URL when no URL is set', () => {
    const resolve = createEmbeddingResolver();
    expect(codeOf(() => resolve('openai:small'))).toBe('FAILED_PRECONDITION');
    expect(() => resolve('openai:small')).toThrow(/KBGATE_EMBEDDING_URL/);
  });

  it('should refuse unknown names with INVALID_ARGUMENT', () => {
    expect(codeOf(() => createEmbeddingResolver()('cohere:embed'))).toBe('INVALID_ARGUMENT');
  });
});
