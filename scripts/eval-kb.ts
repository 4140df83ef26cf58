/**
 * Multilingual knowledge-base evaluation: hit@3 and MRR@10 per language and kind of question, and how often the
 * retrieval proxy injects passages for questions the corpus can and cannot answer.
 *
 * Usage: npm run eval:kb -- [kb-seeds folder] [--embedding none|default|multilingual|openai:<model>]
 *        [--model-dir <dir>] [--mode hybrid|vector|lexical] [--json] [--verbose]
 *
 * The corpus is the kb-seeds articles (default `../shared/data/kb-seeds` relative to the repository root) plus the
 * Markdown docs of the npm packages listed in `eval/kb/questions.json`, read from node_modules. It is ingested with
 * `npm run ingest`'s code into a temporary data directory, in a collection bound to `--embedding` (default `none`:
 * no model weights needed). Rankings use the mode the proxy would use (lexical without embedding, else hybrid)
 * unless `--mode` says otherwise; injection is always measured as the proxy retrieves, with its settings built
 * from the configuration defaults and any `KBGATE_PROXY_*` variables set in the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../src/engine/database.js';
import { embeddingOptionsFrom, openEngine } from '../src/engine-factory.js';
import { EXIT_OK, runIngest } from '../src/ingest/run-ingest.js';
import type { RetrievalSettings } from '../src/http/openai/retrieve-passages.js';
import { SEARCH_MODES, type SearchMode } from '../src/retrieval/hybrid-search.js';
import { stageCorpus, type StagedPackage } from './eval-kb/corpus.js';
import { KINDS, LANGUAGES, readEvalSet, type EvalSet } from './eval-kb/eval-set.js';
import { evaluateQuestion, scoreGroup, type EvalTarget, type QuestionResult } from './eval-kb/evaluate.js';
import { formatQuestion, formatTable } from './eval-kb/report.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_KB_SEEDS = resolve(REPO_ROOT, '../shared/data/kb-seeds');
const QUESTIONS_FILE = resolve(REPO_ROOT, 'eval/kb/questions.json');

interface Options {
  kbSeeds: string;
  embedding: string;
  modelDir: string | null;
  mode: SearchMode | null;
  json: boolean;
  verbose: boolean;
}

function readOptions(): Options {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      embedding: { type: 'string', default: 'none' },
      'model-dir': { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const mode = values.mode ?? null;
  if (mode !== null && !SEARCH_MODES.includes(mode as SearchMode))
    throw new Error(`--mode must be one of ${SEARCH_MODES.join(', ')}`);
  return {
    kbSeeds: resolve(positionals[0] ?? DEFAULT_KB_SEEDS),
    embedding: values.embedding ?? 'none',
    modelDir: values['model-dir'] ?? null,
    mode: mode as SearchMode | null,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
  };
}

/** The configuration a deployment with this embedding would have: defaults, plus `KBGATE_PROXY_*` from the environment. */
function evalConfig(dataDir: string, options: Options): Config {
  const proxy = Object.entries(process.env).filter(([name]) => name.startsWith('KBGATE_PROXY_'));
  return loadConfig({
    ...Object.fromEntries(proxy),
    KBGATE_DATA_DIR: dataDir,
    KBGATE_EMBEDDING: options.embedding,
    KBGATE_MODEL_DIR: options.modelDir ?? undefined,
    KBGATE_OFFLINE: 'true',
  });
}

/** Ingests the staged corpus exactly as `npm run ingest <folder>` would; throws with its output if it fails. */
async function ingestCorpus(folder: string, config: Config): Promise<void> {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const code = await runIngest({ folders: [folder], collection: config.collection }, config, {
    stdout: sink,
    stderr: sink,
  });
  if (code !== EXIT_OK) throw new Error(`ingest failed (exit code ${code}):\n${output}`);
}

/** The proxy's target: its collection, settings and budget, and the mode it would search in. */
function proxyTarget(engine: Engine, config: Config, mode: SearchMode | null): EvalTarget {
  const { embedding } = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, config.collection);
  return {
    engine,
    collection: config.collection,
    mode: mode ?? (embedding === null || embedding === 'none' ? 'lexical' : 'hybrid'),
    retrieval: retrievalSettings(config),
  };
}

