/**
 * Mixed read/write load through the official chromadb client, against any Chroma-compatible server: do queries wait
 * behind writes? After loading `--n` vectors, `--clients` clients each send `--requests` requests, a quarter of
 * them adds of `--batch` new vectors and the rest queries; then the same number of queries run alone. Reports query
 * p50/p99 with and without writes, add latency and the vectors/s added under read load. Queries start once the
 * server's CPU is quiet after the load (with `--pid`), so its background indexing is not counted.
 *
 * In the mixed phase a quarter of the clients (the write share) add and the rest query, from a worker thread and the
 * main thread: like separate applications, the writers' client-side work (the chromadb client base64-encodes every
 * vector, about 6 ms per add of 100) then cannot stall the timing of queries. With `--one-loop` every client mixes
 * adds and queries on one event loop, as this benchmark first did; the client's own event loop then stalls for up
 * to 200 ms under the adds, which shows in query p99 whatever the server does.
 *
 * Usage: npm run bench:mixed -- [--url http://127.0.0.1:8000] [--pid <server pid>] [--n 20000] [--dim 384]
 *        [--clients 16] [--requests 50] [--batch 100] [--write-share 0.25] [--one-loop]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ChromaClient, type Collection } from 'chromadb';
import { clusteredVectors } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8000' },
    pid: { type: 'string' },
    n: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '384' },
    clients: { type: 'string', default: '16' },
    requests: { type: 'string', default: '50' },
    batch: { type: 'string', default: '100' },
    'write-share': { type: 'string', default: '0.25' },
    'one-loop': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const CLIENTS = Number(values.clients);
const REQUESTS = Number(values.requests);
const BATCH = Number(values.batch);
const WRITE_SHARE = Number(values['write-share']);
const PID = values.pid === undefined ? null : Number(values.pid);
const LOAD_BATCH = 5_000;

function serverCpuMs(): number | null {
  if (PID === null) return null;
  const stat = readFileSync(`/proc/${PID}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits until the server's CPU is quiet (background indexing of the load done); two seconds without `--pid`. */
async function settle(): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (PID === null) {
    await sleep(2_000);
    return;
  }
  const start = performance.now();
  let quiet = 0;
  let before = serverCpuMs() as number;
  while (quiet < 2 && performance.now() - start < 120_000) {
    await sleep(500);
    const now = serverCpuMs() as number;
    quiet = now - before < 10 ? quiet + 1 : 0;
    before = now;
  }
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Deterministic choice of which requests are writes: every request whose slot crosses the write share. */
function isWrite(client: number, request: number): boolean {
  const slot = client * REQUESTS + request;
  return Math.floor((slot + 1) * WRITE_SHARE) > Math.floor(slot * WRITE_SHARE);
}

async function load(collection: Collection, data: Float32Array[]): Promise<void> {
  for (let from = 0; from < data.length; from += LOAD_BATCH) {
    const slice = data.slice(from, from + LOAD_BATCH);
    await collection.add({
      ids: slice.map((_, j) => `id${from + j}`),
      embeddings: slice.map((v) => Array.from(v)),
      metadatas: slice.map((_, j) => ({ bucket: (from + j) % 10 })),
    });
  }
}

interface Phase {
  queries: number[];
  adds: number[];
  added: number;
  wallMs: number;
  cpuMs: number | null;
}

