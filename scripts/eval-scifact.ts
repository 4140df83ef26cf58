/**
 * Retrieval quality on BEIR SciFact (train split): nDCG@10 and Recall@100 of every search mode that can run.
 *
 * Usage: npm run eval:scifact -- [folder] [--embedding none|default|openai:<model>] [--model-dir <dir>]
 *          [--chroma <url>] [--no-calibrate]
 *
 * `folder` holds BEIR's corpus.jsonl, queries.jsonl and qrels/train.tsv; it defaults to `../shared/data/scifact`
 * relative to the repository root. Documents are indexed as title + text, with the title also in metadata
 * (`title`), which the lexical index weights as a heading. With `--embedding none` (the default,
 * as no model weights are needed) only the lexical mode can run; vector and hybrid are reported as skipped.
 * For every mode that runs, a calibration line shows how the proxy's relevance gate would behave at several
 * thresholds (see `calibrate`): run it with `--embedding default` or `multilingual` where the weights are
 * available to check the similarity scales in src/retrieval/vector-relevance.ts.
 *
 * `--chroma <url>` measures gateway mode instead: the corpus goes into a fresh collection on that Chroma server and
 * every search runs over it (Chroma's vector search, `$contains` candidates ranked by kbgate). Without model weights,
 * `--embedding openai:hashed-words` embeds with a hashed bag of words (scripts/hashed-words.ts) in both modes, so
 * the two can be compared with the same embedding.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEmbeddingResolver } from '../src/embed/registry.js';
import type { Engine, EmbeddingResolver } from '../src/engine/database.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../src/engine/database.js';
import { ChromaGateway } from '../src/gateway/chroma-gateway.js';
import { ChromaSearchIndex } from '../src/gateway/chroma-search-index.js';
import type { SearchIndex } from '../src/retrieval/search-index.js';
import { HashedWordsEmbedding } from './hashed-words.js';
import { isEngineError } from '../src/engine/errors.js';
import { openEngine } from '../src/engine-factory.js';
import { hybridSearch, SEARCH_MODES, type SearchMode } from '../src/retrieval/hybrid-search.js';
import { mean, ndcgAt, recallAt } from '../src/retrieval/ir-metrics.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FOLDER = resolve(REPO_ROOT, '../shared/data/scifact');
const COLLECTION = 'scifact';
const BATCH = 500;
const DEPTH = 100;

interface Corpus {
  ids: string[];
  documents: string[];
  titles: string[];
}

interface Query {
  id: string;
  text: string;
}

function readJsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function readCorpus(folder: string): Corpus {
  const rows = readJsonLines<{ _id: string; title?: string; text?: string }>(join(folder, 'corpus.jsonl'));
  return {
    ids: rows.map((r) => r._id),
    documents: rows.map((r) => [r.title ?? '', r.text ?? ''].filter((t) => t !== '').join('\n')),
    titles: rows.map((r) => r.title ?? ''),
  };
}

function readQrels(folder: string): Map<string, Set<string>> {
  const qrels = new Map<string, Set<string>>();
  const lines = readFileSync(join(folder, 'qrels', 'train.tsv'), 'utf8')
    .split('\n')
    .slice(1);
  for (const line of lines) {
    const [queryId, docId, score] = line.trim().split('\t');
    if (!queryId || !docId || Number(score) <= 0) continue;
    qrels.set(queryId, (qrels.get(queryId) ?? new Set()).add(docId));
  }
  return qrels;
}

function readQueries(folder: string, judged: Map<string, Set<string>>): Query[] {
  return readJsonLines<{ _id: string; text: string }>(join(folder, 'queries.jsonl'))
    .filter((q) => judged.has(q._id))
    .map((q) => ({ id: q._id, text: q.text }));
}

/** The binding that selects {@link HashedWordsEmbedding}. */
const HASHED_WORDS = 'openai:hashed-words';

/** Loads the corpus into a fresh collection on a Chroma server, embedded here, and returns its search index. */
async function loadIntoChroma(
  url: string,
  corpus: Corpus,
  embedding: string,
  resolveEmbedding: EmbeddingResolver,
): Promise<SearchIndex> {
  const settings = { url, token: null, tenant: DEFAULT_TENANT, database: DEFAULT_DATABASE };
  const gateway = new ChromaGateway({
    settings,
    resolveEmbedding,
    defaultEmbedding: embedding,
    binding: { openaiUrl: null },
  });
  await gateway.deleteCollection(COLLECTION).catch(() => undefined);
  const remote = await gateway.createCollection(COLLECTION);
  const fn = gateway.embedder(embedding);
  for (let i = 0; i < corpus.ids.length; i += BATCH) {
    const documents = corpus.documents.slice(i, i + BATCH);
    const vectors = await fn.embed(documents);
    await remote.handle.add({
      ids: corpus.ids.slice(i, i + BATCH),
      documents,
      embeddings: vectors.map((v) => Array.from(v)),
      metadatas: corpus.titles
        .slice(i, i + BATCH)
        .map((title, j) => ({ doc: corpus.ids[i + j]!, ...(title === '' ? {} : { title }) })),
    });
  }
  return new ChromaSearchIndex(gateway);
}

