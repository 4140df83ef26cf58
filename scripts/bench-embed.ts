/**
 * `npm run bench:embed`: embedding throughput (texts/s) of the local transformers.js path (tiny generated model) and
 * of the OpenAI-compatible path (in-process fake server), each against the same work done without kbgate's wrapper,
 * to show the per-text overhead kbgate adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from '@xenova/transformers';
import { Command } from 'commander';
import { OpenAICompatibleEmbedding } from '../src/embed/openai-compatible.js';
import { TransformersEmbedding } from '../src/embed/transformers.js';
import { startFakeEmbeddingServer, type FakeRequest } from '../test/helpers/fake-embedding-server.js';
import { writeTinyModel } from '../test/helpers/tiny-model.js';

const WORDS = ['hello', 'world', 'the', 'cat', 'sat', 'on', 'mat', 'knowledge', 'base', 'cats', 'zebra', '.'];

const program = new Command('bench:embed')
  .option('--texts <n>', 'texts per run', '2000')
  .option('--runs <n>', 'timed runs per measurement (median reported)', '5')
  .option('--dimension <n>', 'vector dimension the fake server returns', '384')
  .parse();
const opts = program.opts<{ texts: string; runs: string; dimension: string }>();
const TEXTS = Number(opts.texts);
const RUNS = Number(opts.runs);
const DIMENSION = Number(opts.dimension);

/** Seeded sentences of 8 to 24 words, so both paths embed the same texts on every run. */
function makeTexts(count: number): string[] {
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () =>
    Array.from({ length: 8 + Math.floor(next() * 17) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(
      ' ',
    ),
  );
}

/**
 * Median wall times of `baseline` and `kbgate` over `runs` rounds, after one warm-up call each.
 *
 * @remarks
 * The two alternate within each round so that machine noise (shared cores, GC) falls on both alike.
 */
async function compareMs(baseline: () => Promise<unknown>, kbgate: () => Promise<unknown>, runs: number) {
  const times: [number[], number[]] = [[], []];
  const fns = [baseline, kbgate];
  for (const fn of fns) await fn();
  for (let round = 0; round < runs; round++) {
    for (const [i, fn] of fns.entries()) {
      const start = performance.now();
      await fn();
      times[i as 0 | 1].push(performance.now() - start);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { baselineMs: median(times[0]), kbgateMs: median(times[1]) };
}

function report(label: string, texts: number, baselineMs: number, kbgateMs: number): void {
  const rate = (ms: number) => Math.round((texts / ms) * 1000).toLocaleString('en-US');
  const overheadUs = ((kbgateMs - baselineMs) / texts) * 1000;
  console.log(`${label}`);
  console.log(`  without kbgate: ${rate(baselineMs)} texts/s (${baselineMs.toFixed(1)} ms for ${texts})`);
  console.log(`  kbgate:         ${rate(kbgateMs)} texts/s (${kbgateMs.toFixed(1)} ms for ${texts})`);
  console.log(`  overhead:       ${overheadUs.toFixed(2)} us per text`);
}

function inBatches<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

async function benchTransformers(texts: string[], root: string): Promise<void> {
  const tiny = writeTinyModel(root, 'bench-bert');
  const embedding = new TransformersEmbedding({
    modelDir: root,
    model: tiny.model,
    offline: true,
    batchSize: 32,
  });
  await embedding.load();
  const extractor = await pipeline('feature-extraction', tiny.model, {
    quantized: true,
    local_files_only: true,
  });
  const raw = async () => {
    for (const batch of inBatches(texts, 32)) await extractor(batch, { pooling: 'mean', normalize: true });
  };
  const { baselineMs, kbgateMs } = await compareMs(raw, () => embedding.embed(texts), RUNS);
  report('transformers.js, tiny BERT (8 dims), batch 32', texts.length, baselineMs, kbgateMs);
}

async function benchOpenAI(texts: string[]): Promise<void> {
  const vector = JSON.stringify(Array.from({ length: DIMENSION }, (_, d) => Math.sin(d) / 20));
  const reply = (request: FakeRequest) => {
    const count = (request.body.input as string[]).length;
    const items = Array.from({ length: count }, (_, index) => `{"index":${index},"embedding":${vector}}`);
    return { raw: `{"object":"list","data":[${items.join(',')}]}` };
  };
  const server = await startFakeEmbeddingServer(reply);
  try {
    const url = `${server.baseUrl}/embeddings`;
    const raw = async () => {
      for (const input of inBatches(texts, 64)) {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify({ model: 'fake', input }) });
        (await response.json()) as unknown;
      }
    };
    const embedding = new OpenAICompatibleEmbedding({
      baseUrl: server.baseUrl,
      model: 'fake',
      batchSize: 64,
    });
    const { baselineMs, kbgateMs } = await compareMs(raw, () => embedding.embed(texts), RUNS);
    report(
      `OpenAI-compatible, in-process fake server (${DIMENSION} dims), batch 64`,
      texts.length,
      baselineMs,
      kbgateMs,
    );
  } finally {
    await server.close();
  }
}

const root = mkdtempSync(join(tmpdir(), 'kbgate-bench-embed-'));
try {
  const texts = makeTexts(TEXTS);
  console.log(`${TEXTS} texts, median of ${RUNS} runs, Node ${process.version}\n`);
  await benchTransformers(texts, root);
  await benchOpenAI(texts);
} finally {
  rmSync(root, { recursive: true, force: true });
}
