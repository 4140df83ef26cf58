import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { selectRowidsQuery } from './filter-to-sql.js';
import { SqliteStore } from './sqlite-store.js';
import type { RecordFilter } from '../engine/ports.js';
import type { Where } from '../engine/types.js';
import { makeCollectionModel, makeRecord } from '../../test/helpers/record-store-fixtures.js';

const eq = (key: string, value: string | number | boolean): Where => ({
  kind: 'compare',
  key,
  op: '$eq',
  value,
});

const FILTERS: Record<string, RecordFilter> = {
  $eq: { where: eq('n', 3) },
  $ne: { where: { kind: 'compare', key: 'n', op: '$ne', value: 3 } },
  $gt: { where: { kind: 'compare', key: 'n', op: '$gt', value: 3 } },
  $in: { where: { kind: 'in', key: 'tag', negate: false, values: ['a', 'b'] } },
  $nin: { where: { kind: 'in', key: 'tag', negate: true, values: ['a'] } },
  $contains: { where: { kind: 'contains', key: 'list', negate: false, value: 2 } },
  $and: { where: { kind: 'and', children: [eq('n', 3), eq('flag', true)] } },
  $or: {
    where: { kind: 'or', children: [eq('n', 3), { kind: 'contains', key: 'list', negate: true, value: 1 }] },
  },
  'ids and where': { ids: ['r1', 'r2'], where: eq('n', 3) },
  nothing: {},
};

describe('selectRowidsQuery plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-plans-'));
  const path = join(dir, 'kb.sqlite');
  const model = makeCollectionModel();
  const store = new SqliteStore(path);
  store.createCollection(model);
  store.putRecords(
    model.id,
    Array.from({ length: 300 }, (_, i) =>
      makeRecord(`r${i}`, {
        metadata: { n: i % 10, tag: 'abc'[i % 3] ?? 'a', flag: i % 2 === 0, list: [i % 4] },
      }),
    ),
  );
  store.close();
  const db = new BetterSqlite3(path);
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tableReads = (filter: RecordFilter): string[] => {
    const query = selectRowidsQuery(model.id, filter);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[];
    return plan.map((row) => row.detail).filter((detail) => /^(SEARCH|SCAN) /.test(detail));
  };

  for (const analyzed of [false, true]) {
    it(`should answer ids and where filters from covering indexes alone (${analyzed ? 'with' : 'without'} ANALYZE)`, () => {
      if (analyzed) db.exec('ANALYZE');
      for (const [name, filter] of Object.entries(FILTERS)) {
        // Every read is a covering index, json_each, or a set computed earlier in the same query.
        for (const read of tableReads(filter)) {
          expect(read, name).toMatch(/COVERING INDEX|VIRTUAL TABLE|^SCAN \(subquery-\d+\)$/);
        }
      }
    });
  }
});
