/**
 * Vector layer benchmark: raw hnswlib-node vs HnswIndex vs BruteForceIndex on clustered vectors (cosine), reporting
 * insert rate, query p50/p99 and QPS, recall@10 against the exact oracle, and a 10%-selective filtered query.
 *
 * Usage: tsx scripts/bench-vector.ts [--n 100000] [--dim 384] [--queries 200] [--seed 1]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hnswlib, hnswlibVariant } from '../src/vector/hnswlib-binding.js';
import type { VectorHits } from '../src/engine/ports.js';
import type { HnswParams } from '../src/engine/types.js';
import { BruteForceIndex } from '../src/vector/brute-force-index.js';
import { HnswIndexFactory } from '../src/vector/hnsw-index-factory.js';
import { HnswIndex } from '../src/vector/hnsw-index.js';
import { clusteredVectors, sampleDistinct } from '../test/helpers/random-data.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});
const N = Number(values.n);
const DIM = Number(values.dim);
const Q = Number(values.queries);
const SEED = Number(values.seed);
const K = 10;
const BATCH = 1000;
const PARAMS: HnswParams = { space: 'cosine', efConstruction: 100, efSearch: 100, maxNeighbors: 16 };

type Search = (query: Float32Array) => number[];

type Latency = {
  p50: number;
  p99: number;
  qps: number;
};

/** Per-query latency percentiles (ms) and throughput, after a short warm-up. */
function measureQueries(queries: Float32Array[], search: Search): Latency {
  for (const q of queries.slice(0, 10)) search(q);
  const times: number[] = [];
  const start = performance.now();
  for (const q of queries) {
    const t = performance.now();
    search(q);
    times.push(performance.now() - t);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  const at = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { p50: at(0.5), p99: at(0.99), qps: (queries.length / total) * 1000 };
}

/** Mean fraction of the exact top k that `search` returns. */
function recall(queries: Float32Array[], truth: number[][], search: Search): number {
  let hits = 0;
  let total = 0;
  queries.forEach((q, i) => {
    const expected = new Set(truth[i]);
    hits += search(q).filter((label) => expected.has(label)).length;
    total += expected.size;
  });
  return hits / total;
}

/** Milliseconds that `fn` takes. */
function timeMs(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function row(name: string, fields: Record<string, string | number>): void {
  const cells = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : v}`);
  console.log(`${name.padEnd(34)} ${cells.join('  ')}`);
}

function round(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}

const labelsOf = (hits: VectorHits): number[] => hits.labels;

function benchRaw(
  vectors: Float32Array[],
  labels: number[],
  queries: Float32Array[],
  truth: number[][],
): void {
  const graph = new hnswlib.HierarchicalNSW('cosine', DIM);
  graph.initIndex({ maxElements: N, m: PARAMS.maxNeighbors, efConstruction: PARAMS.efConstruction });
  graph.setEf(PARAMS.efSearch);
  const point = new Array<number>(DIM);
  const toArray = (v: Float32Array): number[] => {
    for (let j = 0; j < DIM; j++) point[j] = v[j]!;
    return point;
  };
  const insertMs = timeMs(() => vectors.forEach((v, i) => graph.addPoint(toArray(v), labels[i]!)));
  const arrays = queries.map((q) => Array.from(q));
  const byQuery = new Map(queries.map((q, i) => [q, arrays[i]!]));
  const search: Search = (q) => graph.searchKnn(byQuery.get(q)!, K).neighbors;
  row('raw hnswlib-node', { 'insert/s': (N / insertMs) * 1000, ...measureQueries(queries, search) });
  row('  recall@10', { recall: recall(queries, truth, search) });
}

function benchHnswIndex(
  vectors: Float32Array[],
  labels: number[],
  queries: Float32Array[],
  oracle: BruteForceIndex,
): void {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-bench-vector-'));
  try {
    const factory = new HnswIndexFactory(dir);
    const collection = { id: 'bench', hnsw: PARAMS } as Parameters<HnswIndexFactory['open']>[0];
    const index = factory.open(collection, DIM);
    const insertMs = timeMs(() => {
      for (let i = 0; i < N; i += BATCH)
        index.upsert(labels.slice(i, i + BATCH), vectors.slice(i, i + BATCH));
    });
    const truth = queries.map((q) => oracle.search(q, K).labels);
    const search: Search = (q) => labelsOf(index.search(q, K));
    row('HnswIndex', { 'insert/s': (N / insertMs) * 1000, ...measureQueries(queries, search) });
    row('  recall@10', { recall: recall(queries, truth, search) });
    benchFiltered(index, labels, queries, oracle, 0.1);
    benchFiltered(index, labels, queries, oracle, 0.01);
    benchGraphFiltered(vectors, labels, queries, oracle);
    index.appliedSeq = 1;
    const saveMs = timeMs(() => index.save());
    let reopened: HnswIndex | undefined;
    const loadMs = timeMs(() => (reopened = factory.open(collection, DIM)));
    row('  persistence', { 'save ms': saveMs, 'load ms': loadMs, 'loaded size': reopened?.size ?? 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchFiltered(
  index: HnswIndex,
  labels: number[],
  queries: Float32Array[],
  oracle: BruteForceIndex,
  selectivity: number,
): void {
  const allowed = new Set(sampleDistinct(labels, Math.round(N * selectivity), SEED + 1));
  const truth = queries.map((q) => oracle.search(q, K, allowed).labels);
  const search: Search = (q) => labelsOf(index.search(q, K, allowed));
  const name = `  filtered ${selectivity * 100}% (allowed set)`;
  row(name, { ...measureQueries(queries, search), recall: recall(queries, truth, search) });
  const exact: Search = (q) => labelsOf(oracle.search(q, K, allowed));
  row(`    exact scan of the same set`, measureQueries(queries, exact));
}

/** The filtered graph walk alone (exact scans disabled), on a half-size index to keep the run short. */
function benchGraphFiltered(
  vectors: Float32Array[],
  labels: number[],
  queries: Float32Array[],
  oracle: BruteForceIndex,
): void {
  const half = Math.floor(N / 2);
  const graphOnly = HnswIndex.create(DIM, PARAMS, null, { exactScanFactor: 0 });
  graphOnly.upsert(labels.slice(0, half), vectors.slice(0, half));
  const allowed = new Set(sampleDistinct(labels.slice(0, half), Math.round(half * 0.1), SEED + 2));
  const truth = queries.map((q) => oracle.search(q, K, allowed).labels);
  const search: Search = (q) => labelsOf(graphOnly.search(q, K, allowed));
  row(`  graph walk only, n=${half}, 10%`, {
    ...measureQueries(queries, search),
    recall: recall(queries, truth, search),
  });
}

function benchBruteForce(
  vectors: Float32Array[],
  labels: number[],
  queries: Float32Array[],
): BruteForceIndex {
  const oracle = new BruteForceIndex(DIM, 'cosine');
  const insertMs = timeMs(() => oracle.upsert(labels, vectors));
  const search: Search = (q) => labelsOf(oracle.search(q, K));
  row('BruteForceIndex (exact)', {
    'insert/s': (N / insertMs) * 1000,
    ...measureQueries(queries.slice(0, 50), search),
  });
  return oracle;
}

function main(): void {
  console.log(
    `bench-vector: n=${N} dim=${DIM} queries=${Q} k=${K} cosine M=16 efC=100 ef=100 seed=${SEED} hnswlib=${hnswlibVariant.variant}`,
  );
  const generated = clusteredVectors(N + Q, DIM, 100, SEED, { latentDim: 64 });
  const vectors = generated.slice(0, N);
  const queries = generated.slice(N);
  const labels = vectors.map((_, i) => i + 1);
  const oracle = benchBruteForce(vectors, labels, queries);
  const truth = queries.map((q) => oracle.search(q, K).labels);
  benchRaw(vectors, labels, queries, truth);
  benchHnswIndex(vectors, labels, queries, oracle);
}

main();