/**
 * The retrieval proxy's settings as its router builds them from the configuration.
 *
 * @remarks The threshold is moving from a score (`proxyMinScore`, setting `minScore`) to a relevance
 * (`proxyMinRelevance`, setting `minRelevance`); whichever the configuration has is passed on, so the same script
 * measures the code from before and after that change.
 */
function retrievalSettings(config: Config): RetrievalSettings {
  const thresholds = config as unknown as { proxyMinScore?: number; proxyMinRelevance?: number };
  return {
    collection: config.collection,
    topK: config.proxyPassages,
    ...(thresholds.proxyMinScore === undefined ? {} : { minScore: thresholds.proxyMinScore }),
    ...(thresholds.proxyMinRelevance === undefined ? {} : { minRelevance: thresholds.proxyMinRelevance }),
  } as unknown as RetrievalSettings;
}

/** `passages 5, min relevance 0.5`: the settings that decide injection. */
function describeProxy(settings: RetrievalSettings): string {
  const { topK, minScore, minRelevance } = settings as unknown as Record<string, number | undefined>;
  const threshold = minRelevance === undefined ? `min score ${minScore}` : `min relevance ${minRelevance}`;
  return `passages ${topK}, ${threshold}`;
}

function summarize(results: readonly QuestionResult[]) {
  const by = <K extends string>(keys: readonly K[], pick: (r: QuestionResult) => K) =>
    Object.fromEntries(keys.map((key) => [key, scoreGroup(results.filter((r) => pick(r) === key))]));
  return {
    overall: scoreGroup(results),
    byLanguage: by(LANGUAGES, (r) => r.lang),
    byKind: by(KINDS, (r) => r.kind),
  };
}

function printReport(header: Record<string, unknown>, results: QuestionResult[], verbose: boolean): void {
  const { overall, byLanguage, byKind } = summarize(results);
  for (const [key, value] of Object.entries(header)) console.log(`${key}: ${value}`);
  console.log();
  console.log(formatTable('language', [...Object.entries(byLanguage), ['all', overall]]));
  console.log();
  console.log(formatTable('kind', Object.entries(byKind)));
  if (!verbose) return;
  for (const result of results) console.log(`\n${formatQuestion(result)}`);
}

function describePackages(packages: readonly StagedPackage[]): string {
  return packages
    .map((p) => {
      const drift = p.installed === p.expected ? '' : ` (questions judged on ${p.expected}!)`;
      return `${p.name}@${p.installed} (${p.files.length} files)${drift}`;
    })
    .join(', ');
}

async function evaluate(evalSet: EvalSet, options: Options, work: string): Promise<void> {
  const corpusDir = join(work, 'corpus');
  const packages = await stageCorpus(options.kbSeeds, evalSet.corpus, corpusDir);
  const config = evalConfig(join(work, 'data'), options);
  await ingestCorpus(corpusDir, config);
  const { engine } = openEngine({ path: join(work, 'data'), ...embeddingOptionsFrom(config) });
  try {
    const target = proxyTarget(engine, config, options.mode);
    const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, config.collection);
    const results: QuestionResult[] = [];
    for (const question of evalSet.questions) results.push(await evaluateQuestion(target, question));
    const header = {
      corpus: `kb-seeds (${options.kbSeeds}), ${describePackages(packages)}`,
      chunks: await engine.count(model.id),
      embedding: options.embedding,
      mode: target.mode,
      proxy: describeProxy(target.retrieval),
      questions: results.length,
    };
    if (options.json)
      console.log(JSON.stringify({ ...header, packages, ...summarize(results), results }, null, 2));
    else printReport(header, results, options.verbose);
  } finally {
    engine.close();
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const evalSet = readEvalSet(QUESTIONS_FILE);
  const work = mkdtempSync(join(tmpdir(), 'kbgate-eval-kb-'));
  try {
    await evaluate(evalSet, options, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
