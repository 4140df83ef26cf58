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
 * Given several servers (`--url` and `--pid` repeated, in the same order), it measures them side by side in one run:
 * each loads its own collection in turn, then every query phase runs in blocks of `--block` queries that alternate
 * between the servers, each server's CPU read around its own blocks only. A stretch of noise from other work on the
 * machine then falls on every server alike instead of on whichever was being measured at the time; one summary line
 * per server is printed, in the order given.
 *
 * Usage: npm run bench:http -- [--url http://127.0.0.1:8000] [--pid <server pid>] [--n 100000] [--dim 384]
 *        [--queries 500] [--warmup 3000] [--concurrency 16] [--block 100] [--token <token>] [--keep]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChromaClient, type Collection } from 'chromadb';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', multiple: true, default: ['http://127.0.0.1:8000'] },
    pid: { type: 'string', multiple: true },
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    block: { type: 'string', default: '100' },
    clusters: { type: 'string', default: '100' },
    token: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const Q = Number(values.queries);
const CONCURRENCY = Number(values.concurrency);
/** Queries per block when several servers take turns (see the module's remarks). */
const BLOCK = Number(values.block);
const PIDS = (values.pid ?? []).map(Number);
if (PIDS.length > 0 && PIDS.length !== values.url.length)
  throw new Error('give one --pid per --url, or none');
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

/** One server under test, with its collection once created. */
interface Target {
  url: string;
  /** Its process id, for CPU time and resident memory; null without --pid. */
  pid: number | null;
  client: ChromaClient;
  collection?: Collection;
}

/** Server CPU milliseconds (user + system) so far, from /proc/<pid>/stat; null without a pid. */
function serverCpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function serverRssMb(pid: number | null): number | null {
  if (pid === null) return null;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? Number(line[1]) / 1024 : null;
}

/**
 * Waits until the server has finished the background work inserts left (kbgate and Chroma both index after they
 * acknowledge a write), so that work is not counted as query time: with `--pid`, until its CPU stays under
 * {@link SETTLE_CPU_MS} per interval {@link SETTLE_QUIET_INTERVALS} times in a row; without, two seconds.
 */
