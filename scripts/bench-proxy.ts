/**
 * `npx tsx scripts/bench-proxy.ts`: the latency kbgate's retrieval proxy adds before the first streamed byte of a
 * chat answer, on a lexical-only collection of generated passages, against calling the fake FastChat directly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import type { Express } from 'express';
import { loadConfig } from '../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import { createApp } from '../src/http/app.js';
import { hybridSearch } from '../src/retrieval/hybrid-search.js';
import { FAKE_MODEL, startFakeFastChat } from '../test/helpers/fake-fastchat.js';
import { mulberry32, type Random } from '../test/helpers/random-data.js';

const program = new Command('bench-proxy')
  .option('--passages <n>', 'passages in the collection', '10000')
  .option('--requests <n>', 'timed requests per arm', '300')
  .option('--warmup <n>', 'untimed requests per arm first', '30')
  .parse();
const opts = program.opts<{ passages: string; requests: string; warmup: string }>();
const VOCABULARY = 20_000;
const COLLECTION = 'docs';

/** A Zipf-distributed word source over a synthetic vocabulary, so posting lists range from huge to tiny. */
function wordSource(random: Random): () => string {
  const weights = Array.from({ length: VOCABULARY }, (_, i) => 1 / (i + 1));
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) cumulative.push((total += w));
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return `w${lo.toString(36)}`;
  };
}

async function seedCollection(engine: Engine, count: number, word: () => string): Promise<void> {
  const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name: COLLECTION });
  for (let start = 0; start < count; start += 500) {
    const ids = Array.from({ length: Math.min(500, count - start) }, (_, i) => `doc-${start + i}.md#0`);
    await engine.add(collection.id, {
      ids,
      documents: ids.map(() => Array.from({ length: 160 }, word).join(' ')),
      metadatas: ids.map((id) => ({ source: id.replace(/#0$/, ''), title: id, start_line: 1, end_line: 20 })),
    });
  }
}

function listen(app: Express): Promise<{ server: Server; baseUrl: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
    });
  });
}

/** Milliseconds from sending a streamed chat request to reading the first body byte; the rest is drained. */
async function timeToFirstByte(baseUrl: string, question: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify({
      model: FAKE_MODEL,
      stream: true,
      messages: [{ role: 'user', content: question }],
    }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  const elapsed = performance.now() - start;
  while (!(await reader.read()).done);
  return elapsed;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function report(label: string, values: number[]): void {
  const p50 = percentile(values, 50).toFixed(2);
  const p99 = percentile(values, 99).toFixed(2);
  console.log(`${label.padEnd(44)} p50 ${p50.padStart(7)} ms   p99 ${p99.padStart(7)} ms`);
}

async function main(): Promise<void> {
  const passages = Number(opts.passages);
  const requests = Number(opts.requests);
  const warmup = Number(opts.warmup);
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-bench-proxy-'));
  const fake = await startFakeFastChat();
  fake.answer = ['ok'];
  const { engine } = openEngine({ path: dir, defaultEmbedding: 'none' });
  const word = wordSource(mulberry32(7));
  const seedStart = performance.now();
  await seedCollection(engine, passages, word);
  console.log(`seeded ${passages} passages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const env = { KBGATE_DATA_DIR: dir, KBGATE_EMBEDDING: 'none', KBGATE_UPSTREAM_URL: fake.baseUrl };
  const proxyOnly = await listen(
    createApp({ engine, config: loadConfig({ ...env, KBGATE_PROXY_PASSAGES: '0' }) }),
  );
  const proxy = await listen(createApp({ engine, config: loadConfig(env) }));
  const arms = { direct: fake.baseUrl, proxyOnly: proxyOnly.baseUrl, proxy: proxy.baseUrl };
  const questions = Array.from({ length: warmup + requests }, () =>
    Array.from({ length: 10 }, word).join(' '),
  );
  const times = {
    direct: [] as number[],
    proxyOnly: [] as number[],
    proxy: [] as number[],
    search: [] as number[],
  };
  for (const [i, question] of questions.entries()) {
    // Arms alternate per question so noise from the shared machine falls on all of them alike.
    const round = {
      direct: await timeToFirstByte(arms.direct, question),
      proxyOnly: await timeToFirstByte(arms.proxyOnly, question),
      proxy: await timeToFirstByte(arms.proxy, question),
      search: await timeSearch(engine, Array.from({ length: 10 }, word).join(' ')),
    };
    if (i < warmup) continue;
    for (const key of Object.keys(round) as (keyof typeof round)[]) times[key].push(round[key]);
  }
  const withContext = fake.requests.filter((r) => r.raw.includes('[1] ')).length;
  console.log(`requests that reached FastChat with passages added: ${withContext} of ${questions.length}`);
  console.log(
    `${requests} streamed chat requests per arm (after ${warmup} warm-up), time to first body byte:`,
  );
  report('FastChat (fake) directly', times.direct);
  report('through kbgate, retrieval off', times.proxyOnly);
  report(`through kbgate, retrieval on (${passages} passages)`, times.proxy);
  report('hybridSearch alone (lexical, fresh questions)', times.search);
  const added = times.proxy.map((t, i) => t - (times.direct[i] ?? 0));
  report('added by kbgate (paired difference)', added);
  proxy.server.closeAllConnections();
  proxyOnly.server.closeAllConnections();
  await fake.close();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

async function timeSearch(engine: Engine, query: string): Promise<number> {
  const start = performance.now();
  await hybridSearch(engine, { collection: COLLECTION, query, topK: 5, mode: 'lexical' });
  return performance.now() - start;
}

await main();
