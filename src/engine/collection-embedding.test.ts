import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../engine-factory.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from './database.js';
import type { EmbeddingFunction } from './ports.js';

/** Which method embedded which texts, in call order. */
type Call = ['embed' | 'embedQuery', string[]];

/**
 * A function whose query vectors differ from its document vectors: [1, length] for documents, [-1, length] for
 * queries, so a query text embedded as a document would land elsewhere.
 */
function recordingEmbedding(withQueries: boolean): EmbeddingFunction & { calls: Call[] } {
  const calls: Call[] = [];
  const fn: EmbeddingFunction & { calls: Call[] } = {
    name: 'recording',
    calls,
    async embed(texts) {
      calls.push(['embed', texts]);
      return texts.map((t) => Float32Array.from([1, t.length]));
    },
  };
  if (withQueries) {
    fn.embedQuery = async (texts) => {
      calls.push(['embedQuery', texts]);
      return texts.map((t) => Float32Array.from([-1, t.length]));
    };
  }
  return fn;
}

describe('embedding documents and query texts', () => {
  let engine: Engine | undefined;

  afterEach(() => {
    engine?.close();
    engine = undefined;
  });

  async function collectionWith(fn: EmbeddingFunction): Promise<string> {
    engine = openEngine({ resolveEmbedding: () => fn, defaultEmbedding: 'recording' }).engine;
    const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'bound' });
    await engine.add(collection.id, { ids: ['short', 'long'], documents: ['ab', 'abcdefgh'] });
    return collection.id;
  }

  it('should embed query texts with embedQuery and documents with embed when the function has both', async () => {
    const fn = recordingEmbedding(true);
    const id = await collectionWith(fn);
    await engine?.upsert(id, { ids: ['mid'], documents: ['abcd'] });
    const result = await engine?.query(id, { queryTexts: ['abcdefg'], nResults: 1, include: ['distances'] });
    expect(fn.calls).toEqual([
      ['embed', ['ab', 'abcdefgh']],
      ['embed', ['abcd']],
      ['embedQuery', ['abcdefg']],
    ]);
    expect(result?.ids).toEqual([['long']]);
    // l2 distance from the query vector [-1, 7] to the document vector [1, 8].
    expect(result?.distances?.[0]?.[0]).toBeCloseTo(5, 5);
  });

  it('should embed query texts with embed when the function has no embedQuery, as Chroma does', async () => {
    const fn = recordingEmbedding(false);
    const id = await collectionWith(fn);
    const result = await engine?.query(id, { queryTexts: ['abcdefg'], nResults: 1, include: ['distances'] });
    expect(fn.calls).toEqual([
      ['embed', ['ab', 'abcdefgh']],
      ['embed', ['abcdefg']],
    ]);
    expect(result?.ids).toEqual([['long']]);
    expect(result?.distances?.[0]?.[0]).toBeCloseTo(1, 5);
  });

  it('should not embed anything for a query by embeddings', async () => {
    const fn = recordingEmbedding(true);
    const id = await collectionWith(fn);
    await engine?.query(id, { queryEmbeddings: [[1, 2]], nResults: 1 });
    expect(fn.calls.map(([method]) => method)).toEqual(['embed']);
  });
});