async function settle(pid: number | null): Promise<number> {
  const start = performance.now();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (pid === null) {
    await sleep(2_000);
    return performance.now() - start;
  }
  let quiet = 0;
  let before = serverCpuMs(pid) as number;
  while (quiet < SETTLE_QUIET_INTERVALS && performance.now() - start < SETTLE_TIMEOUT_MS) {
    await sleep(SETTLE_INTERVAL_MS);
    const now = serverCpuMs(pid) as number;
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

interface Driven {
  /** Per-operation latencies, ms. */
  latencies: number[];
  /** Wall time spent on these operations, ms. */
  wallMs: number;
  /** Server CPU ms per operation; null without a pid. */
  cpuPerOp: number | null;
}

/**
 * Runs operations `from` to `to` - 1 with `concurrency` in flight against one server; adds their latencies, wall
 * time and the server's CPU time to `into`.
 */
async function driveRange(
  target: Target,
  from: number,
  to: number,
  concurrency: number,
  op: (target: Target, i: number) => Promise<unknown>,
  into: { latencies: number[]; wallMs: number; cpuMs: number | null },
): Promise<void> {
  let next = from;
  const cpu0 = serverCpuMs(target.pid);
  const start = performance.now();
  const worker = async () => {
    for (let i = next++; i < to; i = next++) {
      const t = performance.now();
      await op(target, i);
      into.latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  into.wallMs += performance.now() - start;
  const cpu1 = serverCpuMs(target.pid);
  into.cpuMs = cpu0 === null || cpu1 === null || into.cpuMs === null ? null : into.cpuMs + cpu1 - cpu0;
}

/**
 * Runs `count` operations against every server, with `concurrency` in flight: one server alone in one go; several in
 * blocks of {@link BLOCK} that alternate between them (see the module's remarks). Returns each server's figures.
 */
async function drive(
  targets: Target[],
  count: number,
  concurrency: number,
  op: (target: Target, i: number) => Promise<unknown>,
): Promise<Driven[]> {
  const sums = targets.map(() => ({ latencies: [] as number[], wallMs: 0, cpuMs: 0 as number | null }));
  const block = targets.length === 1 ? count : BLOCK;
  for (let from = 0, turn = 0; from < count; from += block, turn++) {
    const to = Math.min(count, from + block);
    // Who goes first alternates from block to block.
    for (let k = 0; k < targets.length; k++) {
      const t = (k + turn) % targets.length;
      await driveRange(targets[t] as Target, from, to, concurrency, op, sums[t] as (typeof sums)[number]);
    }
  }
  return sums.map((s) => ({
    latencies: s.latencies,
    wallMs: s.wallMs,
    cpuPerOp: s.cpuMs === null ? null : s.cpuMs / count,
  }));
}

function row(name: string, r: Driven, extra: Record<string, string> = {}) {
  return {
    phase: name,
    p50_ms: percentile(r.latencies, 50).toFixed(2),
    p99_ms: percentile(r.latencies, 99).toFixed(2),
    per_s: ((r.latencies.length * 1000) / r.wallMs).toFixed(0),
    server_cpu_ms_per_op: r.cpuPerOp === null ? '-' : r.cpuPerOp.toFixed(2),
    ...extra,
  };
}

/** Loads one server's collection in batches of `batch`; the insert row. */
async function insert(target: Target, data: Float32Array[], batch: number) {
  const batches = Math.ceil(data.length / batch);
  const collection = target.collection as Collection;
  const [r] = await drive([target], batches, 1, (_, b) => {
    const from = b * batch;
    const slice = data.slice(from, from + batch);
    return collection.add({
      ids: slice.map((_, j) => `id${from + j}`),
      embeddings: slice.map((v) => Array.from(v)),
      metadatas: slice.map((_, j) => ({ bucket: (from + j) % BUCKETS })),
    });
  });
  const { latencies, wallMs, cpuPerOp } = r as Driven;
  const perVector = cpuPerOp === null ? '-' : (cpuPerOp / batch).toFixed(3);
  return {
    phase: `insert ${data.length} x ${DIM} (batches of ${batch})`,
    p50_ms: percentile(latencies, 50).toFixed(1),
    p99_ms: percentile(latencies, 99).toFixed(1),
    per_s: ((data.length * 1000) / wallMs).toFixed(0),
    server_cpu_ms_per_op: `${perVector} per vector`,
  };
}

function clientFor(address: string): ChromaClient {
  const url = new URL(address);
  return new ChromaClient({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    ssl: url.protocol === 'https:',
    headers: values.token ? { 'x-chroma-token': values.token } : undefined,
  });
}

async function main(): Promise<void> {
  const targets: Target[] = values.url.map((url, i) => ({
    url,
    pid: PIDS[i] ?? null,
    client: clientFor(url),
  }));
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
  const name = `bench-http-${Date.now()}`;
  const rows: Record<string, string>[][] = targets.map(() => []);
  const addRows = (
    phase: string,
    results: Driven[],
    extra: (t: number) => Record<string, string> = () => ({}),
  ) => results.forEach((r, t) => rows[t]?.push(row(phase, r, extra(t))));
  const rss: (number | null)[] = targets.map(() => null);
  try {
    // Each server loads and settles in turn: an insert phase is long, and its rate is a figure of its own.
    for (const [t, target] of targets.entries()) {
      const batch = Math.min(await target.client.getMaxBatchSize(), 5000);
      target.collection = await target.client.createCollection({
        name,
        configuration: { hnsw: { space: 'cosine' } },
        embeddingFunction: null,
      });
      const inserted = await insert(target, data, batch);
      rows[t]?.push({ ...inserted, settled_after_ms: (await settle(target.pid)).toFixed(0) });
    }
    const query = (where: boolean) => (target: Target, i: number) =>
      queryOne(
        target.collection as Collection,
        queries,
        i % Q,
        where ? { bucket: bucketOf(i % Q) } : undefined,
      );
    addRows('cold: query, 1 client', await drive(targets, Q, 1, query(false)));
    addRows('cold: query, 10% filter, 1 client', await drive(targets, Q, 1, query(true)));
    await drive(targets, WARMUP, CONCURRENCY, query(false));
    await drive(targets, WARMUP, CONCURRENCY, query(true));
    const found: string[][][] = targets.map(() => []);
    const single = await drive(targets, Q, 1, async (target, i) => {
      const res = await (target.collection as Collection).query({
        queryEmbeddings: [queries[i] as number[]],
        nResults: K,
      });
      (found[targets.indexOf(target)] as string[][])[i] = res.ids[0] ?? [];
    });
    addRows('query, 1 client', single, (t) => ({ recall_at_10: recallAt(found[t] ?? [], truth).toFixed(4) }));
    addRows(`query, ${CONCURRENCY} in flight`, await drive(targets, Q, CONCURRENCY, query(false)));
    const filteredFound: string[][][] = targets.map(() => []);
    const filtered = await drive(targets, Q, 1, async (target, i) => {
      const res = await (target.collection as Collection).query({
        queryEmbeddings: [queries[i] as number[]],
        nResults: K,
        where: { bucket: bucketOf(i) },
      });
      (filteredFound[targets.indexOf(target)] as string[][])[i] = res.ids[0] ?? [];
    });
    addRows('query, 10% filter, 1 client', filtered, (t) => ({
      recall_at_10: recallAt(filteredFound[t] ?? [], filteredTruth).toFixed(4),
    }));
    addRows(`query, 10% filter, ${CONCURRENCY} in flight`, await drive(targets, Q, CONCURRENCY, query(true)));
    targets.forEach((target, t) => (rss[t] = serverRssMb(target.pid)));
  } finally {
    if (!values.keep) {
      for (const target of targets) if (target.collection) await target.client.deleteCollection({ name });
    }
  }
  targets.forEach((target, t) => {
    if (targets.length > 1) console.log(target.url);
    console.table(rows[t]);
  });
  for (const [t, target] of targets.entries()) {
    console.log(
      JSON.stringify({
        url: target.url,
        n: N,
        dim: DIM,
        queries: Q,
        server_rss_mb: rss[t]?.toFixed(0) ?? null,
        rows: rows[t],
      }),
    );
  }
}

function queryOne(collection: Collection, queries: number[][], i: number, where?: Record<string, number>) {
  return collection.query({
    queryEmbeddings: [queries[i] as number[]],
    nResults: K,
    ...(where ? { where } : {}),
  });
}

await main();
