import { describe, expect, it } from 'vitest';
import type { Metadata, Where, WhereDocument } from '../types.js';
import { matchWhere, matchWhereDocument } from './match-where.js';
import { parseWhere, parseWhereDocument } from './parse-where.js';
import {
  createRng,
  randomDocument,
  randomMetadata,
  randomWhere,
  randomWhereDocument,
} from './random-where.js';

const RECORD: Metadata = {
  s: 'red',
  n: 2,
  f: 1.5,
  z: 0,
  b: true,
  one: '1',
  tags: ['red', 'blue'],
  nums: [1, 2.5],
  flags: [false],
};

function where(input: Record<string, unknown>): Where {
  const parsed = parseWhere(input);
  if (parsed === undefined) throw new Error('expected a filter');
  return parsed;
}

function whereDocument(input: Record<string, unknown>): WhereDocument {
  const parsed = parseWhereDocument(input);
  if (parsed === undefined) throw new Error('expected a filter');
  return parsed;
}

describe('matchWhere', () => {
  it.each<[Record<string, unknown>, boolean]>([
    // $eq: same type and value; arrays and absent keys never match.
    [{ s: 'red' }, true],
    [{ s: 'Red' }, false],
    [{ n: 2 }, true],
    [{ n: { $eq: 2.0 } }, true],
    [{ f: 1.5 }, true],
    [{ one: 1 }, false],
    [{ n: '2' }, false],
    [{ b: true }, true],
    [{ b: 1 }, false],
    [{ z: false }, false],
    [{ tags: 'red' }, false],
    [{ missing: 'red' }, false],
    // $ne: exact negation of $eq.
    [{ s: { $ne: 'red' } }, false],
    [{ s: { $ne: 'blue' } }, true],
    [{ one: { $ne: 1 } }, true],
    [{ b: { $ne: 1 } }, true],
    [{ tags: { $ne: 'red' } }, true],
    [{ missing: { $ne: 'red' } }, true],
    // Ordering: numeric scalars only.
    [{ n: { $gt: 1 } }, true],
    [{ n: { $gt: 2 } }, false],
    [{ n: { $gte: 2 } }, true],
    [{ f: { $lt: 2 } }, true],
    [{ f: { $lt: 1.5 } }, false],
    [{ f: { $lte: 1.5 } }, true],
    [{ z: { $gte: -1 } }, true],
    [{ one: { $gt: 0 } }, false],
    [{ b: { $gt: 0 } }, false],
    [{ nums: { $gt: 0 } }, false],
    [{ missing: { $lt: 10 } }, false],
    // $in / $nin: type-aware membership of a scalar.
    [{ s: { $in: ['blue', 'red'] } }, true],
    [{ s: { $in: ['blue'] } }, false],
    [{ n: { $in: [1, 2] } }, true],
    [{ one: { $in: [1] } }, false],
    [{ b: { $in: [true] } }, true],
    [{ tags: { $in: ['red'] } }, false],
    [{ missing: { $in: ['red'] } }, false],
    [{ s: { $nin: ['blue'] } }, true],
    [{ s: { $nin: ['red'] } }, false],
    [{ tags: { $nin: ['red'] } }, true],
    [{ missing: { $nin: ['red'] } }, true],
    // $contains / $not_contains: type-aware element of an array value.
    [{ tags: { $contains: 'red' } }, true],
    [{ tags: { $contains: 'Red' } }, false],
    [{ tags: { $contains: 're' } }, false],
    [{ nums: { $contains: 2.5 } }, true],
    [{ nums: { $contains: '1' } }, false],
    [{ flags: { $contains: false } }, true],
    [{ flags: { $contains: 0 } }, false],
    [{ s: { $contains: 'red' } }, false],
    [{ missing: { $contains: 'red' } }, false],
    [{ tags: { $not_contains: 'red' } }, false],
    [{ tags: { $not_contains: 'green' } }, true],
    [{ s: { $not_contains: 'red' } }, true],
    [{ missing: { $not_contains: 'red' } }, true],
    // Logic.
    [{ $and: [{ s: 'red' }, { n: 2 }] }, true],
    [{ $and: [{ s: 'red' }, { n: 3 }] }, false],
    [{ $or: [{ s: 'blue' }, { n: 2 }] }, true],
    [{ $or: [{ s: 'blue' }, { n: 3 }] }, false],
    [{ $or: [{ $and: [{ s: 'red' }, { b: false }] }, { tags: { $contains: 'blue' } }] }, true],
    [{ $and: [] }, true],
    [{ $or: [] }, false],
  ])('should evaluate %j as %s', (input, expected) => {
    expect(matchWhere(where(input), RECORD)).toBe(expected);
  });

  it.each<[Record<string, unknown>, string | null, boolean]>([
    [{ '#document': { $contains: 'cat' } }, 'a cat', true],
    [{ '#document': { $contains: 'cat' } }, null, false],
    [{ '#document': { $not_contains: 'cat' } }, null, true],
    [{ '#document': { $regex: '(?i)^A CAT$' } }, 'a cat', true],
    [{ $or: [{ s: 'blue' }, { '#document': { $not_regex: 'dog' } }] }, 'a cat', true],
    [{ $and: [{ s: 'red' }, { '#document': { $contains: 'dog' } }] }, 'a cat', false],
  ])('should test the document for %j on %j as %s', (input, document, expected) => {
    expect(matchWhere(where(input), RECORD, document)).toBe(expected);
  });

  it.each<[Record<string, unknown>, boolean]>([
    [{ a: 1 }, false],
    [{ a: { $ne: 1 } }, true],
    [{ a: { $gt: 0 } }, false],
    [{ a: { $in: [1] } }, false],
    [{ a: { $nin: [1] } }, true],
    [{ a: { $contains: 1 } }, false],
    [{ a: { $not_contains: 1 } }, true],
  ])('should evaluate %j on null metadata as %s', (input, expected) => {
    expect(matchWhere(where(input), null)).toBe(expected);
  });

  it('should not see prototype properties as metadata keys', () => {
    const ne: Where = { kind: 'compare', key: 'constructor', op: '$ne', value: 'x' };
    expect(matchWhere(ne, {})).toBe(true);
    expect(matchWhere(where({ toString: { $in: ['x'] } }), {})).toBe(false);
  });

  it('should treat $ne, $nin and $not_contains as exact negations on random records', () => {
    const rng = createRng(3);
    const keys = ['a', 'b'];
    for (let i = 0; i < 1000; i++) {
      const metadata = randomMetadata(rng, keys);
      const { ast } = randomWhere(rng, keys, { maxDepth: 0 });
      const negated = negateLeaf(ast);
      if (negated === undefined) continue;
      expect(matchWhere(negated, metadata)).toBe(!matchWhere(ast, metadata));
    }
  });

  it('should agree with De Morgan on random filters', () => {
    const rng = createRng(5);
    const keys = ['a', 'b', 'c'];
    for (let i = 0; i < 500; i++) {
      const metadata = randomMetadata(rng, keys);
      const x = randomWhere(rng, keys).ast;
      const y = randomWhere(rng, keys).ast;
      const and = matchWhere({ kind: 'and', children: [x, y] }, metadata);
      const or = matchWhere({ kind: 'or', children: [x, y] }, metadata);
      expect(and).toBe(matchWhere(x, metadata) && matchWhere(y, metadata));
      expect(or).toBe(matchWhere(x, metadata) || matchWhere(y, metadata));
    }
  });
});

