import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors.js';
import type { Where, WhereDocument } from '../types.js';
import {
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  MAX_FILTER_VALUES,
  MAX_REGEX_FILTERS,
  MAX_REGEX_LENGTH,
  parseWhere,
  parseWhereDocument,
  whereDocumentToJson,
  whereToJson,
} from './parse-where.js';
import { createRng, randomWhere, randomWhereDocument } from './random-where.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isEngineError(err) ? err.code : `not an EngineError: ${String(err)}`;
  }
  return undefined;
}

function nestWhere(depth: number): Record<string, unknown> {
  let node: Record<string, unknown> = { year: 1 };
  for (let i = 1; i < depth; i++) node = { $and: [node] };
  return node;
}

function nestDocument(depth: number): Record<string, unknown> {
  let node: Record<string, unknown> = { $contains: 'x' };
  for (let i = 1; i < depth; i++) node = { $or: [node] };
  return node;
}

describe('parseWhere', () => {
  it.each([undefined, null])('should return undefined for an absent filter (%j)', (input) => {
    expect(parseWhere(input)).toBeUndefined();
  });

  it.each<[string, unknown, Where]>([
    ['an empty $and', { $and: [] }, { kind: 'and', children: [] }],
    ['an empty $or', { $or: [] }, { kind: 'or', children: [] }],
    [
      'a #document $contains',
      { '#document': { $contains: 'x' } },
      { kind: 'document', filter: { kind: 'contains', text: 'x', negate: false } },
    ],
    [
      'a #document $not_regex',
      { '#document': { $not_regex: '(?i)x' } },
      { kind: 'document', filter: { kind: 'regex', pattern: '(?i)x', negate: true } },
    ],
    [
      'a #document $eq as a metadata key',
      { '#document': { $eq: 'x' } },
      { kind: 'compare', key: '#document', op: '$eq', value: 'x' },
    ],
  ])('should parse %s as Chroma 1.x does', (_name, input, expected) => {
    expect(parseWhere(input)).toEqual(expected);
  });

  it.each<[string, unknown, Where]>([
    ['string shorthand', { genre: 'jazz' }, { kind: 'compare', key: 'genre', op: '$eq', value: 'jazz' }],
    ['number shorthand', { year: 1999 }, { kind: 'compare', key: 'year', op: '$eq', value: 1999 }],
    ['boolean shorthand', { draft: false }, { kind: 'compare', key: 'draft', op: '$eq', value: false }],
    ['$eq', { genre: { $eq: 'jazz' } }, { kind: 'compare', key: 'genre', op: '$eq', value: 'jazz' }],
    ['$ne', { draft: { $ne: true } }, { kind: 'compare', key: 'draft', op: '$ne', value: true }],
    ['$gt', { year: { $gt: 2000 } }, { kind: 'compare', key: 'year', op: '$gt', value: 2000 }],
    ['$gte', { score: { $gte: 0.5 } }, { kind: 'compare', key: 'score', op: '$gte', value: 0.5 }],
    ['$lt', { year: { $lt: -3 } }, { kind: 'compare', key: 'year', op: '$lt', value: -3 }],
    ['$lte', { year: { $lte: 0 } }, { kind: 'compare', key: 'year', op: '$lte', value: 0 }],
    ['$in', { tag: { $in: ['a', 'b'] } }, { kind: 'in', key: 'tag', negate: false, values: ['a', 'b'] }],
    ['$nin', { n: { $nin: [1, 2.5] } }, { kind: 'in', key: 'n', negate: true, values: [1, 2.5] }],
    ['$contains', { tags: { $contains: 'x' } }, { kind: 'contains', key: 'tags', negate: false, value: 'x' }],
    ['$not_contains', { ns: { $not_contains: 3 } }, { kind: 'contains', key: 'ns', negate: true, value: 3 }],
    ['an empty-string key', { '': 'x' }, { kind: 'compare', key: '', op: '$eq', value: 'x' }],
  ])('should parse %s', (_name, input, expected) => {
    expect(parseWhere(input)).toEqual(expected);
  });

  it('should parse nested $and and $or', () => {
    const input = { $and: [{ a: 1 }, { $or: [{ b: { $in: [true] } }, { c: { $ne: 'x' } }] }] };
    expect(parseWhere(input)).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', key: 'a', op: '$eq', value: 1 },
        {
          kind: 'or',
          children: [
            { kind: 'in', key: 'b', negate: false, values: [true] },
            { kind: 'compare', key: 'c', op: '$ne', value: 'x' },
          ],
        },
      ],
    });
  });

  it('should accept a single-child $and', () => {
    expect(parseWhere({ $and: [{ a: 1 }] })).toEqual({
      kind: 'and',
      children: [{ kind: 'compare', key: 'a', op: '$eq', value: 1 }],
    });
  });

  it('should accept nesting up to the depth limit', () => {
    expect(parseWhere(nestWhere(MAX_FILTER_DEPTH))).toBeDefined();
  });

  it.each<[string, unknown]>([
    ['a string', 'year'],
    ['a number', 3],
    ['an array', [{ a: 1 }]],
    ['a Date', new Date(0)],
    ['an empty object', {}],
    ['several field keys in one object', { a: 1, b: 2 }],
    ['$and beside a field key', { $and: [{ a: 1 }], b: 2 }],
    ['an empty nested object', { $and: [{}] }],
    ['$and with a non-array', { $and: { a: 1 } }],
    ['$or with a non-object child', { $or: [{ a: 1 }, 'b'] }],
    ['an unknown top-level operator', { $not: { a: 1 } }],
    ['a top-level field operator', { $eq: 1 }],
    ['a #document $contains with a number', { '#document': { $contains: 1 } }],
    ['a #document $regex with an invalid pattern', { '#document': { $regex: '(' } }],
    ['a null value', { a: null }],
    ['an array value', { a: [1, 2] }],
    ['NaN', { a: Number.NaN }],
    ['Infinity', { a: { $lt: Number.POSITIVE_INFINITY } }],
    ['an empty operator object', { a: {} }],
    ['two operators', { a: { $gt: 1, $lt: 5 } }],
    ['an unknown operator', { a: { $like: 'x' } }],
    ['a non-operator key in an operator object', { a: { b: 1 } }],
    ['$gt with a string', { a: { $gt: '1' } }],
    ['$gte with a boolean', { a: { $gte: true } }],
    ['$lt with null', { a: { $lt: null } }],
    ['$lte with an array', { a: { $lte: [1] } }],
    ['$eq with an array', { a: { $eq: [1] } }],
    ['$eq with a nested object', { a: { $eq: { b: 1 } } }],
    ['$ne with null', { a: { $ne: null } }],
    ['$in with a scalar', { a: { $in: 1 } }],
    ['$in with an empty array', { a: { $in: [] } }],
    ['$nin with mixed types', { a: { $nin: [1, '1'] } }],
    ['$in with a nested array', { a: { $in: [[1]] } }],
    ['$in with null', { a: { $in: [null] } }],
    ['$contains with an array', { a: { $contains: ['x'] } }],
    ['$not_contains with null', { a: { $not_contains: null } }],
    ['$regex on a metadata key', { a: { $regex: 'x' } }],
    ['nesting deeper than the limit', nestWhere(MAX_FILTER_DEPTH + 1)],
    ['more nodes than the limit', { $or: Array.from({ length: MAX_FILTER_NODES }, () => ({ a: 1 })) }],
    [
      'more $in values than the limit',
      { a: { $in: Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => i) } },
    ],
    [
      'more $regex tests than the limit',
      {
        $or: Array.from({ length: MAX_REGEX_FILTERS + 1 }, (_, i) => ({ '#document': { $regex: `x${i}` } })),
      },
    ],
    ['a __proto__ key, which metadata cannot hold', JSON.parse('{"__proto__":"x"}')],
    ['a constructor key', { constructor: { $ne: 1 } }],
    ['a prototype key inside $and', { $and: [{ prototype: 1 }] }],
  ])('should reject %s with INVALID_ARGUMENT', (_name, input) => {
    expect(codeOf(() => parseWhere(input))).toBe('INVALID_ARGUMENT');
  });

  it('should say what is wrong and where', () => {
    expect(() => parseWhere({ $and: [{ a: 1 }, { year: { $gt: 'x' } }] })).toThrow(
      /"\$gt" on key "year" to be a number, got string.*where\.\$and\[1\]\.year\.\$gt/,
    );
  });

  it('should round-trip random filters through whereToJson', () => {
    const rng = createRng(7);
    for (let i = 0; i < 500; i++) {
      const { ast } = randomWhere(rng, ['a', 'b', 'c'], { maxDepth: 4 });
      expect(parseWhere(JSON.parse(JSON.stringify(whereToJson(ast))))).toEqual(ast);
    }
  });

  it('should parse the wire form of random filters to their AST', () => {
    const rng = createRng(11);
    for (let i = 0; i < 500; i++) {
      const { ast, wire } = randomWhere(rng, ['a', 'b', 'c'], { maxDepth: 4 });
      expect(parseWhere(wire)).toEqual(ast);
    }
  });
});

