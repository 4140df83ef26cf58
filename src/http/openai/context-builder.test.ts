import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../retrieval/hybrid-search.js';
import { buildContext, buildSearchQuery, describeSource, injectContext } from './context-builder.js';

function hit(id: string, text: string, path: string | null = `docs/${id}.md`): SearchHit {
  return {
    id,
    text,
    score: 1,
    source: { path, title: id.toUpperCase(), heading: null, anchor: null, lines: null },
    metadata: null,
  };
}

describe('buildSearchQuery', () => {
  it('should search the latest user message alone when it stands on its own', () => {
    const query = buildSearchQuery([
      { role: 'user', content: 'How do I install kbgate on Linux?' },
      { role: 'assistant', content: 'Use npm.' },
      { role: 'user', content: 'How do I restore a backup of the data directory?' },
    ]);
    expect(query).toBe('How do I restore a backup of the data directory?');
  });

  it('should put the previous user message before a short follow-up', () => {
    const query = buildSearchQuery([
      { role: 'user', content: 'How do I install kbgate on Linux?' },
      { role: 'assistant', content: 'Use npm.' },
      { role: 'user', content: 'and on Windows?' },
    ]);
    expect(query).toBe('How do I install kbgate on Linux?\nand on Windows?');
  });

  it('should read the text parts of multi-part content', () => {
    const content = [
      { type: 'image_url', image_url: { url: 'data:,' } },
      { type: 'text', text: 'What is shown in this backup screenshot here?' },
    ];
    expect(buildSearchQuery([{ role: 'user', content }])).toBe(
      'What is shown in this backup screenshot here?',
    );
  });

  it('should return null when there is no user text', () => {
    expect(buildSearchQuery([{ role: 'system', content: 'Be brief.' }])).toBeNull();
  });
});

describe('buildContext', () => {
  it('should number the passages from 1 with their title and path', () => {
    const { text, used } = buildContext([hit('a', 'Alpha text.'), hit('b', 'Beta text.', null)], 1000);
    expect(used.map((h) => h.id)).toEqual(['a', 'b']);
    expect(text).toContain('[1] A — docs/a.md\nAlpha text.');
    expect(text).toContain('[2] B\nBeta text.');
  });

  it('should truncate the first passage to the budget and leave out passages that no longer fit', () => {
    const { text, used } = buildContext([hit('a', 'word '.repeat(500)), hit('b', 'Beta.')], 300);
    expect(used).toHaveLength(1);
    expect(text).toMatch(/…$/);
    expect(text.length).toBeLessThan(300 + 400);
  });
});

describe('injectContext', () => {
  it('should add a first system message when there is none', () => {
    const out = injectContext([{ role: 'user', content: 'q' }], 'CTX');
    expect(out).toEqual([
      { role: 'system', content: 'CTX' },
      { role: 'user', content: 'q' },
    ]);
  });

  it('should append to the last system message and keep its other fields', () => {
    const out = injectContext(
      [
        { role: 'system', content: 'First.', name: 'a' },
        { role: 'system', content: 'Second.', name: 'b' },
        { role: 'user', content: 'q' },
      ],
      'CTX',
    );
    expect(out[0]).toEqual({ role: 'system', content: 'First.', name: 'a' });
    expect(out[1]).toEqual({ role: 'system', content: 'Second.\n\nCTX', name: 'b' });
  });
});

describe('describeSource', () => {
  it('should name the anchor and lines when known', () => {
    const source = { path: 'a.md', title: 'A', heading: 'H', anchor: 'h', lines: [3, 9] as [number, number] };
    expect(describeSource(source, 'id')).toBe('A — a.md#h (lines 3-9)');
  });

  it('should fall back to the id when nothing else is known', () => {
    const source = { path: null, title: null, heading: null, anchor: null, lines: null };
    expect(describeSource(source, 'rec-1')).toBe('rec-1');
  });
});
