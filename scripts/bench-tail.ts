/**
 * What a query costs while writes wait to be indexed: per-query time of the index cache's view (HNSW index plus the
 * pending tail) with `--pending` vectors committed but not yet applied, beside the index alone before the writes.
 * The writes and the queries run in one turn of the event loop, so no slice applies anything in between; the first
 * query, which builds the tail's int8 mirror, is reported apart.
 *
 * Usage: npm run bench:tail -- [--base 2000] [--pending 2000,20000] [--dim 384] [--queries 200] [--batch 1000]
 */
import { parseArgs } from 'node:util';
import { IndexCache } from '../src/engine/index-cache.js';
import type { CollectionModel } from '../src/engine/types.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { HnswIndexFactory } from '../src/vector/hnsw-index-factory.js';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: '2000' },
    pending: { type: 'string', default: '2000,20000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '200' },
    batch: { type: 'string', default: '1000' },
  },
});
const BASE = Number(values.base);
const PENDING = values.pending.split(',').map(Number);
const DIM = Number(values.dim);
const Q = Number(values.queries);
const BATCH = Number(values.batch);
const K = 10;
/** One record in this many is allowed by the filtered queries. */
const FILTER_EVERY = 10;

const MODEL: CollectionModel = {
  id: 'bench-tail',
  name: 'bench-tail',
  tenant: 'default_tenant',
  database: 'default_database',
  metadata: null,
  configuration: {},
  hnsw: { space: 'cosine', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
  dimension: DIM,
  embedding: null,
};

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function report(name: string, latencies: number[], extra: Record<string, string | number> = {}): void {
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const row = {
    p50_ms: percentile(latencies, 50).toFixed(3),
    p99_ms: percentile(latencies, 99).toFixed(3),
    mean_ms: mean.toFixed(3),
    ...extra,
  };
  console.log(
    `${name.padEnd(30)} ${Object.entries(row)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
}

/** Commits `vectors` as records `<prefix><i>` and queues them for the index, `BATCH` per write. */
function write(store: SqliteStore, cache: IndexCache, prefix: string, vectors: Float32Array[]): void {
  for (let start = 0; start < vectors.length; start += BATCH) {
    const chunk = vectors.slice(start, start + BATCH);
    const before = store.currentSeq(MODEL.id);
    const labels = store.putRecords(
      MODEL.id,
      chunk.map((embedding, i) => ({
        id: `${prefix}${start + i}`,
        embedding,
        document: null,
        metadata: null,
        uri: null,
      })),
    );
    cache.applyLocalWrite(MODEL.id, before, store.currentSeq(MODEL.id), {
      labels,
      vectors: chunk,
      removed: [],
    });
  }
}

/** Times `search` once per query; returns milliseconds per query. */
function timeQueries(queries: Float32Array[], search: (q: Float32Array) => unknown): number[] {
  return queries.map((q) => {
    const start = process.hrtime.bigint();
    search(q);
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
}

/** Every `FILTER_EVERY`-th label among the first `n` rowids (rowids count from 1). */
function filterOf(n: number): Set<number> {
  return new Set(Array.from({ length: Math.floor(n / FILTER_EVERY) }, (_, i) => 1 + i * FILTER_EVERY));
}

async function run(pending: number): Promise<void> {
  const data = clusteredVectors(BASE + pending + Q, DIM, 100, 42);
  const queries = data.slice(BASE + pending);
  const store = new SqliteStore(':memory:');
  store.createCollection(MODEL);
  // As the engine wires it: scans of allowed sets re-score their candidates from the store's vectors.
  const factory = new HnswIndexFactory(null, { vectorsOf: (_id, labels) => store.readEmbeddings(labels) });
  const cache = new IndexCache(store, factory);
  cache.prepare(MODEL);
  write(store, cache, 'base', data.slice(0, BASE));
  await cache.settled();
  const index = cache.acquire(MODEL)!;
  const baseFilter = filterOf(BASE);
  report(
    `index alone (${BASE})`,
    timeQueries(queries, (q) => index.search(q, K)),
  );
  report(
    `  filtered 1/${FILTER_EVERY}`,
    timeQueries(queries, (q) => index.search(q, K, baseFilter)),
  );

  write(store, cache, 'pending', data.slice(BASE, BASE + pending));
  const allFilter = filterOf(BASE + pending);
  const [first] = timeQueries(queries.slice(0, 1), (q) => cache.acquire(MODEL)!.search(q, K));
  const view = timeQueries(queries, (q) => cache.acquire(MODEL)!.search(q, K));
  const filtered = timeQueries(queries, (q) => cache.acquire(MODEL)!.search(q, K, allFilter));
  report(`view, ${pending} pending`, view, { first_query_ms: first!.toFixed(3) });
  report(`  filtered 1/${FILTER_EVERY}`, filtered);
  cache.forgetAll(); // no need to index what was only written to be searched pending
  store.close();
}

console.log(
  `kbgate bench:tail: base=${BASE} dim=${DIM} space=cosine k=${K} queries=${Q} node=${process.version}`,
);
for (const pending of PENDING) await run(pending);
