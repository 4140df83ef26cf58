import { describe, expect, it } from 'vitest';
import { BINDING_KEY, bindingOf, chromaEmbeddingConfig } from './embedding-binding.js';

describe('chromaEmbeddingConfig', () => {
  it("should record `default` as Chroma's default function and `none` as no function", () => {
    expect(chromaEmbeddingConfig('default', { openaiUrl: null })).toEqual({
      type: 'known',
      name: 'default',
      config: {},
    });
    expect(chromaEmbeddingConfig('none', { openaiUrl: null })).toEqual({ type: 'legacy' });
  });

  it("should record an OpenAI-compatible model with its base URL and the key's variable, never the key", () => {
    const config = chromaEmbeddingConfig('openai:nomic-embed', { openaiUrl: 'http://fastchat:8000/v1' });
    expect(config).toEqual({
      type: 'known',
      name: 'openai',
      config: {
        model_name: 'nomic-embed',
        api_key_env_var: 'CHROMA_OPENAI_API_KEY',
        api_base: 'http://fastchat:8000/v1',
      },
    });
  });
});

describe('bindingOf', () => {
  it("should prefer kbgate's own record in the metadata", () => {
    expect(
      bindingOf(
        { [BINDING_KEY]: 'multilingual' },
        { embedding_function: { type: 'known', name: 'default' } },
      ),
    ).toBe('multilingual');
  });

  it("should read back every binding from Chroma's configuration alone", () => {
    for (const binding of ['default', 'multilingual', 'openai:text-embedding-3-small']) {
      const configuration = { embedding_function: chromaEmbeddingConfig(binding, { openaiUrl: null }) };
      expect(bindingOf(null, configuration)).toBe(binding);
    }
  });

  it('should say null for functions it does not know and for unusable records', () => {
    expect(bindingOf(null, { embedding_function: { type: 'known', name: 'cohere', config: {} } })).toBeNull();
    expect(bindingOf(null, { embedding_function: { type: 'legacy' } })).toBeNull();
    expect(bindingOf({ [BINDING_KEY]: 'bogus' }, null)).toBeNull();
  });
});
