import { describe, expect, it } from 'vitest';
import { ftsText, idf, planLexicalQuery, type Vocabulary } from './fts-text.js';

/** A vocabulary over analyzed documents, as the store's lexical table would report it. */
function vocabularyOf(documents: string[]): Vocabulary & { phrases: string[][] } {
  const analyzed = documents.map((d) => ftsText(d).split(' '));
  const phrases: string[][] = [];
  return {
    documentCount: documents.length,
    phrases,
    frequencies: (terms) => new Map(terms.map((t) => [t, analyzed.filter((doc) => doc.includes(t)).length])),
    phraseFrequency: (phrase) => {
      phrases.push([...phrase]);
      return analyzed.filter((doc) => doc.join(' ').includes(phrase.join(' '))).length;
    },
  };
}

const EMPTY = vocabularyOf([]);

describe('ftsText', () => {
  it('should stem English words and lower-case them', () => {
    expect(ftsText('Running dogs configured')).toBe('run dog configur');
  });

  it('should stem Russian inflections to one form', () => {
    expect(ftsText('настройки')).toBe(ftsText('настройка'));
    expect(ftsText('контейнеров')).toBe(ftsText('контейнер'));
  });

  it('should index identifier parts: hyphens and underscores split, camelCase kept whole and split', () => {
    expect(ftsText('health-check max_tokens')).toBe('health check max token');
    expect(ftsText('healthCheck')).toBe('healthcheck health check');
  });

  it('should fold Latin diacritics and segment Chinese and Thai into words', () => {
    expect(ftsText('café naïve')).toBe('cafe naiv');
    expect(ftsText('机器学习')).toBe('机器 学习');
    expect(ftsText('กินข้าว')).toBe('กิน ข้าว');
  });
});

describe('planLexicalQuery', () => {
  it('should quote every term so FTS5 syntax in user text stays inert', () => {
    const plan = planLexicalQuery('x" NEAR(b) * -c:d AND', EMPTY)!;
    expect(plan.match).not.toMatch(/(^|[^"])\b(NEAR|AND)\b(?!")/);
    for (const group of plan.groups) expect(group.match).toMatch(/^\(?"[^"]+"( OR "[^"]+")*\)?$/);
  });

  it('should return null when there is no word', () => {
    expect(planLexicalQuery(' ?! ', EMPTY)).toBeNull();
  });

  it('should leave out function words unless nothing else is left', () => {
    const plan = planLexicalQuery('How do I configure the timeout?', EMPTY)!;
    expect(plan.groups.map((g) => g.word).sort()).toEqual(['configure', 'timeout']);
    expect(planLexicalQuery('to be or not', EMPTY)!.groups).toHaveLength(4);
    expect(planLexicalQuery('如何配置健康检查', EMPTY)!.groups.map((g) => g.word)).not.toContain('如何');
    expect(planLexicalQuery('Как настроить порт?', EMPTY)!.groups.map((g) => g.word)).toEqual([
      'настроить',
      'порт',
    ]);
  });

  it('should find a joined spelling as two words the collection uses side by side', () => {
    const vocabulary = vocabularyOf(['Configure the Health Check of the container', 'health insurance']);
    const plan = planLexicalQuery('healthcheck', vocabulary)!;
    expect(plan.match).toContain('"health check"');
  });

  it('should find two words as the joined spelling the collection uses', () => {
    const vocabulary = vocabularyOf(['the healthcheck runs every 30 s', 'a check']);
    expect(planLexicalQuery('health check', vocabulary)!.match).toContain('"healthcheck"');
  });

  it('should not split a word into pieces the collection does not use', () => {
    const vocabulary = vocabularyOf(['statements are prepared', 'state the mental model', 'the state meant']);
    const plan = planLexicalQuery('statements', vocabulary)!;
    expect(plan.match).toBe('"statement"');
    expect(vocabulary.phrases).toEqual([]);
  });

  it('should weight rare words above common ones, and unknown words below rare ones', () => {
    const vocabulary = vocabularyOf(['sqlite timeout', 'sqlite busy', 'sqlite wal', 'sqlite pragma']);
    const weights = new Map(
      planLexicalQuery('sqlite timeout zebra', vocabulary)!.groups.map((g) => [g.word, g.weight]),
    );
    expect(weights.get('timeout')).toBeGreaterThan(weights.get('sqlite')!);
    expect(weights.get('zebra')).toBeLessThan(weights.get('timeout')!);
    expect(weights.get('zebra')).toBeGreaterThan(0);
  });
});

describe('idf', () => {
  it('should never be negative and fall as a term gets more common', () => {
    expect(idf(10, 10)).toBeGreaterThan(0);
    expect(idf(10, 1)).toBeGreaterThan(idf(10, 5));
    expect(idf(0, 0)).toBeGreaterThan(0);
  });
});
