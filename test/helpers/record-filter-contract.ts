/** The `where` / `whereDocument` part of the RecordStore contract: a fixed table of filters and their hits. */
import { beforeEach, describe, expect, it } from 'vitest';
import { makeCollectionModel } from './record-store-fixtures.js';
import type { RecordFilter, RecordStore } from '../../src/engine/ports.js';
import type { Metadata, RecordInput, Where, WhereDocument } from '../../src/engine/types.js';

const filterRecord = (id: string, metadata: Metadata | null, document: string | null): RecordInput => ({
  id,
  metadata,
  document,
  embedding: null,
  uri: null,
});

const RECORDS: RecordInput[] = [
  filterRecord('a', { color: 'red', n: 1, flag: true, tags: ['x', 'y'] }, 'The Quick brown fox'),
  filterRecord('b', { color: 'blue', n: 2.5, flag: false, tags: ['y'] }, 'lazy dog'),
  filterRecord('c', { color: 'red', n: 10, tags: [1, 2] }, null),
  filterRecord('d', { n: true }, 'quick QUICK'),
  filterRecord('e', null, 'fox 123'),
  filterRecord('f', { color: ['red'], n: '1' }, 'Ünïcode fox'),
];

const eq = (key: string, value: string | number | boolean): Where => ({
  kind: 'compare',
  key,
  op: '$eq',
  value,
});

const WHERE_CASES: [string, Where, string[]][] = [
  ['$eq on a string scalar, not an array element', eq('color', 'red'), ['a', 'c']],
  ['$eq on a number, distinct from true and "1"', eq('n', 1), ['a']],
  ['$eq on a boolean, distinct from 1', eq('n', true), ['d']],
  ['$eq false', eq('flag', false), ['b']],
  [
    '$ne, matching absent and array-valued keys',
    { kind: 'compare', key: 'color', op: '$ne', value: 'red' },
    ['b', 'd', 'e', 'f'],
  ],
  ['$gt on numbers only', { kind: 'compare', key: 'n', op: '$gt', value: 2 }, ['b', 'c']],
  [
    '$gte with an integer against floats',
    { kind: 'compare', key: 'n', op: '$gte', value: 1 },
    ['a', 'b', 'c'],
  ],
  ['$lt', { kind: 'compare', key: 'n', op: '$lt', value: 2 }, ['a']],
  ['$lte with a float', { kind: 'compare', key: 'n', op: '$lte', value: 2.5 }, ['a', 'b']],
  ['$in', { kind: 'in', key: 'color', negate: false, values: ['blue', 'green'] }, ['b']],
  ['$in on numbers', { kind: 'in', key: 'n', negate: false, values: [10, 2.5] }, ['b', 'c']],
  [
    '$nin, matching absent keys',
    { kind: 'in', key: 'color', negate: true, values: ['red'] },
    ['b', 'd', 'e', 'f'],
  ],
  ['$contains a string element', { kind: 'contains', key: 'tags', negate: false, value: 'y' }, ['a', 'b']],
  ['$contains a number element', { kind: 'contains', key: 'tags', negate: false, value: 1 }, ['c']],
  ['$contains never matching a scalar', { kind: 'contains', key: 'n', negate: false, value: 1 }, []],
  [
    '$contains on a one-element array',
    { kind: 'contains', key: 'color', negate: false, value: 'red' },
    ['f'],
  ],
  ['$not_contains', { kind: 'contains', key: 'tags', negate: true, value: 'y' }, ['c', 'd', 'e', 'f']],
  [
    '$and',
    { kind: 'and', children: [eq('color', 'red'), { kind: 'compare', key: 'n', op: '$gt', value: 5 }] },
    ['c'],
  ],
  ['$or', { kind: 'or', children: [eq('color', 'blue'), eq('n', true)] }, ['b', 'd']],
];

const WHERE_DOCUMENT_CASES: [string, WhereDocument, string[]][] = [
  ['$contains', { kind: 'contains', text: 'fox', negate: false }, ['a', 'e', 'f']],
  ['$contains case-sensitively', { kind: 'contains', text: 'quick', negate: false }, ['d']],
  [
    '$not_contains, matching null documents',
    { kind: 'contains', text: 'fox', negate: true },
    ['b', 'c', 'd'],
  ],
  ['$regex as a search', { kind: 'regex', pattern: '\\d+', negate: false }, ['e']],
  ['$regex with anchors', { kind: 'regex', pattern: '^[a-z]+ dog$', negate: false }, ['b']],
  ['$regex on code points', { kind: 'regex', pattern: '^.n.code', negate: false }, ['f']],
  ['$not_regex, matching null documents', { kind: 'regex', pattern: 'o', negate: true }, ['c', 'd']],
  [
    '$and / $or',
    {
      kind: 'or',
      children: [
        { kind: 'contains', text: 'dog', negate: false },
        {
          kind: 'and',
          children: [
            { kind: 'contains', text: 'fox', negate: false },
            { kind: 'regex', pattern: '[0-9]', negate: false },
          ],
        },
      ],
    },
    ['b', 'e'],
  ],
];

/** Registers the filter cases; `open` must return a fresh store, which the caller closes. */
export function describeRecordFilterContract(open: () => RecordStore): void {
  describe('selectRowids filters', () => {
    let store: RecordStore;
    const collectionId = '00000000-0000-4000-8000-f11e7e400000';
    const select = (filter: RecordFilter): string[] => {
      const rowids = store.selectRowids(collectionId, filter, {});
      return store.readRecords(rowids, []).map((r) => r.id);
    };

    beforeEach(() => {
      store = open();
      store.createCollection(makeCollectionModel({ id: collectionId, name: 'filters' }));
      store.putRecords(collectionId, RECORDS);
    });

    it.each(WHERE_CASES)('should apply where %s', (_name, where, expected) => {
      expect(select({ where })).toEqual(expected);
    });

    it.each(WHERE_DOCUMENT_CASES)('should apply whereDocument %s', (_name, whereDocument, expected) => {
      expect(select({ whereDocument })).toEqual(expected);
    });

    it('should combine ids, where and whereDocument with AND', () => {
      const where = eq('color', 'red');
      const whereDocument: WhereDocument = { kind: 'contains', text: 'fox', negate: true };
      expect(select({ where, whereDocument })).toEqual(['c']);
      expect(
        select({ ids: ['a', 'b', 'zz'], where: { kind: 'in', key: 'n', negate: true, values: [1] } }),
      ).toEqual(['b']);
    });

    it('should page the filtered rows', () => {
      const rowids = store.selectRowids(
        collectionId,
        { whereDocument: { kind: 'contains', text: 'o', negate: false } },
        {
          limit: 2,
          offset: 1,
        },
      );
      expect(store.readRecords(rowids, []).map((r) => r.id)).toEqual(['b', 'e']);
    });
  });
}
