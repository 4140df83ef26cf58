import { describe, expect, it } from 'vitest';
import { excerpt } from './excerpt.js';

describe('excerpt', () => {
  const filler = 'Nothing to see in this sentence. '.repeat(30);
  const text = `${filler}The busy timeout pragma makes writers wait for the lock. ${filler}`;

  it('should return a short text unchanged', () => {
    expect(excerpt('short text', 'anything', 100)).toBe('short text');
  });

  it('should keep the window that holds the query words, marked with ellipses', () => {
    const out = excerpt(text, 'how long do writers wait on a busy database', 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toContain('busy timeout pragma makes writers wait');
    expect(out.startsWith('…')).toBe(true);
    expect(out.endsWith('…')).toBe(true);
  });

  it('should match the query words by stem', () => {
    expect(excerpt(text, 'waiting writer', 120)).toContain('writers wait');
  });

  it('should start at the beginning when no query word is found', () => {
    const out = excerpt(text, 'zebra', 80);
    expect(out.startsWith('Nothing to see')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(80);
  });

  it('should never split a surrogate pair', () => {
    const emoji = '😀'.repeat(100);
    const out = excerpt(emoji, 'x', 51);
    expect(out.length).toBeLessThanOrEqual(51);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/u.test(out)).toBe(false);
  });
});
