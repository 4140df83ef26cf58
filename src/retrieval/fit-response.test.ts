import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/helpers/random-data.js';
import { fitResponse, MAX_RESPONSE_CHARS } from './fit-response.js';
import type { SearchHit, SearchResponse } from './hybrid-search.js';

function hit(id: string, text: string): SearchHit {
  return {
    id,
    text,
    score: 1,
    relevance: 1,
    scores: { lexical: 1, vector: null },
    source: { path: `${id}.md`, title: id, heading: null, anchor: null, lines: [1, 2] },
    metadata: { source: `${id}.md` },
  };
}

function response(texts: string[]): SearchResponse {
  return { results: texts.map((t, i) => hit(`doc-${i}`, t)), modes: ['lexical'] };
}

describe('fitResponse', () => {
  it('should return a response that fits unchanged', () => {
    const small = response(['short passage']);
    expect(fitResponse(small)).toBe(small);
  });

  it('should cut long passages to fit the limit and say so', () => {
    const big = response(Array.from({ length: 50 }, (_, i) => `${i} `.padEnd(30_000, 'x')));
    const fitted = fitResponse(big);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(MAX_RESPONSE_CHARS);
    expect(fitted.truncated).toBe(true);
    expect(fitted.results).toHaveLength(50);
    expect(fitted.results[0]?.text.endsWith('…')).toBe(true);
    expect(fitted.results[7]?.text.startsWith('7 ')).toBe(true);
  });

  it('should keep short passages whole while cutting long ones', () => {
    const fitted = fitResponse(response(['tiny', 'y'.repeat(5_000)]), 2_000);
    expect(fitted.results[0]?.text).toBe('tiny');
    expect(fitted.results[1]?.text.length).toBeLessThan(2_000);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(2_000);
  });

  it('should stay within the limit for texts that grow when escaped as JSON', () => {
    const random = mulberry32(7);
    const alphabet = ['"', '\\', '\n', 'a', '中', '😀', '\u0001'];
    const texts = Array.from({ length: 20 }, () =>
      Array.from({ length: 4_000 }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    const fitted = fitResponse(response(texts), 20_000);
    const json = JSON.stringify(fitted);
    expect(json.length).toBeLessThanOrEqual(20_000);
    expect(json).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\udc)/i);
  });

  it('should drop trailing results when even their metadata does not fit', () => {
    const fitted = fitResponse(response(['a', 'b', 'c']), 500);
    expect(fitted.results.length).toBeLessThan(3);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(500);
  });
});
