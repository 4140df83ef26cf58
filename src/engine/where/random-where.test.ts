import { describe, expect, it } from 'vitest';
import type { Where, WhereDocument } from '../types.js';
import { matchWhere, matchWhereDocument } from './match-where.js';
import {
  createRng,
  randomDocument,
  randomMetadata,
  randomWhere,
  randomWhereDocument,
} from './random-where.js';

function whereOperators(where: Where, into: Set<string>): Set<string> {
  switch (where.kind) {
    case 'and':
    case 'or':
      into.add(`$${where.kind}`);
      where.children.forEach((child) => whereOperators(child, into));
      break;
    case 'compare':
      into.add(where.op);
      break;
    case 'in':
      into.add(where.negate ? '$nin' : '$in');
      break;
    case 'contains':
      into.add(where.negate ? '$not_contains' : '$contains');
      break;
  }
  return into;
}

function documentOperators(wd: WhereDocument, into: Set<string>): Set<string> {
  if (wd.kind === 'and' || wd.kind === 'or') {
    into.add(`$${wd.kind}`);
    wd.children.forEach((child) => documentOperators(child, into));
  } else {
    into.add(`$${wd.negate ? 'not_' : ''}${wd.kind}`);
  }
  return into;
}

describe('createRng', () => {
  it('should repeat its sequence for the same seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('should produce numbers in [0, 1)', () => {
    const rng = createRng(1);
    const draws = Array.from({ length: 1000 }, rng);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('randomWhere', () => {
  it('should be deterministic for a seed', () => {
    expect(randomWhere(createRng(8), ['a', 'b'])).toEqual(randomWhere(createRng(8), ['a', 'b']));
  });

  it('should use every operator over enough draws', () => {
    const rng = createRng(21);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) whereOperators(randomWhere(rng, ['a', 'b']).ast, seen);
    expect([...seen].sort()).toEqual(
      [
        '$and',
        '$or',
        '$eq',
        '$ne',
        '$gt',
        '$gte',
        '$lt',
        '$lte',
        '$in',
        '$nin',
        '$contains',
        '$not_contains',
      ].sort(),
    );
  });

  it('should use only numbers as ordering operands and one type per $in list', () => {
    const rng = createRng(22);
    for (let i = 0; i < 500; i++) {
      const { ast } = randomWhere(rng, ['a'], { maxDepth: 0 });
      if (ast.kind === 'compare' && ['$gt', '$gte', '$lt', '$lte'].includes(ast.op)) {
        expect(typeof ast.value).toBe('number');
      }
      if (ast.kind === 'in') expect(new Set(ast.values.map((v) => typeof v)).size).toBe(1);
    }
  });

  it('should produce filters that both match and miss random metadata', () => {
    const rng = createRng(23);
    const keys = ['a', 'b'];
    const outcomes = new Set<boolean>();
    for (let i = 0; i < 200; i++) {
      outcomes.add(matchWhere(randomWhere(rng, keys).ast, randomMetadata(rng, keys)));
    }
    expect(outcomes).toEqual(new Set([true, false]));
  });
});

describe('randomWhereDocument', () => {
  it('should use every operator over enough draws', () => {
    const rng = createRng(31);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) documentOperators(randomWhereDocument(rng, ['alpha', 'beta']).ast, seen);
    expect([...seen].sort()).toEqual(['$and', '$contains', '$not_contains', '$not_regex', '$or', '$regex']);
  });

  it('should produce filters that both match and miss random documents', () => {
    const rng = createRng(32);
    const words = ['alpha', 'beta'];
    const outcomes = new Set<boolean>();
    for (let i = 0; i < 200; i++) {
      outcomes.add(matchWhereDocument(randomWhereDocument(rng, words).ast, randomDocument(rng, words)));
    }
    expect(outcomes).toEqual(new Set([true, false]));
  });
});

describe('randomMetadata', () => {
  it('should mix absent keys, scalars of every type and one-typed arrays', () => {
    const rng = createRng(41);
    const kinds = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const metadata = randomMetadata(rng, ['a']);
      if (metadata === null) kinds.add('null');
      else if (!('a' in metadata)) kinds.add('absent');
      else if (Array.isArray(metadata.a)) {
        expect(new Set(metadata.a.map((v) => typeof v)).size).toBe(1);
        kinds.add('array');
      } else kinds.add(typeof metadata.a);
    }
    expect([...kinds].sort()).toEqual(['absent', 'array', 'boolean', 'null', 'number', 'string']);
  });
});
