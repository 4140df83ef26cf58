import { describe, expect, it } from 'vitest';
import { compileDocumentRegex, translateRustRegex } from './document-regex.js';

describe('compileDocumentRegex', () => {
  it('should return the same compiled pattern for the same source', () => {
    expect(compileDocumentRegex('a+b')).toBe(compileDocumentRegex('a+b'));
  });

  it.each<[string, string, boolean]>([
    ['(?i)hello', 'HeLLo world', true],
    ['(?i)école', 'ÉCOLE', true],
    ['(?m)^two', 'one\ntwo', true],
    ['^two', 'one\ntwo', false],
    ['(?s)one.two', 'one\ntwo', true],
    ['one.two', 'one\ntwo', false],
    ['(?U)a+', 'aaa', true],
    ['(?P<word>lait)', 'café au lait', true],
    ['[[:digit:]]{3}', 'code 404', true],
    ['\\p{Greek}', 'alpha α', true],
    ['\\x{E9}', 'café', true],
    ['\\z', '', true],
    ['^\\d', '٣ digits', true],
    ['^\\w+\\s', 'привет мир', true],
    ['^\\W', 'привет', false],
    ['[\\w]+$', 'naïve', true],
    ['^\\s', '\u00a0x', true],
    ['\\bau\\b', 'café au lait', true],
    ['\\p{Uppercase_Letter}', 'abc', false],
    ['\\p{Script=Greek}', 'alpha α', true],
    ['\\p{greek}', 'alpha α', true],
    ['[\\p{digit}]', 'a٣', true],
  ])('should match %s against %j as Rust regex does (%s)', (pattern, text, expected) => {
    expect(compileDocumentRegex(pattern).test(text)).toBe(expected);
  });

  it.each([
    ['(', 'an unclosed group'],
    ['a(?=b)', 'lookahead'],
    ['(a)\\1', 'a backreference'],
    ['\\Qa.b\\E', 'RE2 quoting, which Rust rejects'],
    ['\\C', 'RE2 byte matching'],
    ['[a-z&&[^aeiou]]', 'a class intersection'],
    ['[a-z--b]', 'a class difference'],
    ['[[a]]', 'a nested class'],
    ['a{1001}', 'a repetition over 1000'],
  ])('should reject %s (%s)', (pattern) => {
    expect(() => compileDocumentRegex(pattern)).toThrow(Error);
  });

  it('should match a catastrophic-backtracking pattern over a long text in linear time', () => {
    const text = `${'a'.repeat(200_000)}!`;
    const started = performance.now();
    expect(compileDocumentRegex('(a+)+$').test(text)).toBe(false);
    expect(compileDocumentRegex('(a|aa)+$').test(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('translateRustRegex', () => {
  it.each([
    ['\\d+', '\\p{Nd}+'],
    ['[\\d_]', '[\\p{Nd}_]'],
    ['\\s', '\\p{White_Space}'],
    ['[]a]', '[]a]'],
    ['[^]\\]]', '[^]\\]]'],
    ['[[:alpha:]]', '[[:alpha:]]'],
    ['\\p{sc=Han}\\P{Letter}', '\\p{Han}\\P{L}'],
    ['\\.\\[', '\\.\\['],
  ])('should translate %s to %s', (rust, re2) => {
    expect(translateRustRegex(rust)).toBe(re2);
  });
});
