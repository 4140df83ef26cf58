import { describe, expect, it } from 'vitest';
import { containsFilter, planFromFrequencies, probedWords, scorePassages } from './remote-lexical.js';

describe('probedWords', () => {
  it('should probe content words by their stem prefix in three capitalisations, longest words first', () => {
    const words = probedWords('How do studies of proteins work?');
    expect(words.map((w) => w.word)).toEqual(['proteins', 'studies', 'work']);
    expect(words[1]!.probes).toEqual(['studi', 'Studi', 'STUDI']);
  });

  it('should keep function words when the query has nothing else', () => {
    expect(probedWords('how').map((w) => w.word)).toEqual(['how']);
  });
});

describe('containsFilter', () => {
  it('should be one $contains for one probe and an $or of them otherwise', () => {
    expect(containsFilter([{ word: '数据', probes: ['数据'] }])).toEqual({ $contains: '数据' });
    expect(containsFilter([{ word: 'a', probes: ['ab', 'Ab'] }])).toEqual({
      $or: [{ $contains: 'ab' }, { $contains: 'Ab' }],
    });
  });
});

describe('scorePassages', () => {
  const plan = planFromFrequencies(
    'restore a backup',
    100,
    new Map([
      ['restore', 2],
      ['backup', 40],
    ]),
  )!;

  it('should weigh rare words more: a passage with the rare word outranks one with the common word', () => {
    const [rare, common, none] = scorePassages(plan, [
      { text: 'How to restore things.', metadata: null },
      { text: 'Backups are taken nightly.', metadata: null },
      { text: 'Nothing relevant here.', metadata: null },
    ]);
    expect(rare!.score).toBeGreaterThan(common!.score);
    expect(none).toEqual({ score: 0, relevance: 0 });
    expect(rare!.relevance).toBeGreaterThan(common!.relevance);
  });

  it('should give relevance 1 to a passage holding every word, counting title and headings', () => {
    const [hit] = scorePassages(plan, [{ text: 'Run the restore command.', metadata: { title: 'Backups' } }]);
    expect(hit!.relevance).toBe(1);
  });
});