async function loadCollection(engine: Engine, corpus: Corpus, embedding: string): Promise<void> {
  const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
    name: COLLECTION,
    embedding,
  });
  for (let i = 0; i < corpus.ids.length; i += BATCH) {
    await engine.add(collection.id, {
      ids: corpus.ids.slice(i, i + BATCH),
      documents: corpus.documents.slice(i, i + BATCH),
      metadatas: corpus.titles
        .slice(i, i + BATCH)
        .map((title, j) => ({ doc: corpus.ids[i + j]!, ...(title === '' ? {} : { title }) })),
    });
  }
}

/** Scores one mode over every query, or returns null when the mode cannot run on this collection. */
async function evaluateMode(
  engine: Engine | SearchIndex,
  mode: SearchMode,
  queries: Query[],
  qrels: Map<string, Set<string>>,
): Promise<{ ndcg10: number; recall100: number; ms: number } | null> {
  const ndcg: number[] = [];
  const recall: number[] = [];
  const start = performance.now();
  for (const query of queries) {
    const response = await hybridSearch(engine, {
      collection: COLLECTION,
      query: query.text,
      topK: DEPTH,
      mode,
    });
    if (mode === 'hybrid' && !response.modes.includes('vector')) return null;
    const ranked = response.results.map((hit) => hit.id);
    const relevant = qrels.get(query.id) ?? new Set<string>();
    ndcg.push(ndcgAt(10, ranked, relevant));
    recall.push(recallAt(100, ranked, relevant));
  }
  return { ndcg10: mean(ndcg), recall100: mean(recall), ms: (performance.now() - start) / queries.length };
}

/** Relevance thresholds the calibration table reports. */
const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7];
/** Passages the retrieval proxy adds at most (KBGATE_PROXY_PASSAGES's default). */
const PROXY_PASSAGES = 5;

/**
 * How a relevance threshold would gate the proxy on SciFact: for each threshold, the share of queries whose top 5
 * hold a judged-relevant passage at or above it ("grounded"), and the share that still get a passage at or above
 * it when their judged documents are filtered out, standing in for questions the corpus cannot answer
 * ("injected"; an over-estimate, since SciFact judges few documents per query).
 */
async function calibrate(
  engine: Engine | SearchIndex,
  mode: SearchMode,
  queries: Query[],
  qrels: Map<string, Set<string>>,
): Promise<void> {
  const grounded: number[] = [];
  const injected: number[] = [];
  for (const query of queries) {
    const relevant = qrels.get(query.id) ?? new Set<string>();
    const request = { collection: COLLECTION, query: query.text, topK: PROXY_PASSAGES, mode };
    const answerable = await hybridSearch(engine, request);
    grounded.push(
      Math.max(0, ...answerable.results.filter((h) => relevant.has(h.id)).map((h) => h.relevance)),
    );
    const without = await hybridSearch(engine, { ...request, where: { doc: { $nin: [...relevant] } } });
    injected.push(Math.max(0, ...without.results.map((h) => h.relevance)));
  }
  const share = (values: number[], threshold: number) =>
    (values.filter((v) => v >= threshold).length / values.length).toFixed(3);
  console.log(
    `${' '.repeat(9)}relevance gate: ` +
      THRESHOLDS.map(
        (t) => `${t.toFixed(1)} grounded ${share(grounded, t)} injected ${share(injected, t)}`,
      ).join(' | '),
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      embedding: { type: 'string', default: 'none' },
      'model-dir': { type: 'string' },
      chroma: { type: 'string' },
      'no-calibrate': { type: 'boolean', default: false },
    },
  });
  const folder = resolve(positionals[0] ?? DEFAULT_FOLDER);
  const embedding = values.embedding ?? 'none';
  const models = createEmbeddingResolver({ modelDir: values['model-dir'] ?? null });
  const hashed = new HashedWordsEmbedding(HASHED_WORDS);
  const resolveEmbedding: EmbeddingResolver = (name) => (name === HASHED_WORDS ? hashed : models(name));
  const { engine } = openEngine({ resolveEmbedding, defaultEmbedding: embedding });
  const qrels = readQrels(folder);
  const queries = readQueries(folder, qrels);
  const corpus = readCorpus(folder);
  const loadStart = performance.now();
  let index: Engine | SearchIndex = engine;
  if (values.chroma) index = await loadIntoChroma(values.chroma, corpus, embedding, resolveEmbedding);
  else await loadCollection(engine, corpus, embedding);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const where = values.chroma ? `gateway mode over Chroma at ${values.chroma}` : 'embedded';
  console.log(
    `SciFact train (${where}, embedding ${embedding}): ${corpus.ids.length} documents ` +
      `(${loadSeconds.toFixed(1)} s), ${queries.length} queries`,
  );
  for (const mode of SEARCH_MODES) {
    try {
      const scores = await evaluateMode(index, mode, queries, qrels);
      if (scores === null) console.log(`${mode.padEnd(8)} skipped: no usable embedding function`);
      else {
        const { ndcg10, recall100, ms } = scores;
        console.log(
          `${mode.padEnd(8)} nDCG@10 ${ndcg10.toFixed(4)}  Recall@100 ${recall100.toFixed(4)}  ${ms.toFixed(1)} ms/query`,
        );
        if (!values['no-calibrate']) await calibrate(index, mode, queries, qrels);
      }
    } catch (err) {
      if (!isEngineError(err, 'FAILED_PRECONDITION') && !isEngineError(err, 'INVALID_ARGUMENT')) throw err;
      console.log(`${mode.padEnd(8)} skipped: ${err.message}`);
    }
  }
  engine.close();
}

await main();
