/**
 * HTTP benchmark through the official chromadb client, against any Chroma-compatible server: insert rate, query
 * latency (single client) and QPS (16 in flight), recall@10 against an exact scan, and a 10%-selective filtered query.
 * With `--pid`, the server's CPU time per operation and its resident memory are read from /proc. Queries start once
 * the server has finished indexing what was inserted (`settled_after_ms`: its CPU quiet, read from /proc).
 *
 * The first queries after the load are measured as they come (rows starting `cold:`); the main rows follow
 * `--warmup` queries of each kind, so they give the steady state of a server that has been answering for a while.
 * A fresh Node process runs its code in V8's interpreter and baseline tiers at first and reaches optimized code for
 * the whole request path only after about 3,000 requests (its CPU per query halves over them); Chroma's native code
 * has no such warm-up. Both servers get the same queries in the same order.
 *
 * Usage: npm run bench:http -- [--url http://127.0.0.1:8000] [--pid <server pid>] [--n 100000] [--dim 384]
 *        [--queries 500] [--warmup 3000] [--concurrency 16] [--token <token>] [--keep]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChromaClient, type Collection } from 'chromadb';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    pid: { type: 'string' },
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    clusters: { type: 'string', default: '100' },
    token: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const Q = Number(values.queries);
const CONCURRENCY = Number(values.concurrency);
const PID = values.pid === undefined ? null : Number(values.pid);
const K = 10;
const BUCKETS = 10;
const CLOCK_TICKS = 100;
/**
 * Queries of each kind (unfiltered, filtered) run, with {@link CONCURRENCY} in flight, between the cold rows and the
 * measured ones, so neither lazy index loading nor a cold JIT (kbgate) or cold caches (Chroma) count as query time:
 * both servers are measured in their steady state.
 */
const WARMUP = Number(values.warmup);
/** Consecutive quiet intervals that make a server settled: three seconds, longer than kbgate's two-second wait
 * before it collects garbage after a bulk load. */
const SETTLE_QUIET_INTERVALS = 6;
/** A server using less CPU than this per {@link SETTLE_INTERVAL_MS} is done with background work (indexing). */
const SETTLE_CPU_MS = 50;
const SETTLE_INTERVAL_MS = 500;
const SETTLE_TIMEOUT_MS = 120_000;