describe('matchWhereDocument', () => {
  const DOC = 'The quick brown Fox. Ünïcode too\nsecond line';

  it.each<[Record<string, unknown>, boolean]>([
    [{ $contains: 'quick' }, true],
    [{ $contains: 'Quick' }, false],
    [{ $contains: 'Fox.' }, true],
    [{ $contains: '%' }, false],
    [{ $contains: 'Ünï' }, true],
    [{ $not_contains: 'quick' }, false],
    [{ $not_contains: 'slow' }, true],
    [{ $regex: '^The' }, true],
    [{ $regex: '^quick' }, false],
    [{ $regex: 'F.x\\.' }, true],
    [{ $regex: 'fox' }, false],
    [{ $regex: 'line$' }, true],
    [{ $regex: 'too$' }, false],
    [{ $regex: 'too.second' }, false],
    [{ $regex: '^Ü' }, false],
    [{ $regex: '\\p{Lu}nïcode' }, true],
    [{ $not_regex: 'b[a-z]+n' }, false],
    [{ $not_regex: '\\d' }, true],
    [{ $and: [{ $contains: 'quick' }, { $regex: 'Fox' }] }, true],
    [{ $and: [{ $contains: 'quick' }, { $not_contains: 'Fox' }] }, false],
    [{ $or: [{ $contains: 'slow' }, { $regex: 'brown' }] }, true],
    [{ $or: [{ $contains: 'slow' }, { $regex: 'green' }] }, false],
    [{ $contains: '' }, true],
    [{ $not_contains: '' }, false],
    [{ $regex: '' }, true],
    [{ $regex: '(?i)the QUICK' }, true],
    [{ $regex: '(?m)^second' }, true],
    [{ $regex: '(?s)too.second' }, true],
    [{ $regex: '\\w+code' }, true],
    [{ $and: [] }, true],
    [{ $or: [] }, false],
  ])('should evaluate %j as %s', (input, expected) => {
    expect(matchWhereDocument(whereDocument(input), DOC)).toBe(expected);
  });

  it.each<[Record<string, unknown>, boolean]>([
    [{ $contains: 'a' }, false],
    [{ $not_contains: 'a' }, true],
    [{ $regex: '.*' }, false],
    [{ $not_regex: '.*' }, true],
    [{ $contains: '' }, false],
    [{ $regex: '' }, false],
  ])('should evaluate %j on a null document as %s', (input, expected) => {
    expect(matchWhereDocument(whereDocument(input), null)).toBe(expected);
  });

  it('should treat $not_contains and $not_regex as exact negations on random documents', () => {
    const rng = createRng(9);
    const words = ['alpha', 'beta', 'gamma'];
    for (let i = 0; i < 1000; i++) {
      const document = randomDocument(rng, words);
      const { ast } = randomWhereDocument(rng, words, { maxDepth: 0 });
      if (ast.kind !== 'contains' && ast.kind !== 'regex') continue;
      const negated = { ...ast, negate: !ast.negate };
      expect(matchWhereDocument(negated, document)).toBe(!matchWhereDocument(ast, document));
    }
  });
});

function negateLeaf(leaf: Where): Where | undefined {
  if (leaf.kind === 'in' || leaf.kind === 'contains') return { ...leaf, negate: !leaf.negate };
  if (leaf.kind === 'compare' && (leaf.op === '$eq' || leaf.op === '$ne')) {
    return { ...leaf, op: leaf.op === '$eq' ? '$ne' : '$eq' };
  }
  return undefined;
}