async function run(collection: Collection, queries: number[][], extra: Float32Array[], writes: boolean) {
  const phase: Phase = { queries: [], adds: [], added: 0, wallMs: 0, cpuMs: null };
  let nextExtra = 0;
  const cpu0 = serverCpuMs();
  const start = performance.now();
  const client = async (c: number) => {
    for (let r = 0; r < REQUESTS; r++) {
      const t = performance.now();
      if (writes && isWrite(c, r)) {
        const from = nextExtra;
        nextExtra += BATCH;
        const slice = extra.slice(from, from + BATCH);
        await collection.add({
          ids: slice.map((_, j) => `extra${from + j}`),
          embeddings: slice.map((v) => Array.from(v)),
        });
        phase.adds.push(performance.now() - t);
        phase.added += slice.length;
      } else {
        await collection.query({
          queryEmbeddings: [queries[(c * REQUESTS + r) % queries.length]!],
          nResults: 10,
        });
        phase.queries.push(performance.now() - t);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  phase.wallMs = performance.now() - start;
  const cpu1 = serverCpuMs();
  phase.cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  return phase;
}

/** What the writer thread (scripts/bench-mixed-writer.mjs) is given, and what it reports back. */
interface WriterJob {
  url: string;
  name: string;
  writers: number;
  adds: number;
  batch: number;
  extra: Float32Array[];
}
interface WriterReport {
  adds: number[];
  added: number;
}

/**
 * The mixed phase with writers apart: the same requests as {@link run} (queries and adds in the same proportion, as
 * many clients), the adds sent by a quarter of the clients from a worker thread, the queries by the rest from here.
 */
async function runApart(collection: Collection, name: string, queries: number[][], extra: Float32Array[]) {
  const total = CLIENTS * REQUESTS;
  const adds = Array.from({ length: total }, (_, i) =>
    isWrite(Math.floor(i / REQUESTS), i % REQUESTS),
  ).filter(Boolean).length;
  const writers = Math.max(1, Math.round(CLIENTS * WRITE_SHARE));
  const job: WriterJob = { url: values.url, name, writers, adds, batch: BATCH, extra };
  const phase: Phase = { queries: [], adds: [], added: 0, wallMs: 0, cpuMs: null };
  const cpu0 = serverCpuMs();
  const start = performance.now();
  const worker = new Worker(new URL('./bench-mixed-writer.mjs', import.meta.url), { workerData: job });
  const written = new Promise<WriterReport>((resolve, reject) => {
    worker.once('message', (report: WriterReport) => resolve(report));
    worker.once('error', reject);
  });
  let next = 0;
  const reader = async () => {
    for (let q = next++; q < total - adds; q = next++) {
      const t = performance.now();
      await collection.query({ queryEmbeddings: [queries[q % queries.length]!], nResults: 10 });
      phase.queries.push(performance.now() - t);
    }
  };
  const [report] = await Promise.all([written, ...Array.from({ length: CLIENTS - writers }, reader)]);
  phase.wallMs = performance.now() - start;
  const cpu1 = serverCpuMs();
  phase.cpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  phase.adds = report.adds;
  phase.added = report.added;
  await worker.terminate();
  return phase;
}

function describe(name: string, phase: Phase) {
  return {
    phase: name,
    query_p50_ms: percentile(phase.queries, 50).toFixed(1),
    query_p99_ms: percentile(phase.queries, 99).toFixed(1),
    queries: phase.queries.length,
    add_p50_ms: phase.adds.length ? percentile(phase.adds, 50).toFixed(1) : '-',
    add_p99_ms: phase.adds.length ? percentile(phase.adds, 99).toFixed(1) : '-',
    vectors_added_per_s: phase.added ? ((phase.added * 1000) / phase.wallMs).toFixed(0) : '-',
    server_cpu_s: phase.cpuMs === null ? '-' : (phase.cpuMs / 1000).toFixed(1),
  };
}

async function main(): Promise<void> {
  const url = new URL(values.url);
  const client = new ChromaClient({ host: url.hostname, port: Number(url.port || 80), ssl: false });
  const writesPerRun = Array.from({ length: CLIENTS * REQUESTS }, (_, i) =>
    isWrite(Math.floor(i / REQUESTS), i % REQUESTS),
  ).filter(Boolean).length;
  const all = clusteredVectors(N + writesPerRun * BATCH + 200, DIM, 100, 42);
  const data = all.slice(0, N);
  const extra = all.slice(N, N + writesPerRun * BATCH);
  const queries = all.slice(N + writesPerRun * BATCH).map((v) => Array.from(v));
  const name = `bench-mixed-${Date.now()}`;
  const collection = await client.createCollection({
    name,
    configuration: { hnsw: { space: 'cosine' } },
    embeddingFunction: null,
  });
  try {
    await load(collection, data);
    await settle();
    for (let i = 0; i < 20; i++) await collection.query({ queryEmbeddings: [queries[i]!], nResults: 10 });
    const readsOnly = await run(collection, queries, extra, false);
    const mixed = values['one-loop']
      ? await run(collection, queries, extra, true)
      : await runApart(collection, name, queries, extra);
    const rows = [
      describe('queries alone', readsOnly),
      describe(`queries + ${WRITE_SHARE * 100}% adds`, mixed),
    ];
    console.table(rows);
    const ratio = percentile(mixed.queries, 99) / percentile(readsOnly.queries, 99);
    console.log(
      JSON.stringify({
        url: values.url,
        n: N,
        clients: CLIENTS,
        batch: BATCH,
        writers: values['one-loop'] ? 'one loop' : 'worker thread',
        p99_ratio: ratio,
        rows,
      }),
    );
  } finally {
    await client.deleteCollection({ name });
  }
}

await main();