/** Server CPU milliseconds (user + system) so far, from /proc/<pid>/stat; null without --pid. */
function serverCpuMs(): number | null {
  if (PID === null) return null;
  const stat = readFileSync(`/proc/${PID}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function serverRssMb(): number | null {
  if (PID === null) return null;
  const line = readFileSync(`/proc/${PID}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : null;
}

/**
 * Waits until the server has finished the background work inserts left (kbgate and Chroma both index after they
 * acknowledge a write), so that work is not counted as query time: with `--pid`, until its CPU stays under
 * {@link SETTLE_CPU_MS} per interval {@link SETTLE_QUIET_INTERVALS} times in a row; without, two seconds.
 */
async function settle(): Promise<number> {
  const start = performance.now();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (PID === null) {
    await sleep(2_000);
    return performance.now() - start;
  }
  let quiet = 0;
  let before = serverCpuMs() as number;
  while (quiet < SETTLE_QUIET_INTERVALS && performance.now() - start < SETTLE_TIMEOUT_MS) {
    await sleep(SETTLE_INTERVAL_MS);
    const now = serverCpuMs() as number;
    quiet = now - before < SETTLE_CPU_MS ? quiet + 1 : 0;
    before = now;
  }
  return performance.now() - start;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = 1 / Math.sqrt(s || 1);
  return v.map((x) => x * inv);
}

/** Exact cosine top-k over the inserted vectors (optionally only those passing `allow`): the recall oracle. */
function exactTopK(
  data: Float32Array[],
  query: Float32Array,
  k: number,
  allow?: (i: number) => boolean,
): string[] {
  const q = normalize(query);
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < data.length; i++) {
    if (allow && !allow(i)) continue;
    const v = data[i] as Float32Array;
    let s = 0;
    for (let j = 0; j < v.length; j++) s += (v[j] as number) * (q[j] as number);
    if (best.length < k || s > (best[best.length - 1] as { s: number }).s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => `id${b.i}`);
}

function recallAt(found: string[][], truth: string[][]): number {
  let hits = 0;
  let total = 0;
  found.forEach((row, i) => {
    const want = new Set(truth[i]);
    total += want.size;
    hits += row.filter((id) => want.has(id)).length;
  });
  return total === 0 ? 1 : hits / total;
}

/** Runs `count` operations with `concurrency` in flight; returns per-operation latencies (ms) and wall time. */
async function drive(count: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = serverCpuMs();
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - start;
  const cpu1 = serverCpuMs();
  const cpuPerOp = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / count;
  return { latencies, wallMs, cpuPerOp };
}

function row(name: string, r: Awaited<ReturnType<typeof drive>>, extra: Record<string, string> = {}) {
  return {
    phase: name,
    p50_ms: percentile(r.latencies, 50).toFixed(2),
    p99_ms: percentile(r.latencies, 99).toFixed(2),
    per_s: ((r.latencies.length * 1000) / r.wallMs).toFixed(0),
    server_cpu_ms_per_op: r.cpuPerOp === null ? '-' : r.cpuPerOp.toFixed(2),
    ...extra,
  };
}

async function insert(collection: Collection, data: Float32Array[], batch: number) {
  const batches = Math.ceil(data.length / batch);
  const r = await drive(batches, 1, (b) => {
    const from = b * batch;
    const slice = data.slice(from, from + batch);
    return collection.add({
      ids: slice.map((_, j) => `id${from + j}`),
      embeddings: slice.map((v) => Array.from(v)),
      metadatas: slice.map((_, j) => ({ bucket: (from + j) % BUCKETS })),
    });
  });
  const perVector = r.cpuPerOp === null ? '-' : (r.cpuPerOp / batch).toFixed(3);
  return {
    phase: `insert ${data.length} x ${DIM} (batches of ${batch})`,
    p50_ms: percentile(r.latencies, 50).toFixed(1),
    p99_ms: percentile(r.latencies, 99).toFixed(1),
    per_s: ((data.length * 1000) / r.wallMs).toFixed(0),
    server_cpu_ms_per_op: `${perVector} per vector`,
  };
}

async function main(): Promise<void> {
  const url = new URL(values.url);
  const client = new ChromaClient({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ssl: url.protocol === 'https:',
    headers: values.token ? { 'x-chroma-token': values.token } : undefined,
  });
  const all = clusteredVectors(N + Q, DIM, Number(values.clusters), 42);
  const data = all.slice(0, N);
  const queries = all.slice(N).map((v) => Array.from(v));
  const bucketOf = (i: number) => i % BUCKETS;
  // The exact oracle runs before any connection is opened: a long synchronous computation would otherwise leave
  // pooled keep-alive sockets closed by the server but not yet noticed by the client.
  const unit = data.map(normalize);
  const truth = queries.map((q) => exactTopK(unit, Float32Array.from(q), K));
  const filteredTruth = queries.map((q, i) =>
    exactTopK(unit, Float32Array.from(q), K, (j) => j % BUCKETS === bucketOf(i)),
  );
  const batch = Math.min(await client.getMaxBatchSize(), 5000);
  const name = `bench-http-${Date.now()}`;
  const collection = await client.createCollection({
    name,
    configuration: { hnsw: { space: 'cosine' } },
    embeddingFunction: null,
  });
  const rows: Record<string, string>[] = [];
  let rss: number | null = null;
  try {
    rows.push(await insert(collection, data, batch));
    const settledMs = await settle();
    rows[0]!.settled_after_ms = settledMs.toFixed(0);
    rows.push(row('cold: query, 1 client', await drive(Q, 1, (i) => queryOne(collection, queries, i))));
    rows.push(
      row(
        'cold: query, 10% filter, 1 client',
        await drive(Q, 1, (i) => queryOne(collection, queries, i, { bucket: bucketOf(i) })),
      ),
    );
    await drive(WARMUP, CONCURRENCY, (i) => queryOne(collection, queries, i % Q));
    await drive(WARMUP, CONCURRENCY, (i) =>
      queryOne(collection, queries, i % Q, { bucket: bucketOf(i % Q) }),
    );
    const found: string[][] = [];
    const single = await drive(Q, 1, async (i) => {
      const res = await collection.query({ queryEmbeddings: [queries[i] as number[]], nResults: K });
      found[i] = res.ids[0] ?? [];
    });
    rows.push(row('query, 1 client', single, { recall_at_10: recallAt(found, truth).toFixed(4) }));
    rows.push(
      row(
        `query, ${CONCURRENCY} in flight`,
        await drive(Q, CONCURRENCY, (i) => queryOne(collection, queries, i)),
      ),
    );
    const filteredFound: string[][] = [];
    const filtered = await drive(Q, 1, async (i) => {
      const res = await collection.query({
        queryEmbeddings: [queries[i] as number[]],
        nResults: K,
        where: { bucket: bucketOf(i) },
      });
      filteredFound[i] = res.ids[0] ?? [];
    });
    rows.push(
      row('query, 10% filter, 1 client', filtered, {
        recall_at_10: recallAt(filteredFound, filteredTruth).toFixed(4),
      }),
    );
    rows.push(
      row(
        `query, 10% filter, ${CONCURRENCY} in flight`,
        await drive(Q, CONCURRENCY, (i) => queryOne(collection, queries, i, { bucket: bucketOf(i) })),
      ),
    );
    rss = serverRssMb();
  } finally {
    if (!values.keep) await client.deleteCollection({ name });
  }
  console.table(rows);
  console.log(
    JSON.stringify({
      url: values.url,
      n: N,
      dim: DIM,
      queries: Q,
      server_rss_mb: rss?.toFixed(0) ?? null,
      rows,
    }),
  );
}

function queryOne(collection: Collection, queries: number[][], i: number, where?: Record<string, number>) {
  return collection.query({
    queryEmbeddings: [queries[i] as number[]],
    nResults: K,
    ...(where ? { where } : {}),
  });
}

await main();