describe('parseWhereDocument', () => {
  it.each([undefined, null])('should return undefined for an absent filter (%j)', (input) => {
    expect(parseWhereDocument(input)).toBeUndefined();
  });

  it.each<[string, unknown, WhereDocument]>([
    ['$contains', { $contains: 'Foo' }, { kind: 'contains', text: 'Foo', negate: false }],
    ['$not_contains', { $not_contains: 'x' }, { kind: 'contains', text: 'x', negate: true }],
    ['$regex', { $regex: '^a.c$' }, { kind: 'regex', pattern: '^a.c$', negate: false }],
    ['$not_regex', { $not_regex: '[0-9]+' }, { kind: 'regex', pattern: '[0-9]+', negate: true }],
    ['a class holding a paren', { $regex: '[(?=]x' }, { kind: 'regex', pattern: '[(?=]x', negate: false }],
    ['a non-capturing group', { $regex: '(?:a|b)' }, { kind: 'regex', pattern: '(?:a|b)', negate: false }],
    ['an inline flag', { $regex: '(?i)foo' }, { kind: 'regex', pattern: '(?i)foo', negate: false }],
    [
      'a Python-style named group',
      { $regex: '(?P<n>a)' },
      { kind: 'regex', pattern: '(?P<n>a)', negate: false },
    ],
    ['an empty $contains', { $contains: '' }, { kind: 'contains', text: '', negate: false }],
    ['an empty $regex', { $regex: '' }, { kind: 'regex', pattern: '', negate: false }],
    ['an empty $and', { $and: [] }, { kind: 'and', children: [] }],
    ['an empty $or', { $or: [] }, { kind: 'or', children: [] }],
  ])('should parse %s', (_name, input, expected) => {
    expect(parseWhereDocument(input)).toEqual(expected);
  });

  it('should parse nested $and and $or', () => {
    expect(parseWhereDocument({ $or: [{ $contains: 'a' }, { $and: [{ $regex: 'b' }] }] })).toEqual({
      kind: 'or',
      children: [
        { kind: 'contains', text: 'a', negate: false },
        { kind: 'and', children: [{ kind: 'regex', pattern: 'b', negate: false }] },
      ],
    });
  });

  it('should accept a pattern at the length limit', () => {
    expect(parseWhereDocument({ $regex: 'a'.repeat(MAX_REGEX_LENGTH) })).toBeDefined();
  });

  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['an empty object', {}],
    ['an array', [{ $contains: 'x' }]],
    ['two operators', { $contains: 'a', $not_contains: 'b' }],
    ['an unknown operator', { $like: 'x' }],
    ['a metadata-style key', { title: 'x' }],
    ['$contains with a number', { $contains: 1 }],
    ['$not_contains with null', { $not_contains: null }],
    ['$regex with an invalid pattern', { $regex: '(' }],
    ['$not_regex with an invalid pattern', { $not_regex: '[z-a]' }],
    ['$regex with a lookahead', { $regex: 'a(?=b)' }],
    ['$regex with a negative lookbehind', { $regex: '(?<!a)b' }],
    ['$regex with a backreference', { $regex: '(a)\\1' }],
    ['$regex with a named backreference', { $regex: '(?<x>a)\\k<x>' }],
    ['$regex with \\Q...\\E, which Rust rejects', { $regex: '\\Qa.b\\E' }],
    ['$regex with a class set operation', { $regex: '[a-z&&[^aeiou]]' }],
    ['$regex with a repetition over 1000', { $regex: 'a{1001}' }],
    ['$regex over the length limit', { $regex: 'a'.repeat(MAX_REGEX_LENGTH + 1) }],
    ['$or with a non-array', { $or: { $contains: 'x' } }],
    ['nesting deeper than the limit', nestDocument(MAX_FILTER_DEPTH + 1)],
    [
      'more nodes than the limit',
      { $and: Array.from({ length: MAX_FILTER_NODES }, () => ({ $contains: 'x' })) },
    ],
  ])('should reject %s with INVALID_ARGUMENT', (_name, input) => {
    expect(codeOf(() => parseWhereDocument(input))).toBe('INVALID_ARGUMENT');
  });

  it('should keep the regex engine error as the cause', () => {
    try {
      parseWhereDocument({ $regex: '(' });
      expect.unreachable('parseWhereDocument should have thrown');
    } catch (err) {
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('should round-trip random filters through whereDocumentToJson and their wire form', () => {
    const rng = createRng(13);
    for (let i = 0; i < 500; i++) {
      const { ast, wire } = randomWhereDocument(rng, ['alpha', 'beta', 'a.b', 'x'], { maxDepth: 4 });
      expect(parseWhereDocument(wire)).toEqual(ast);
      expect(parseWhereDocument(JSON.parse(JSON.stringify(whereDocumentToJson(ast))))).toEqual(ast);
    }
  });
});
