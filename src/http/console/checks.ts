/** The console's status checks: `kbgate doctor`'s, run inside the server against its own engine. */
import type { Config } from '../../config.js';
import { lookAtEmbedding } from '../../cli/embedding-status.js';
import { checkAuth, checkBrowserAccess, checkUpstream, type CheckResult } from '../../cli/doctor.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../engine/database.js';
import type { CollectionModel } from '../../engine/types.js';

/** Milliseconds the upstream may take to list its models. */
const UPSTREAM_TIMEOUT_MS = 3000;
/** Milliseconds one collection's embedding function may take to embed a probe (a first use loads the model). */
const EMBEDDING_TIMEOUT_MS = 30_000;
const PROBE_TEXT = 'kbgate checks its embedding function';

/** What the checks use besides the engine and configuration. */
export interface CheckDeps {
  fetch?: typeof fetch;
}

/**
 * Runs the checks: the searched collection, each collection's embedding function, the upstream, authentication,
 * public URL and CORS.
 *
 * @remarks Embedding functions are tried through the engine (a query of one probe text), so the server's own
 * resolver and loaded models are what is checked; the binding for new collections is only looked at when no
 * collection uses it, so a page load never downloads a model.
 */
export async function runConsoleChecks(
  engine: Engine,
  config: Config,
  deps: CheckDeps = {},
): Promise<CheckResult[]> {
  const models = engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE);
  const [embeddings, upstream] = await Promise.all([
    Promise.all(models.filter(hasEmbedding).map((m) => checkCollectionEmbedding(engine, m))),
    checkUpstream(config, { fetch: deps.fetch, timeoutMs: UPSTREAM_TIMEOUT_MS }),
  ]);
  const results = [await checkSearchedCollection(engine, config), ...embeddings];
  if (!models.some((m) => m.embedding === config.embedding)) results.push(checkNewBinding(config));
  results.push(upstream, checkAuth(config), ...checkBrowserAccess(config));
  return results;
}

function hasEmbedding(model: CollectionModel): boolean {
  return model.embedding !== null && model.embedding !== 'none';
}

async function checkSearchedCollection(engine: Engine, config: Config): Promise<CheckResult> {
  const name = config.collection;
  const title = `collection "${name}" (KBGATE_COLLECTION)`;
  const fix = 'kbgate ingest <folder of Markdown>';
  const model = engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE).find((m) => m.name === name);
  if (model === undefined)
    return { status: 'fail', title, detail: 'does not exist: plugin search and the proxy find nothing', fix };
  const records = await engine.count(model.id);
  if (records === 0) return { status: 'fail', title, detail: 'exists but holds no records', fix };
  return { status: 'ok', title, detail: `${records} records` };
}

async function checkCollectionEmbedding(engine: Engine, model: CollectionModel): Promise<CheckResult> {
  const title = `embedding "${model.embedding}" of collection "${model.name}"`;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${EMBEDDING_TIMEOUT_MS / 1000} s`)),
      EMBEDDING_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([
      engine.query(model.id, { queryTexts: [PROBE_TEXT], nResults: 1, include: [] }),
      timeout,
    ]);
    return { status: 'ok', title, detail: 'embeds queries' };
  } catch (error) {
    return {
      status: 'fail',
      title,
      detail: (error as Error).message,
      fix: 'see `kbgate doctor`: download the model (npm run model:download) or rebind the collection',
    };
  } finally {
    clearTimeout(timer);
  }
}

function checkNewBinding(config: Config): CheckResult {
  const title = `embedding "${config.embedding}" for new collections (KBGATE_EMBEDDING)`;
  const look = lookAtEmbedding(config.embedding, config);
  if (look.ok === false) return { status: 'warn', title, detail: look.detail, fix: 'run `kbgate doctor`' };
  return { status: 'ok', title, detail: look.detail };
}
