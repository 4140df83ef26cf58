/**
 * In-process engine benchmark: insert rate, query latency and QPS, recall@10 and a 10%-selective filtered query,
 * with raw hnswlib-node (the build the engine loads, see src/vector/hnswlib-binding.ts) and an exact scan measured
 * beside the engine in the same run.
 *
 * Usage: npm run bench -- [--n 100000] [--dim 384] [--queries 300] [--batch 1000]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hnswlib, hnswlibVariant } from '../src/vector/hnswlib-binding.js';
import { PersistentClient } from '../src/client.js';
import { BruteForceIndex } from '../src/vector/brute-force-index.js';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '300' },
    batch: { type: 'string', default: '1000' },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const Q = Number(values.queries);
const BATCH = Number(values.batch);
const K = 10;
const BUCKETS = 10;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function recall(found: number[][], truth: number[][]): number {
  let hits = 0;
  let total = 0;
  found.forEach((row, i) => {
    const want = new Set(truth[i]);
    total += want.size;
    hits += row.filter((x) => want.has(x)).length;
  });
  return total === 0 ? 1 : hits / total;
}

function report(name: string, latencies: number[], extra: Record<string, string | number> = {}): void {
  const total = latencies.reduce((a, b) => a + b, 0);
  const row = {
    p50_ms: percentile(latencies, 50).toFixed(3),
    p99_ms: percentile(latencies, 99).toFixed(3),
    qps: (latencies.length / (total / 1000)).toFixed(0),
    ...extra,
  };
  console.log(
    `${name.padEnd(28)} ${Object.entries(row)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
}

// Queries are held-out points of the same distribution, as real questions resemble the documents.
const generated = clusteredVectors(N + Q, DIM, 100, 42);
const vectors = generated.slice(0, N);
const queries = generated.slice(N);
const bucketOf = (i: number) => i % BUCKETS;
console.log(
  `kbgate bench: n=${N} dim=${DIM} queries=${Q} space=cosine k=${K} node=${process.version} hnswlib=${hnswlibVariant.variant}`,
);

// Exact oracle.
const exact = new BruteForceIndex(DIM, 'cosine');
exact.upsert(
  vectors.map((_, i) => i + 1),
  vectors,
);
const truth: number[][] = [];
const exactLat: number[] = [];
for (const q of queries) exactLat.push(await time(() => truth.push(exact.search(q, K).labels)));
const allowed = new Set(vectors.map((_, i) => i + 1).filter((l) => bucketOf(l - 1) === 3));
const filteredTruth: number[][] = [];
const exactFilteredLat: number[] = [];
for (const q of queries) {
  exactFilteredLat.push(await time(() => filteredTruth.push(exact.search(q, K, allowed).labels)));
}

// Raw hnswlib-node with the same parameters.
const raw = new hnswlib.HierarchicalNSW('cosine', DIM);
raw.initIndex(N, 16, 100, 100);
const rawInsertMs = await time(() => vectors.forEach((v, i) => raw.addPoint(Array.from(v), i + 1)));
raw.setEf(100);
const rawLat: number[] = [];
const rawFound: number[][] = [];
for (const q of queries) {
  const arr = Array.from(q);
  rawLat.push(await time(() => rawFound.push(raw.searchKnn(arr, K).neighbors)));
}

// The engine, through the public client, on a data directory.
const rssBeforeEngine = process.memoryUsage().rss;
const dir = mkdtempSync(join(tmpdir(), 'kbgate-bench-'));
const client = new PersistentClient({ path: dir });
const col = await client.createCollection({ name: 'bench', configuration: { hnsw: { space: 'cosine' } } });
const insertMs = await time(async () => {
  for (let start = 0; start < N; start += BATCH) {
    const slice = vectors.slice(start, start + BATCH);
    await col.add({
      ids: slice.map((_, j) => `id${start + j + 1}`),
      embeddings: slice,
      metadatas: slice.map((_, j) => ({ bucket: bucketOf(start + j) })),
    });
  }
  await client.engine.indexesSettled(); // writes are acknowledged first and indexed in slices: count until indexed
});
const toLabels = (ids: string[][]) => ids.map((row) => row.map((id) => Number(id.slice(2))));
// Warm up (statement caches, the first search's allocations).
await col.query({ queryEmbeddings: [queries[0] as Float32Array], nResults: K });
const engineLat: number[] = [];
const engineFound: number[][] = [];
for (const q of queries) {
  engineLat.push(
    await time(async () => {
      const r = await col.query({ queryEmbeddings: [q], nResults: K, include: ['distances'] });
      engineFound.push(...toLabels(r.ids));
    }),
  );
}
const filteredLat: number[] = [];
const filteredFound: number[][] = [];
for (const q of queries) {
  filteredLat.push(
    await time(async () => {
      const r = await col.query({
        queryEmbeddings: [q],
        nResults: K,
        where: { bucket: 3 },
        include: ['distances'],
      });
      filteredFound.push(...toLabels(r.ids));
    }),
  );
}
const rssWithEngine = process.memoryUsage().rss;
const reopenMs = await time(async () => {
  client.close();
  const again = new PersistentClient({ path: dir });
  const c = await again.getCollection({ name: 'bench' });
  await c.query({ queryEmbeddings: [queries[0] as Float32Array], nResults: 1 });
  again.close();
});
const diskBytes = directoryBytes(dir);
rmSync(dir, { recursive: true, force: true });

console.log(
  `insert: engine ${(N / (insertMs / 1000)).toFixed(0)} vectors/s (batches of ${BATCH}, SQLite + HNSW)`,
);
console.log(`insert: raw hnswlib-node ${(N / (rawInsertMs / 1000)).toFixed(0)} vectors/s (index only)`);
report('query engine', engineLat, { recall10: recall(engineFound, truth).toFixed(4) });
report('query raw hnswlib-node', rawLat, { recall10: recall(rawFound, truth).toFixed(4) });
report('query exact scan', exactLat, { recall10: '1.0000' });
report('filtered 10% engine', filteredLat, { recall10: recall(filteredFound, filteredTruth).toFixed(4) });
report('filtered 10% exact scan', exactFilteredLat, { recall10: '1.0000' });
console.log(`ratio query p50 engine/raw: ${(percentile(engineLat, 50) / percentile(rawLat, 50)).toFixed(2)}`);
console.log(`close + reopen + first query: ${reopenMs.toFixed(0)} ms`);
console.log(
  `rss: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB (oracle, raw index and engine together)`,
);
console.log(
  `engine: +${((rssWithEngine - rssBeforeEngine) / 1e6).toFixed(0)} MB resident after inserting and querying, ` +
    `${(diskBytes / 1e6).toFixed(0)} MB on disk (database and saved index)`,
);

/** Bytes of the files under a directory. */
function directoryBytes(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce((sum, entry) => {
    const full = join(path, entry.name);
    return sum + (entry.isDirectory() ? directoryBytes(full) : statSync(full).size);
  }, 0);
}
