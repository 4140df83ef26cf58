/**
 * Gateway mode's cost over Chroma: `/search` latency through a kbgate gateway against the same Chroma server's own
 * query with the same top k, on SciFact's abstracts and questions. kbgate runs in this process on a loopback port
 * (as a replica would), embedding with a hashed bag of words (no model weights needed; scripts/hashed-words.ts).
 *
 * Usage: npm run bench:gateway -- --chroma http://127.0.0.1:8010 [--queries 300] [--top-k 5] [--folder <scifact>]
 *        [--concurrency 8]
 *
 * Rows: `chroma query` is chromadb's `collection.query` with a precomputed embedding (what a client of Chroma alone
 * pays); `kbgate vector` is `/search` in vector mode (embedding, Chroma's query, citations, response fitting);
 * `kbgate lexical` and `kbgate hybrid` add the `$contains` probes and candidate fetch of the lexical side.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { ChromaGateway } from '../src/gateway/chroma-gateway.js';
import { ChromaSearchIndex } from '../src/gateway/chroma-search-index.js';
import { createApp } from '../src/http/app.js';
import { HashedWordsEmbedding } from './hashed-words.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    chroma: { type: 'string' },
    queries: { type: 'string', default: '300' },
    'top-k': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    folder: { type: 'string', default: resolve(REPO_ROOT, '../shared/data/scifact') },
  },
});
if (!values.chroma)
  throw new Error('--chroma <url> is required (e.g. ../shared/tools/chroma-server.sh run DIR 8010)');
const CHROMA = values.chroma.replace(/\/+$/, '');
const Q = Number(values.queries);
const TOP_K = Number(values['top-k']);
const CONCURRENCY = Number(values.concurrency);
const COLLECTION = 'bench-gateway';
const BINDING = 'openai:hashed-words';
const WARMUP = 20;
const BATCH = 500;

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Latencies one at a time, then queries per second with `CONCURRENCY` in flight. */
async function measure(name: string, queries: string[], run: (q: string) => Promise<unknown>) {
  for (const q of queries.slice(0, WARMUP)) await run(q);
  const latencies: number[] = [];
  for (const q of queries) latencies.push(await timed(() => run(q)));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queries.length) await run(queries[next++]!);
    }),
  );
  const qps = queries.length / ((performance.now() - start) / 1000);
  return { name, latencies, qps };
}

async function main(): Promise<void> {
  const corpus = readJsonLines<{ _id: string; title?: string; text?: string }>(
    join(values.folder, 'corpus.jsonl'),
  );
  const queries = readJsonLines<{ text: string }>(join(values.folder, 'queries.jsonl'))
    .slice(0, Q)
    .map((q) => q.text);
  const hashed = new HashedWordsEmbedding(BINDING);
  const config = loadConfig({
    KBGATE_CHROMA_URL: CHROMA,
    KBGATE_EMBEDDING: BINDING,
    KBGATE_COLLECTION: COLLECTION,
    KBGATE_LOG_LEVEL: 'silent',
  });
  const gateway = new ChromaGateway({
    settings: config.chroma!,
    resolveEmbedding: () => hashed,
    defaultEmbedding: BINDING,
    binding: { openaiUrl: null },
  });
  await gateway.deleteCollection(COLLECTION).catch(() => undefined);
  const remote = await gateway.createCollection(COLLECTION);
  const loadStart = performance.now();
  for (let i = 0; i < corpus.length; i += BATCH) {
    const rows = corpus.slice(i, i + BATCH);
    const documents = rows.map((r) => [r.title, r.text].filter(Boolean).join('\n'));
    await remote.handle.add({
      ids: rows.map((r) => r._id),
      documents,
      embeddings: (await hashed.embed(documents)).map((v) => Array.from(v)),
      metadatas: rows.map((r) => ({ source: `${r._id}.md`, title: r.title ?? '' })),
    });
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const app = createApp({ searchIndex: new ChromaSearchIndex(gateway), config });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const search = (mode: string) => async (query: string) => {
    const res = await fetch(`${base}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, top_k: TOP_K, mode }),
    });
    if (res.status !== 200) throw new Error(`/search answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const embeddings = new Map<string, number[]>();
  for (const q of queries) embeddings.set(q, Array.from((await hashed.embed([q]))[0]!));
  const rows = [
    await measure('chroma query', queries, (q) =>
      remote.handle.query({
        queryEmbeddings: [embeddings.get(q)!],
        nResults: TOP_K,
        include: ['documents', 'metadatas', 'distances'],
      }),
    ),
    await measure('kbgate vector', queries, search('vector')),
    await measure('kbgate lexical', queries, search('lexical')),
    await measure('kbgate hybrid', queries, search('hybrid')),
  ];
  server.close();
  const chromaP50 = percentile(rows[0]!.latencies, 50);
  console.log(
    `SciFact: ${corpus.length} abstracts into Chroma at ${CHROMA} in ${loadSeconds.toFixed(1)} s; ` +
      `${queries.length} questions, top_k ${TOP_K}, ${CONCURRENCY} in flight for QPS`,
  );
  console.table(
    rows.map((r) => ({
      path: r.name,
      p50_ms: percentile(r.latencies, 50).toFixed(2),
      p95_ms: percentile(r.latencies, 95).toFixed(2),
      p99_ms: percentile(r.latencies, 99).toFixed(2),
      added_p50_ms: r === rows[0] ? '-' : (percentile(r.latencies, 50) - chromaP50).toFixed(2),
      qps: r.qps.toFixed(0),
    })),
  );
  await gateway.deleteCollection(COLLECTION);
}

await main();
