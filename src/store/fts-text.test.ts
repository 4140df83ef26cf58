import { describe, expect, it } from 'vitest';
import { toFtsQuery } from './fts-text.js';

describe('toFtsQuery', () => {
  it('should quote each distinct term and join them with OR', () => {
    expect(toFtsQuery('Running dogs, running!')).toBe('"Running" OR "dogs" OR "running"');
  });

  it('should drop FTS5 operators and punctuation so user text cannot form syntax', () => {
    expect(toFtsQuery('x" NEAR(b) * -c:d')).toBe('"x" OR "NEAR" OR "b" OR "c" OR "d"');
  });

  it('should keep letters with diacritics and digits', () => {
    expect(toFtsQuery('café 42 naïve')).toBe('"café" OR "42" OR "naïve"');
  });

  it('should return null when there is no term', () => {
    expect(toFtsQuery(' ?! ')).toBeNull();
  });
});

describe('toFtsQuery with stop words and unspaced scripts', () => {
  it('should leave English stop words out of a query that has other terms', () => {
    expect(toFtsQuery('The effect of aspirin on the heart')).toBe('"effect" OR "aspirin" OR "heart"');
  });

  it('should keep stop words when the query has nothing else', () => {
    expect(toFtsQuery('to be or not')).toBe('"to" OR "be" OR "or" OR "not"');
  });

  it('should split Chinese and Thai queries into words', () => {
    expect(toFtsQuery('机器学习')).toBe('"机器" OR "学习"');
    expect(toFtsQuery('กินข้าว')).toBe('"กิน" OR "ข้าว"');
  });
});
