import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isRelevant, LANGUAGES, readEvalSet } from '../scripts/eval-kb/eval-set.js';

const QUESTIONS = fileURLToPath(new URL('../eval/kb/questions.json', import.meta.url));

describe('eval/kb/questions.json', () => {
  const { questions } = readEvalSet(QUESTIONS);

  it('should hold at least 60 questions, at least 12 in each language', () => {
    expect(questions.length).toBeGreaterThanOrEqual(60);
    for (const lang of LANGUAGES) {
      expect(questions.filter((q) => q.lang === lang).length, lang).toBeGreaterThanOrEqual(12);
    }
  });

  it('should hold at least 15 unanswerable questions, in every language', () => {
    const unanswerable = questions.filter((q) => q.kind === 'unanswerable');
    expect(unanswerable.length).toBeGreaterThanOrEqual(15);
    expect(new Set(unanswerable.map((q) => q.lang))).toEqual(new Set(LANGUAGES));
  });
});

describe('isRelevant', () => {
  const chunk = { source: 'pino/docs/api.md', heading_path: 'API > Statics', start_line: 40, end_line: 60 };

  it('should match a chunk of the answer path whose lines overlap the answer', () => {
    expect(isRelevant(chunk, [{ path: 'pino/docs/api.md', lines: [60, 72] }])).toBe(true);
    expect(isRelevant(chunk, [{ path: 'pino/docs/api.md', lines: [61, 72] }])).toBe(false);
  });

  it('should require the heading path to contain the answer heading when one is given', () => {
    expect(isRelevant(chunk, [{ path: 'pino/docs/api.md', heading: 'Statics' }])).toBe(true);
    expect(isRelevant(chunk, [{ path: 'pino/docs/api.md', heading: 'Types' }])).toBe(false);
  });

  it('should not match another path, a chunk without metadata, or a question without answers', () => {
    expect(isRelevant(chunk, [{ path: 'pino/docs/help.md' }])).toBe(false);
    expect(isRelevant(null, [{ path: 'pino/docs/api.md' }])).toBe(false);
    expect(isRelevant(chunk, [])).toBe(false);
  });
});
