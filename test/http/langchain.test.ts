import { Chroma } from '@langchain/community/vectorstores/chroma';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, listenEphemeral } from './test-app.js';

const DIM = 32;

/** Deterministic bag-of-words embeddings: each word lands in one of 32 buckets by a string hash. */
class HashingEmbeddings extends Embeddings {
  constructor() {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => embed(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return embed(text);
  }
}

function embed(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 2166136261;
    for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    v[h % DIM] = (v[h % DIM] ?? 0) + 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

let server: { port: number; close: () => Promise<void> };

beforeAll(async () => {
  server = await listenEphemeral(createTestApp().app);
});

afterAll(() => server.close());

describe('LangChain.js Chroma vector store', () => {
  it('should add documents and find the most similar one', async () => {
    const store = new Chroma(new HashingEmbeddings(), {
      collectionName: 'langchain-docs',
      clientParams: { host: '127.0.0.1', port: server.port, ssl: false },
    });
    await store.addDocuments([
      new Document({ pageContent: 'bananas are yellow fruit', metadata: { source: 'a' } }),
      new Document({ pageContent: 'the ocean is deep and blue', metadata: { source: 'b' } }),
      new Document({ pageContent: 'kubernetes schedules containers', metadata: { source: 'c' } }),
    ]);
    const [best] = await store.similaritySearch('which fruit is yellow', 1);
    expect(best?.pageContent).toBe('bananas are yellow fruit');
    expect(best?.metadata.source).toBe('a');
  });

  it('should filter a similarity search by metadata', async () => {
    const store = new Chroma(new HashingEmbeddings(), {
      collectionName: 'langchain-filtered',
      clientParams: { host: '127.0.0.1', port: server.port, ssl: false },
    });
    await store.addDocuments([
      new Document({ pageContent: 'red apples', metadata: { shelf: 1 } }),
      new Document({ pageContent: 'red cherries', metadata: { shelf: 2 } }),
    ]);
    const results = await store.similaritySearchWithScore('red apples', 2, { shelf: 2 });
    expect(results.map(([doc]) => doc.pageContent)).toEqual(['red cherries']);
  });
});
