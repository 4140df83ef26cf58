import { describe, expect, it } from 'vitest';
import { toFtsQuery } from './fts-text.js';

describe('toFtsQuery', () => {
  it('should quote each distinct term and join them with OR', () => {
    expect(toFtsQuery('Running dogs, running!')).toBe('"Running" OR "dogs" OR "running"');
  });

  it('should drop FTS5 operators and punctuation so user text cannot form syntax', () => {
    expect(toFtsQuery('a" NEAR(b) * -c:d')).toBe('"a" OR "NEAR" OR "b" OR "c" OR "d"');
  });

  it('should keep letters with diacritics and digits', () => {
    expect(toFtsQuery('café 42 naïve')).toBe('"café" OR "42" OR "naïve"');
  });

  it('should return null when there is no term', () => {
    expect(toFtsQuery(' ?! ')).toBeNull();
  });
});
