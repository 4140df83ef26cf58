import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../engine/database.js';
import type { EngineError, ErrorCode } from '../engine/errors.js';
import { BROKEN_BINDING, embedConcepts, openConceptEngine } from '../../test/plugin/concept-embedding.js';
import { loadPassages, PASSAGES } from '../../test/plugin/fixture-corpus.js';
import { RRF_K } from './fuse-rankings.js';
import { hybridSearch, type SearchRequest } from './hybrid-search.js';

let engine: Engine;

beforeAll(async () => {
  engine = openConceptEngine();
  await loadPassages(engine, 'kbase');
  await loadPassages(engine, 'lexical-only', 'none');
  engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: 'empty' });
  const broken = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
    name: 'broken',
    embedding: BROKEN_BINDING,
  });
  await engine.add(broken.id, {
    ids: PASSAGES.map((p) => p.id),
    documents: PASSAGES.map((p) => p.text),
    embeddings: PASSAGES.map((p) => embedConcepts(p.text)),
  });
});

const search = (request: Partial<SearchRequest>) =>
  hybridSearch(engine, { collection: 'kbase', query: 'dog', topK: 5, ...request });

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  return promise.then(
    () => undefined,
    (err: { code?: ErrorCode }) => err.code,
  );
}

describe('hybridSearch', () => {
  it('should rank the passage sharing the most query terms first in lexical mode', async () => {
    const response = await search({ query: 'does a dog need a walk in the morning?', mode: 'lexical' });
    expect(response.modes).toEqual(['lexical']);
    expect(response.results[0]?.id).toBe('dog-walk');
  });

  it('should find synonyms in vector mode that BM25 cannot', async () => {
    const lexical = await search({ query: 'automobile', mode: 'lexical' });
    const vector = await search({ query: 'automobile', mode: 'vector', topK: 2 });
    expect(lexical.results.map((h) => h.id)).toEqual(['car-insurance']);
    expect(vector.modes).toEqual(['vector']);
    expect(vector.results.map((h) => h.id).sort()).toEqual(['car-insurance', 'car-tyres']);
  });

  it('should fuse both modes by reciprocal rank, ranking a passage both found first', async () => {
    const response = await search({ query: 'automobile' });
    expect(response.modes).toEqual(['vector', 'lexical']);
    const top = response.results[0];
    expect(top?.id).toBe('car-insurance');
    expect(top?.score).toBeGreaterThan(1 / (RRF_K + 1));
    expect(response.results[1]?.id).toBe('car-tyres');
  });

  it("should give every fused hit both retrievers' own scores and the better of their relevances", async () => {
    const response = await search({ query: 'automobile' });
    const [both, vectorOnly] = response.results;
    expect(both?.id).toBe('car-insurance');
    expect(both?.scores.lexical).toBeGreaterThan(0);
    expect(both?.scores.vector).toBeGreaterThan(0);
    expect(both?.relevance).toBe(1);
    expect(vectorOnly?.id).toBe('car-tyres');
    expect(vectorOnly?.scores.lexical).toBeNull();
    expect(vectorOnly?.scores.vector).toBeGreaterThan(0);
    for (const hit of response.results) {
      expect(hit.relevance).toBeGreaterThanOrEqual(0);
      expect(hit.relevance).toBeLessThanOrEqual(1);
    }
  });

  it('should score a collection searched lexically alone by BM25, not by rank', async () => {
    const response = await search({ collection: 'lexical-only', query: 'dog walk puppy' });
    expect(response.modes).toEqual(['lexical']);
    for (const hit of response.results) {
      expect(hit.score).toBe(hit.scores.lexical);
      expect(hit.scores.vector).toBeNull();
    }
    expect(response.results[0]!.score).toBeGreaterThan(1);
  });

  it('should return scores in descending order and at most topK results', async () => {
    const response = await search({ query: 'dog puppy bank bread car', topK: 3 });
    expect(response.results).toHaveLength(3);
    const scores = response.results.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('should apply the where filter to both modes', async () => {
    const response = await search({ query: 'dog', where: { topic: 'cars' } });
    expect(response.results.length).toBeGreaterThan(0);
    for (const hit of response.results) expect(hit.metadata?.topic).toBe('cars');
  });

  it('should cite the source from chunk metadata', async () => {
    const response = await search({ query: 'tyres winter', mode: 'lexical' });
    expect(response.results[0]?.source).toEqual({
      path: 'garage/tyres.md',
      title: 'tyres',
      heading: 'About tyres',
      anchor: 'about-tyres',
      lines: [3, 7],
    });
    expect(response.results[0]?.text).toBe(PASSAGES[0]?.text);
  });

  it('should find Chinese, Japanese and Thai passages by words inside unspaced text', async () => {
    const zh = await search({ query: '人工智能', mode: 'lexical' });
    const ja = await search({ query: '東京の研究', mode: 'lexical' });
    const th = await search({ query: 'ข้าวผัด', mode: 'lexical' });
    expect(zh.results[0]?.id).toBe('zh-ml');
    expect(ja.results[0]?.id).toBe('ja-ml');
    expect(th.results.map((h) => h.id)).toEqual(['th-food']);
  });

  it('should search a collection without an embedding function lexically and say so', async () => {
    const response = await search({ collection: 'lexical-only', query: 'automobile' });
    expect(response.modes).toEqual(['lexical']);
    expect(response.results.map((h) => h.id)).toEqual(['car-insurance']);
  });

  it('should fall back to lexical when the embedding function is unavailable', async () => {
    const response = await search({ collection: 'broken', query: 'puppy' });
    expect(response.modes).toEqual(['lexical']);
    expect(response.results[0]?.id).toBe('dog-food');
  });

  it('should refuse vector mode without a usable embedding function, naming the collection and the modes that work', async () => {
    for (const collection of ['lexical-only', 'broken']) {
      const err = (await search({ collection, mode: 'vector' }).catch((e: unknown) => e)) as EngineError;
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toContain(`"${collection}"`);
      expect(err.message).toMatch(/"lexical" and "hybrid"/);
      expect(err.message).toContain('KBGATE_EMBEDDING');
      expect(err.message).not.toContain('queryEmbeddings');
    }
  });

  it('should return no results from an empty collection', async () => {
    const response = await search({ collection: 'empty' });
    expect(response).toEqual({ results: [], modes: ['lexical'] });
  });

  it('should return no results for a query without searchable terms', async () => {
    const response = await search({ collection: 'lexical-only', query: '?!' });
    expect(response.results).toEqual([]);
  });

  it('should throw NOT_FOUND for a collection that does not exist', async () => {
    expect(await codeOf(search({ collection: 'missing' }))).toBe('NOT_FOUND');
  });

  it('should reject bad parameters with INVALID_ARGUMENT', async () => {
    expect(await codeOf(search({ query: '  ' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(search({ topK: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(search({ topK: 2.5 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(search({ mode: 'fuzzy' as never }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(search({ where: { $bad: 1 } }))).toBe('INVALID_ARGUMENT');
  });
});
