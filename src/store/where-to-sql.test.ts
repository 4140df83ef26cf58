import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { whereDocumentToSql, whereToPolar } from './where-to-sql.js';
import { matchWhere, matchWhereDocument } from '../engine/where/match-where.js';
import {
  createRng,
  randomDocument,
  randomMetadata,
  randomWhere,
  randomWhereDocument,
} from '../engine/where/random-where.js';
import type { RecordFilter } from '../engine/ports.js';
import type { RecordInput, Where } from '../engine/types.js';
import { makeCollectionModel } from '../../test/helpers/record-store-fixtures.js';

const KEYS = ['color', 'n', 'tags', 'constructor'];
const WORDS = ['fox', 'Dog', 'café', 'naïve', 'a.b', 'x+y', 'ünï', 'the', '1'];

describe('whereToPolar', () => {
  it('should bind keys and values as parameters, never interpolating them', () => {
    const key = "k') OR 1=1 --";
    const { set: fragment } = whereToPolar('c1', {
      kind: 'or',
      children: [
        { kind: 'compare', key, op: '$eq', value: "v' OR '1'='1" },
        { kind: 'in', key, negate: true, values: [true, false] },
      ],
    });
    expect(fragment.sql).not.toContain('OR 1=1');
    expect(fragment.sql).not.toContain("'1'='1");
    expect([...fragment.params].sort()).toEqual(['c1', key, "v' OR '1'='1", 'c1', key, '[1,0]'].sort());
  });

  it('should reject a range comparison with a non-number operand', () => {
    expect(() => whereToPolar('c1', { kind: 'compare', key: 'k', op: '$gt', value: 'a' })).toThrow();
  });
});

describe('whereDocumentToSql', () => {
  it('should bind the searched text and the pattern as parameters', () => {
    const fragment = whereDocumentToSql({
      kind: 'and',
      children: [
        { kind: 'contains', text: "it's", negate: true },
        { kind: 'regex', pattern: "^a'b", negate: false },
      ],
    });
    expect(fragment.params).toEqual(["it's", "^a'b"]);
    expect(fragment.sql).not.toContain("'");
  });
});

describe('SQL filters against the reference evaluator', () => {
  const rng = createRng(20_240_601);
  const records: RecordInput[] = Array.from({ length: 300 }, (_, i) => ({
    id: `r${i}`,
    embedding: null,
    document: randomDocument(rng, WORDS),
    metadata: randomMetadata(rng, KEYS),
    uri: null,
  }));
  const store = new SqliteStore(':memory:');
  const model = makeCollectionModel();
  store.createCollection(model);
  const rowids = store.putRecords(model.id, records);
  const neighbour = makeCollectionModel();
  store.createCollection(neighbour);
  store.putRecords(neighbour.id, records);
  afterAll(() => store.close());

  const sqlIds = (filter: RecordFilter): string[] =>
    store.readRecords(store.selectRowids(model.id, filter, {}), []).map((r) => r.id);
  const oracleIds = (keep: (record: RecordInput) => boolean): string[] =>
    records.filter(keep).map((r) => r.id);

  it('should store every record once, in order', () => {
    expect(new Set(rowids).size).toBe(records.length);
    expect(sqlIds({})).toEqual(records.map((r) => r.id));
  });

  it('should select exactly the records matchWhere accepts, for 400 random where filters', () => {
    const sizes = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const where = randomWhere(rng, KEYS).ast;
      const expected = oracleIds((r) => matchWhere(where, r.metadata));
      expect(sqlIds({ where }), JSON.stringify(where)).toEqual(expected);
      sizes.add(expected.length);
    }
    expect(sizes.size).toBeGreaterThan(20);
  });

  it('should page where-filtered rowids as slices of the whole result, for 100 random filters', () => {
    for (let i = 0; i < 100; i++) {
      const where = randomWhere(rng, KEYS).ast;
      const all = store.selectRowids(model.id, { where }, {});
      const page = { limit: Math.floor(rng() * 20), offset: Math.floor(rng() * 40) };
      const expected = all.slice(page.offset, page.offset + page.limit);
      expect(store.selectRowids(model.id, { where }, page), JSON.stringify(where)).toEqual(expected);
    }
  });

  it('should combine $and / $or lists longer than one compound SELECT holds, like matchWhere', () => {
    for (const kind of ['and', 'or'] as const) {
      for (const size of [150, 999]) {
        const children = Array.from({ length: size }, () => randomWhere(rng, KEYS, { maxDepth: 1 }).ast);
        const where = { kind, children };
        const expected = oracleIds((r) => matchWhere(where, r.metadata));
        expect(sqlIds({ where }), `${kind} of ${size}`).toEqual(expected);
        expect(sqlIds({ where, ids: expected.slice(1) })).toEqual(expected.slice(1));
      }
    }
  });

  it('should select exactly the records matchWhereDocument accepts, for 300 random whereDocument filters', () => {
    const sizes = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const whereDocument = randomWhereDocument(rng, WORDS).ast;
      const expected = oracleIds((r) => matchWhereDocument(whereDocument, r.document));
      expect(sqlIds({ whereDocument }), JSON.stringify(whereDocument)).toEqual(expected);
      sizes.add(expected.length);
    }
    expect(sizes.size).toBeGreaterThan(20);
  });

  it('should select what matchWhere accepts for where filters mixing #document tests and empty $and / $or', () => {
    const sizes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const children: Where[] = [
        randomWhere(rng, KEYS, { maxDepth: 2 }).ast,
        { kind: 'document', filter: randomWhereDocument(rng, WORDS, { maxDepth: 1 }).ast },
      ];
      if (rng() < 0.3) children.push({ kind: rng() < 0.5 ? 'and' : 'or', children: [] });
      const where: Where = { kind: rng() < 0.5 ? 'and' : 'or', children };
      const expected = oracleIds((r) => matchWhere(where, r.metadata, r.document));
      expect(sqlIds({ where }), JSON.stringify(where)).toEqual(expected);
      sizes.add(expected.length);
    }
    expect(sizes.size).toBeGreaterThan(20);
  });

  it('should AND ids, where and whereDocument together, for 100 random combinations', () => {
    for (let i = 0; i < 100; i++) {
      const where = randomWhere(rng, KEYS, { maxDepth: 2 }).ast;
      const whereDocument = randomWhereDocument(rng, WORDS, { maxDepth: 1 }).ast;
      const ids = records.filter(() => rng() < 0.5).map((r) => r.id);
      const idSet = new Set(ids);
      const expected = oracleIds(
        (r) =>
          idSet.has(r.id) && matchWhere(where, r.metadata) && matchWhereDocument(whereDocument, r.document),
      );
      expect(sqlIds({ ids, where, whereDocument })).toEqual(expected);
    }
  });
});
