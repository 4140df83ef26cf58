/**
 * Store read benchmark: selectRowids for typical filters, lookupRowids, readRecords and changesSince on a
 * SqliteStore file holding n records of `dim` floats with small metadata, as in `npm run bench`.
 *
 * Usage: tsx scripts/bench-filters.ts [--n 100000] [--dim 384] [--reps 50] [--plans]
 *
 * `--db FILE` keeps the store in FILE and reuses it when it already holds the records (opening it migrates it).
 * `--plans` prints each filter's EXPLAIN QUERY PLAN before and after ANALYZE instead of timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../src/engine/database.js';
import BetterSqlite3 from 'better-sqlite3';
import type { RecordFilter } from '../src/engine/ports.js';
import type { Include, RecordInput, Where } from '../src/engine/types.js';
import { selectRowidsQuery } from '../src/store/filter-to-sql.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { gaussianVector, mulberry32 } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    reps: { type: 'string', default: '50' },
    plans: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const REPS = Number(values.reps);
const BATCH = 1000;
const COLLECTION = '00000000-0000-4000-8000-000000000001';
const TAGS = ['red', 'green', 'blue'];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function measure(name: string, fn: () => unknown[] | Map<unknown, unknown>, reps = REPS): void {
  const latencies: number[] = [];
  let size = 0;
  for (let i = 0; i < reps; i++) {
    const start = process.hrtime.bigint();
    const result = fn();
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    size = Array.isArray(result) ? result.length : result.size;
  }
  console.log(`${name.padEnd(44)} p50_ms=${median(latencies).toFixed(3).padStart(8)}  rows=${size}`);
}

function makeRecord(i: number, random: () => number): RecordInput {
  return {
    id: `id${i + 1}`,
    embedding: gaussianVector(DIM, random),
    document: `document ${i} about ${TAGS[i % 3] ?? ''} things`,
    metadata: { bucket: i % 10, tag: TAGS[i % 3] ?? '', score: (i % 1000) / 1000, even: i % 2 === 0 },
    uri: null,
  };
}

function fill(store: SqliteStore): number {
  store.createCollection({
    id: COLLECTION,
    name: 'bench',
    tenant: DEFAULT_TENANT,
    database: DEFAULT_DATABASE,
    metadata: null,
    configuration: {},
    hnsw: { space: 'cosine', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
    dimension: DIM,
    embedding: null,
  });
  const random = mulberry32(7);
  const start = process.hrtime.bigint();
  for (let at = 0; at < N; at += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - at) }, (_, j) => makeRecord(at + j, random));
    store.putRecords(COLLECTION, batch);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const FILTERS: [string, RecordFilter][] = [
  ['where bucket=3 (10%)', { where: { kind: 'compare', key: 'bucket', op: '$eq', value: 3 } }],
  ['where bucket!=3 (90%)', { where: { kind: 'compare', key: 'bucket', op: '$ne', value: 3 } }],
  ['where bucket in [1,2] (20%)', { where: { kind: 'in', key: 'bucket', negate: false, values: [1, 2] } }],
  ['where tag=red and even (17%)', { where: andWhere() }],
  ['where score<0.05 or bucket=3 (~15%)', { where: orWhere() }],
  ['where bucket=3 + whereDocument', { where: eq('bucket', 3), whereDocument: docContains('red') }],
  ['ids (100) + where bucket=3', { ids: Array.from({ length: 100 }, (_, i) => `id${i * 7 + 1}`) }],
];

function eq(key: string, value: number | string | boolean): Where {
  return { kind: 'compare', key, op: '$eq', value };
}

function andWhere(): Where {
  return { kind: 'and', children: [eq('tag', 'red'), eq('even', true)] };
}

function orWhere(): Where {
  return {
    kind: 'or',
    children: [{ kind: 'compare', key: 'score', op: '$lt', value: 0.05 }, eq('bucket', 3)],
  };
}

function docContains(text: string): RecordFilter['whereDocument'] {
  return { kind: 'contains', text, negate: false };
}

const dir = mkdtempSync(join(tmpdir(), 'kbgate-bench-filters-'));
try {
  const path = values.db ?? join(dir, 'store.db');
  const store = new SqliteStore(path);
  const fillMs = store.getCollectionById(COLLECTION) === null ? fill(store) : NaN;
  store.close();
  console.log(`bench-filters: n=${N} dim=${DIM} reps=${REPS} insert=${(N / (fillMs / 1000)).toFixed(0)}/s`);
  if (values.plans) {
    printPlans(path);
  } else {
    const reopened = new SqliteStore(path);
    runReads(reopened);
    reopened.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function printPlans(path: string): void {
  const db = new BetterSqlite3(path);
  db.function('regexp_match', { deterministic: true }, () => 1);
  for (const analyzed of [false, true]) {
    if (analyzed) db.exec('ANALYZE');
    for (const [name, filter] of FILTERS) {
      const query = selectRowidsQuery(COLLECTION, {
        ...filter,
        ...(name.startsWith('ids') ? { where: eq('bucket', 3) } : {}),
      });
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[];
      console.log(
        `${analyzed ? 'analyzed' : 'no stats'} ${name}\n  ${plan.map((row) => row.detail).join('\n  ')}`,
      );
    }
  }
  db.close();
}

function runReads(store: SqliteStore): void {
  for (const [name, filter] of FILTERS) {
    const withWhere = name.startsWith('ids') ? { ...filter, where: eq('bucket', 3) } : filter;
    measure(`selectRowids ${name}`, () => store.selectRowids(COLLECTION, withWhere, {}));
  }
  measure('selectRowids where bucket=3 limit 10 offset 100', () =>
    store.selectRowids(COLLECTION, { where: eq('bucket', 3) }, { limit: 10, offset: 100 }),
  );
  measure('selectRowids {} limit 10', () => store.selectRowids(COLLECTION, {}, { limit: 10 }));
  const ids = (count: number) => Array.from({ length: count }, (_, i) => `id${((i * 7919) % N) + 1}`);
  for (const count of [10, 10_000]) {
    measure(`lookupRowids ${count}`, () => store.lookupRowids(COLLECTION, ids(count)));
  }
  const rowids = (count: number) => Array.from({ length: count }, (_, i) => ((i * 7919) % N) + 1);
  const includes: [string, Include[]][] = [
    ['ids only', []],
    ['documents+metadatas', ['documents', 'metadatas']],
    ['embeddings', ['embeddings']],
  ];
  for (const count of [10, 10_000]) {
    for (const [label, include] of includes) {
      measure(`readRecords ${count} ${label}`, () => store.readRecords(rowids(count), include));
    }
  }
  measure('count', () => [store.count(COLLECTION)]);
  measure('changesSince(0) (all embeddings)', () => store.changesSince(COLLECTION, 0).upserts, 5);
}
