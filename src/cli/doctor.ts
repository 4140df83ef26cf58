/** `kbgate doctor`: checks what usually goes wrong in a kbgate set-up and says how to fix each. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import { isEngineError } from '../engine/errors.js';
import { withEngine } from './collections.js';
import { probeEmbedding } from './embedding-status.js';
import { openGateway } from './gateway-collections.js';
import { explainError } from './explain-error.js';

/** The outcome of one check: `warn` is worth knowing, `fail` breaks something. */
export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  title: string;
  detail: string;
  /** What to change, for warn and fail. */
  fix?: string;
}

/** What the checks need besides the configuration. */
export interface DoctorDeps {
  /** How this user runs the ingester, for the fix of an empty collection. */
  ingestCommand: string;
  /** How this user runs kbgate's commands (`kbgate`, `npm run kbgate --`). */
  command: string;
  fetch?: typeof fetch;
  /** Milliseconds to wait for the upstream. */
  timeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** Runs every check in order. */
export async function runChecks(config: Config, deps: DoctorDeps): Promise<CheckResult[]> {
  const results = [config.chroma === null ? checkDataDir(config) : await checkChroma(config)];
  if (results[0]?.status !== 'fail') results.push(...(await checkCollection(config, deps)));
  results.push(await checkUpstream(config, deps), checkAuth(config), ...checkBrowserAccess(config));
  return results;
}

/** Renders results one per line, fixes indented below; the last line counts problems. */
export function formatChecks(results: CheckResult[]): string {
  const lines = results.flatMap((r) => [
    `${MARK[r.status]}  ${r.title}: ${r.detail}`,
    ...(r.fix && r.status !== 'ok' ? [`      fix: ${r.fix}`] : []),
  ]);
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(failed + warned === 0 ? 'All checks passed.' : `${failed} problem(s), ${warned} warning(s).`);
  return `${lines.join('\n')}\n`;
}

function checkDataDir(config: Config): CheckResult {
  const title = 'data directory';
  if (config.dataDir === null)
    return {
      status: 'warn',
      title,
      detail: 'KBGATE_DATA_DIR=:memory:, nothing survives a restart',
      fix: 'set KBGATE_DATA_DIR to a folder',
    };
  const dir = path.resolve(config.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.kbgate-doctor-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe);
    return { status: 'ok', title, detail: `${dir} is writable` };
  } catch (error) {
    return {
      status: 'fail',
      title,
      detail: explainError(error, config),
      fix: 'set KBGATE_DATA_DIR to a writable folder',
    };
  }
}

/** The collection the plugin and proxy search: present, filled, and its embedding usable (or the default's). */
/** Gateway mode: the Chroma server answers its heartbeat. */
async function checkChroma(config: Config): Promise<CheckResult> {
  const { url, tenant, database } = config.chroma!;
  const title = 'Chroma (KBGATE_CHROMA_URL)';
  try {
    await openGateway(config).heartbeat(3_000);
    return { status: 'ok', title, detail: `${url} answers (tenant ${tenant}, database ${database})` };
  } catch (error) {
    return {
      status: 'fail',
      title,
      detail: (error as Error).message,
      fix: 'start Chroma there, or set KBGATE_CHROMA_URL to where it runs (and KBGATE_CHROMA_TOKEN if it needs one)',
    };
  }
}

/** The searched collection's record count and binding, in the data directory or on Chroma; null when missing. */
async function findCollection(
  config: Config,
  name: string,
): Promise<{ records: number; embedding: string | null } | null> {
  if (config.chroma !== null) {
    const gateway = openGateway(config);
    try {
      const remote = await gateway.collection(name, true);
      return { records: await gateway.call('count', () => remote.handle.count()), embedding: remote.binding };
    } catch (error) {
      if (isEngineError(error, 'NOT_FOUND')) return null;
      throw error;
    }
  }
  return withEngine(config, async (engine) => {
    try {
      const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
      return { records: await engine.count(model.id), embedding: model.embedding };
    } catch (error) {
      if (isEngineError(error, 'NOT_FOUND')) return null;
      throw error;
    }
  });
}

async function checkCollection(config: Config, deps: DoctorDeps): Promise<CheckResult[]> {
  const name = config.collection;
  const ingest = `${deps.ingestCommand} <folder of Markdown>`;
  let found: { records: number; embedding: string | null } | null;
  try {
    found = await findCollection(config, name);
  } catch (error) {
    return [
      {
        status: 'fail',
        title: 'database',
        detail: explainError(error, config),
        fix:
          config.chroma === null
            ? 'set KBGATE_DATA_DIR to a kbgate data directory'
            : 'check that Chroma answers at KBGATE_CHROMA_URL',
      },
    ];
  }
  const title = `collection "${name}" (KBGATE_COLLECTION)`;
  const embedding = await checkEmbedding(found?.embedding ?? config.embedding, found !== null, config, deps);
  if (found === null)
    return [
      {
        status: 'fail',
        title,
        detail: 'does not exist: plugin search and the proxy find nothing',
        fix: ingest,
      },
      embedding,
    ];
  if (found.records === 0)
    return [{ status: 'fail', title, detail: 'exists but holds no records', fix: ingest }, embedding];
  return [{ status: 'ok', title, detail: `${found.records} records` }, embedding];
}

async function checkEmbedding(
  name: string | null,
  bound: boolean,
  config: Config,
  deps: DoctorDeps,
): Promise<CheckResult> {
  const title = bound
    ? `embedding "${name ?? 'none'}" of the collection`
    : `embedding "${name ?? 'none'}" (KBGATE_EMBEDDING)`;
  const probe = await probeEmbedding(name, config);
  if (probe.ok) return { status: 'ok', title, detail: probe.detail };
  const fix =
    'run `npm run model:download` (where there is internet access) and set KBGATE_MODEL_DIR to its folder; or ' +
    'KBGATE_EMBEDDING=none (lexical only); or KBGATE_EMBEDDING=openai:<model> with KBGATE_EMBEDDING_URL' +
    (bound
      ? `; a collection keeps its binding: \`${deps.command} collections rebind ${config.collection} --embedding <function>\``
      : '');
  return { status: 'fail', title, detail: probe.detail, fix };
}

/** The upstream chat API answers `GET /models` with the key kbgate sends, and serves a model. */
export async function checkUpstream(
  config: Config,
  deps: Pick<DoctorDeps, 'fetch' | 'timeoutMs'>,
): Promise<CheckResult> {
  const title = 'retrieval proxy upstream (KBGATE_UPSTREAM_URL)';
  if (config.upstreamUrl === null)
    return {
      status: 'warn',
      title,
      detail: 'not set: /v1/chat/completions is off',
      fix: "set KBGATE_UPSTREAM_URL to FastChat's OpenAI-compatible API, e.g. http://fastchat-api-server:8000/v1",
    };
  const base = /\/v1$/.test(config.upstreamUrl) ? config.upstreamUrl : `${config.upstreamUrl}/v1`;
  const headers: Record<string, string> = config.upstreamApiKey
    ? { authorization: `Bearer ${config.upstreamApiKey}` }
    : {};
  try {
    const response = await (deps.fetch ?? fetch)(`${base}/models`, {
      headers,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
    });
    if (response.status === 401 || response.status === 403)
      return {
        status: 'fail',
        title,
        detail: `${base} refused the key (HTTP ${response.status})`,
        fix: "set KBGATE_UPSTREAM_API_KEY to one of FastChat's --api-keys",
      };
    if (!response.ok)
      return {
        status: 'fail',
        title,
        detail: `${base}/models answered HTTP ${response.status}`,
        fix: 'check KBGATE_UPSTREAM_URL',
      };
    const body = (await response.json()) as { data?: { id?: string }[] };
    const models = (body.data ?? []).map((m) => m.id).filter(Boolean);
    if (models.length === 0)
      return {
        status: 'warn',
        title,
        detail: `${base} serves no model yet`,
        fix: 'wait for the FastChat worker to load its model',
      };
    return { status: 'ok', title, detail: `${base} serves ${models.join(', ')}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return {
      status: 'fail',
      title,
      detail: `cannot reach ${base} (${cause})`,
      fix: "start FastChat's openai_api_server or correct KBGATE_UPSTREAM_URL",
    };
  }
}

/** Authentication is on, or kbgate listens on loopback only. */
export function checkAuth(config: Config): CheckResult {
  const title = 'authentication';
  const protectedBy =
    config.authToken !== null
      ? 'KBGATE_AUTH_TOKEN'
      : config.readTokens.length > 0
        ? 'KBGATE_READ_TOKEN'
        : config.htpasswdFile !== null
          ? 'KBGATE_HTPASSWD_FILE'
          : null;
  if (protectedBy) return { status: 'ok', title, detail: `required (${protectedBy})` };
  if (LOOPBACK.has(config.host))
    return { status: 'ok', title, detail: `off, but kbgate only listens on ${config.host}` };
  return {
    status: 'fail',
    title,
    detail: `off while listening on ${config.host}: anyone on the network can read and delete the knowledge base`,
    fix: 'set KBGATE_AUTH_TOKEN (e.g. openssl rand -hex 32), or KBGATE_HOST=127.0.0.1',
  };
}

/** Public URL and CORS origins: what browsers and NextChat's server must be able to reach. */
export function checkBrowserAccess(config: Config): CheckResult[] {
  const results: CheckResult[] = [];
  const publicHost = new URL(config.publicUrl).hostname;
  const title = 'public URL (KBGATE_PUBLIC_URL)';
  if (!LOOPBACK.has(config.host) && LOOPBACK.has(publicHost))
    results.push({
      status: 'warn',
      title,
      detail: `${config.publicUrl} is this machine only, but kbgate listens on ${config.host}`,
      fix: "set KBGATE_PUBLIC_URL to the address others (NextChat's server) reach kbgate at, e.g. http://kbgate:8000",
    });
  else results.push({ status: 'ok', title, detail: config.publicUrl });
  results.push(checkCors(config, publicHost));
  return results;
}

function checkCors(config: Config, publicHost: string): CheckResult {
  const title = 'CORS origins (KBGATE_CORS_ORIGINS)';
  const origins = config.corsOrigins;
  if (origins.length === 0)
    return {
      status: 'warn',
      title,
      detail: "none: browsers cannot load /openapi.yaml for NextChat's plugin store",
      fix: "list NextChat's exact origin, e.g. KBGATE_CORS_ORIGINS=http://localhost:3000",
    };
  if (origins.includes('*'))
    return {
      status: 'warn',
      title,
      detail: '* allows every web page to call kbgate',
      fix: "list NextChat's exact origins instead",
    };
  const hosts = origins.map((o) => new URL(o).hostname);
  const twin = origins.find((o) => {
    const { hostname, port, protocol } = new URL(o);
    const other = hostname === 'localhost' ? '127.0.0.1' : hostname === '127.0.0.1' ? 'localhost' : null;
    return other !== null && !origins.includes(`${protocol}//${other}${port ? `:${port}` : ''}`);
  });
  if (twin)
    return {
      status: 'warn',
      title,
      detail: `${origins.join(', ')}: localhost and 127.0.0.1 are different origins`,
      fix: `also list ${twin.includes('localhost') ? twin.replace('localhost', '127.0.0.1') : twin.replace('127.0.0.1', 'localhost')} if people open NextChat that way`,
    };
  if (!LOOPBACK.has(publicHost) && hosts.every((h) => LOOPBACK.has(h)))
    return {
      status: 'warn',
      title,
      detail: `only loopback origins (${origins.join(', ')}) while kbgate is published at ${config.publicUrl}`,
      fix: 'add the origin people open NextChat at from other machines',
    };
  return { status: 'ok', title, detail: origins.join(', ') };
}
