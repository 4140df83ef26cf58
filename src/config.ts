/** Service configuration: the only place that reads the environment; every variable validated and documented. */
import { z } from 'zod';
import { parseEmbeddingName } from './embed/registry.js';

/** A token and the name it is known by in logs (so one of several can be revoked). */
export interface NamedToken {
  name: string;
  token: string;
}

/** Log levels pino understands. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Which requests are logged: failed and slow ones only, or every one. */
export const REQUEST_LOG_MODES = ['errors', 'all'] as const;

/** The validated configuration of one kbgate process. */
export interface Config {
  host: string;
  port: number;
  /** Directory of the database; null keeps everything in memory (`KBGATE_DATA_DIR=:memory:`). */
  dataDir: string | null;
  /** The admin token: every route, reads and writes (KBGATE_AUTH_TOKEN). */
  authToken: string | null;
  /** Read-only tokens, each with a name for logs (KBGATE_READ_TOKEN). */
  readTokens: NamedToken[];
  htpasswdFile: string | null;
  corsOrigins: string[];
  allowReset: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Which requests get a log line: `errors` (failed or slow ones) or `all`. */
  logRequests: (typeof REQUEST_LOG_MODES)[number];
  /** A request taking at least this many milliseconds is logged as slow, whatever `logRequests` says. */
  slowRequestMs: number;
  maxBatchSize: number;
  /** Largest accepted JSON body: `maxBatchSize` records of {@link BODY_BYTES_PER_RECORD} each. */
  maxBodyBytes: number;
  publicUrl: string;
  embedding: string;
  embeddingUrl: string | null;
  embeddingApiKey: string | null;
  modelDir: string | null;
  offline: boolean;
  collection: string;
  /** Plugin manifest `contact_email` (KBGATE_CONTACT_EMAIL). */
  contactEmail: string;
  /** Plugin manifest `legal_info_url`; null means `<publicUrl>/docs` (KBGATE_LEGAL_INFO_URL). */
  legalInfoUrl: string | null;
  upstreamUrl: string | null;
  upstreamApiKey: string | null;
  /** Passages the retrieval proxy adds to a chat request at most. */
  proxyPassages: number;
  /** Characters of passage text the retrieval proxy adds at most (besides the token budget). */
  proxyContextChars: number;
  /** Passages less relevant than this (in [0, 1]) are not added. */
  proxyMinRelevance: number;
  /** The upstream model's context length in tokens, when the upstream does not report it. */
  upstreamContextTokens: number;
  /** Milliseconds the proxy waits for the upstream's response headers before answering 504. */
  upstreamTimeoutMs: number;
  otlpEndpoint: string | null;
  /** The Chroma server kbgate is a gateway over (KBGATE_CHROMA_URL); null runs the embedded database. */
  chroma: ChromaSettings | null;
}

/** Where the Chroma server of gateway mode is and how to reach it. */
export interface ChromaSettings {
  /** Base URL (scheme, host and port), without trailing slash. */
  url: string;
  /** Sent as `x-chroma-token` (and `Authorization: Bearer`), Chroma's token authentication. */
  token: string | null;
  tenant: string;
  database: string;
}

/**
 * Bytes of JSON body allowed per record of a full batch.
 *
 * @remarks
 * A 1,024-dimension embedding written as plain JSON floats takes about 24 bytes per component (17 significant
 * digits, sign, exponent, separator) = 24 KiB, plus 8 KiB for id, document and metadata. Base64 embeddings take
 * 5.4 bytes per component, so base64 clients (the JS client) fit 4,096 dimensions in the same budget.
 */
export const BODY_BYTES_PER_RECORD = 32 * 1024;

/**
 * Default least relevance (in [0, 1]) of a passage the retrieval proxy adds.
 *
 * @remarks
 * One constant, to be calibrated on the evaluation sets (`scripts/eval-kb.ts`): relevance is comparable across
 * questions, so one threshold separates questions the knowledge base answers from the others.
 */
export const DEFAULT_PROXY_MIN_RELEVANCE = 0.5;

/** Variables kbgate no longer reads and what replaced them; setting one stops start-up instead of being ignored. */
const REMOVED_VARIABLES: Readonly<Record<string, string>> = {
  KBGATE_PROXY_MIN_SCORE:
    'no longer read; use KBGATE_PROXY_MIN_RELEVANCE, a relevance in [0, 1] comparable across questions',
};

/** A configuration variable: its name, documented default and meaning. */
export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** Thrown by {@link loadConfig} for a bad value; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const optionalText = z.string().min(1).nullable();
const url = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')
  .transform(Number);

interface VariableSpec extends ConfigVariable {
  schema: z.ZodTypeAny;
}

const SPECS: VariableSpec[] = [
  {
    name: 'KBGATE_HOST',
    default: '127.0.0.1',
    description: 'Interface to listen on.',
    schema: z.string().min(1),
  },
  {
    name: 'KBGATE_PORT',
    default: '8000',
    description: "Port to listen on (Chroma's port).",
    schema: int(0, 65535),
  },
  {
    name: 'KBGATE_DATA_DIR',
    default: './data',
    description: 'Database directory; `:memory:` keeps everything in memory.',
    schema: z.string().min(1),
  },
  {
    name: 'KBGATE_AUTH_TOKEN',
    default: '',
    description:
      'Admin token: reads and writes. When it, `KBGATE_READ_TOKEN` or `KBGATE_HTPASSWD_FILE` is set, every route but heartbeat, version, healthcheck and the plugin and console files needs `Authorization: Bearer <token>` or `X-Chroma-Token` (or Basic).',
    schema: optionalText,
  },
  {
    name: 'KBGATE_READ_TOKEN',
    default: '',
    description:
      'Read-only tokens, comma-separated, each optionally named (`nextchat:<token>,grafana:<token>`): `/search`, the retrieval proxy, the console, GET routes and Chroma `get` / `query`; writes answer 403. Give this one to NextChat.',
    schema: optionalText,
  },
  {
    name: 'KBGATE_HTPASSWD_FILE',
    default: '',
    description: 'htpasswd file with bcrypt entries; when set, HTTP Basic credentials from it are accepted.',
    schema: optionalText,
  },
  {
    name: 'KBGATE_CORS_ORIGINS',
    default: '',
    description:
      'Comma-separated exact origins allowed by CORS (e.g. `http://localhost:3000`); empty allows none.',
    schema: z.string().nullable(),
  },
  {
    name: 'KBGATE_ALLOW_RESET',
    default: 'false',
    description: 'Enables `POST /api/v2/reset`, which deletes everything.',
    schema: bool,
  },
  { name: 'KBGATE_LOG_LEVEL', default: 'info', description: 'pino log level.', schema: z.enum(LOG_LEVELS) },
  {
    name: 'KBGATE_LOG_REQUESTS',
    default: 'errors',
    description:
      'Which requests get a log line: `errors` (server errors at `error`, requests slower than `KBGATE_SLOW_REQUEST_MS` at `warn`) or `all` (also every other request at `info`).',
    schema: z.enum(REQUEST_LOG_MODES),
  },
  {
    name: 'KBGATE_SLOW_REQUEST_MS',
    default: '1000',
    description: 'A request answered in this many milliseconds or more is logged as slow.',
    schema: int(1, 3_600_000),
  },
  {
    name: 'KBGATE_MAX_BATCH_SIZE',
    default: '5461',
    description:
      "Most records per write and query embeddings per query, advertised in pre-flight-checks and enforced (400 beyond; Chroma's value: SQLite's 32,766 variables / 6); the JSON body limit is 32 KiB per record.",
    schema: int(1, 100_000),
  },
  {
    name: 'KBGATE_PUBLIC_URL',
    default: 'http://<host>:<port>',
    description:
      'Absolute URL clients reach kbgate at (plugin manifest, OpenAPI servers), without trailing slash.',
    schema: url.nullable(),
  },
  {
    name: 'KBGATE_EMBEDDING',
    default: 'default',
    description:
      'Embedding for new collections: `default` (local all-MiniLM-L6-v2, English only), `multilingual` (local multilingual-e5-small: Thai, Chinese, Russian, ... or questions in another language than the documents), `openai:<model>` or `none`.',
    schema: z.string().superRefine(checkEmbeddingName),
  },
  {
    name: 'KBGATE_EMBEDDING_URL',
    default: '',
    description: 'Base URL of an OpenAI-compatible embeddings API (for `openai:<model>`).',
    schema: url.nullable(),
  },
  {
    name: 'KBGATE_EMBEDDING_API_KEY',
    default: '',
    description: 'API key for the embeddings API.',
    schema: optionalText,
  },
  {
    name: 'KBGATE_MODEL_DIR',
    default: '',
    description: 'Directory of local embedding model files.',
    schema: optionalText,
  },
  {
    name: 'KBGATE_HNSWLIB_AVX2',
    default: 'on',
    description:
      "`off` keeps hnswlib-node's stock build; by default a CPU with AVX2 and FMA searches with the build `npm install` compiled for them, which also takes vectors as Float32Arrays (about 20% less CPU per query) and scans for filtered queries natively (about 20% less CPU per filtered query at 100,000 vectors).",
    schema: z.enum(['on', 'off']),
  },
  {
    name: 'KBGATE_OFFLINE',
    default: 'false',
    description: 'Never download models; use only files in the model directory.',
    schema: bool,
  },
  {
    name: 'KBGATE_COLLECTION',
    default: 'docs',
    description: 'Collection the plugin search, ingester and retrieval proxy use.',
    schema: z.string().min(1),
  },
  {
    name: 'KBGATE_CONTACT_EMAIL',
    default: 'admin@example.com',
    description: 'Contact e-mail published in the plugin manifest (`/.well-known/ai-plugin.json`).',
    schema: z.string().email(),
  },
  {
    name: 'KBGATE_LEGAL_INFO_URL',
    default: '<KBGATE_PUBLIC_URL>/docs',
    description: 'Legal information URL published in the plugin manifest.',
    schema: url.nullable(),
  },
  {
    name: 'KBGATE_UPSTREAM_URL',
    default: '',
    description:
      "FastChat's OpenAI-compatible API the retrieval proxy forwards to, as OpenAI clients take it (e.g. `http://fastchat-api:8000/v1`; `/v1` is added when missing).",
    schema: url.nullable(),
  },
  {
    name: 'KBGATE_UPSTREAM_API_KEY',
    default: '',
    description: 'API key sent to the upstream chat API.',
    schema: optionalText,
  },
  {
    name: 'KBGATE_PROXY_PASSAGES',
    default: '5',
    description:
      'Most knowledge-base passages the retrieval proxy adds to a chat request (0 disables retrieval).',
    schema: int(0, 50),
  },
  {
    name: 'KBGATE_PROXY_CONTEXT_CHARS',
    default: '6000',
    description:
      "Most characters of passage text the retrieval proxy adds to a chat request; within this, passages are added only while they fit the model's context, counted in tokens.",
    schema: int(200, 1_000_000),
  },
  {
    name: 'KBGATE_PROXY_MIN_RELEVANCE',
    default: String(DEFAULT_PROXY_MIN_RELEVANCE),
    description:
      "Least relevance (0-1: the share of the question's informative terms a passage covers, or calibrated embedding similarity) of a passage the retrieval proxy adds; questions with no passage this relevant go to the model unchanged.",
    schema: decimal.pipe(z.number().min(0).max(1)),
  },
  {
    name: 'KBGATE_UPSTREAM_CONTEXT_TOKENS',
    default: '4096',
    description:
      "The chat model's context length in tokens, used when the upstream does not report it (FastChat reports it through `/api/v1/token_check`); the retrieval proxy then estimates token counts conservatively.",
    schema: int(256, 10_000_000),
  },
  {
    name: 'KBGATE_UPSTREAM_TIMEOUT_MS',
    default: '30000',
    description: "Milliseconds to wait for the upstream's response headers before answering 504.",
    schema: int(1, 3_600_000),
  },
  {
    name: 'KBGATE_CHROMA_URL',
    default: '',
    description:
      'A Chroma server (or cluster) to be a stateless gateway over (e.g. `http://chroma:8000`): `/search`, the retrieval proxy, `kbgate ingest` and `kbgate collections` then use it and kbgate stores nothing itself; its own `/api/v2` collection routes are switched off.',
    schema: url.nullable(),
  },
  {
    name: 'KBGATE_CHROMA_TOKEN',
    default: '',
    description:
      "Token for Chroma's token authentication (sent as `x-chroma-token` and `Authorization: Bearer`).",
    schema: optionalText,
  },
  {
    name: 'KBGATE_CHROMA_TENANT',
    default: 'default_tenant',
    description: 'Chroma tenant of the collections, in gateway mode.',
    schema: z.string().min(1),
  },
  {
    name: 'KBGATE_CHROMA_DATABASE',
    default: 'default_database',
    description: 'Chroma database of the collections, in gateway mode.',
    schema: z.string().min(1),
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '',
    description:
      'OTLP/HTTP collector base URL; when set, one trace span per request is exported to `<url>/v1/traces`.',
    schema: url.nullable(),
  },
];

/** Every environment variable kbgate reads, with its documented default and meaning. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = SPECS.map(({ name, default: d, description }) => ({
  name,
  default: d,
  description,
}));

/** Renders {@link CONFIG_VARIABLES} as a Markdown table for the README. */
export function renderConfigTable(): string {
  const rows = CONFIG_VARIABLES.map(
    (v) => `| \`${v.name}\` | ${v.default === '' ? '(unset)' : `\`${v.default}\``} | ${v.description} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Accepts only embedding functions kbgate knows (`default`, `none`, `openai:<model>`, ...), naming them. */
function checkEmbeddingName(name: string, ctx: z.RefinementCtx): void {
  try {
    parseEmbeddingName(name);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
  }
}

/** Reads and validates the configuration; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const v = readVariables(env);
  const host = v.KBGATE_HOST as string;
  const port = v.KBGATE_PORT as number;
  const maxBatchSize = v.KBGATE_MAX_BATCH_SIZE as number;
  const dataDir = v.KBGATE_DATA_DIR as string;
  return {
    host,
    port,
    dataDir: dataDir === ':memory:' ? null : dataDir,
    authToken: v.KBGATE_AUTH_TOKEN as string | null,
    readTokens: parseReadTokens(v.KBGATE_READ_TOKEN as string | null),
    htpasswdFile: v.KBGATE_HTPASSWD_FILE as string | null,
    corsOrigins: parseOrigins((v.KBGATE_CORS_ORIGINS as string | null) ?? ''),
    allowReset: v.KBGATE_ALLOW_RESET as boolean,
    logLevel: v.KBGATE_LOG_LEVEL as Config['logLevel'],
    logRequests: v.KBGATE_LOG_REQUESTS as Config['logRequests'],
    slowRequestMs: v.KBGATE_SLOW_REQUEST_MS as number,
    maxBatchSize,
    maxBodyBytes: maxBatchSize * BODY_BYTES_PER_RECORD,
    publicUrl: stripSlash((v.KBGATE_PUBLIC_URL as string | null) ?? `http://${formatHost(host)}:${port}`),
    embedding: v.KBGATE_EMBEDDING as string,
    embeddingUrl: v.KBGATE_EMBEDDING_URL as string | null,
    embeddingApiKey: v.KBGATE_EMBEDDING_API_KEY as string | null,
    modelDir: v.KBGATE_MODEL_DIR as string | null,
    offline: v.KBGATE_OFFLINE as boolean,
    collection: v.KBGATE_COLLECTION as string,
    contactEmail: v.KBGATE_CONTACT_EMAIL as string,
    legalInfoUrl: v.KBGATE_LEGAL_INFO_URL as string | null,
    upstreamUrl: nullableStripSlash(v.KBGATE_UPSTREAM_URL as string | null),
    upstreamApiKey: v.KBGATE_UPSTREAM_API_KEY as string | null,
    proxyPassages: v.KBGATE_PROXY_PASSAGES as number,
    proxyContextChars: v.KBGATE_PROXY_CONTEXT_CHARS as number,
    proxyMinRelevance: v.KBGATE_PROXY_MIN_RELEVANCE as number,
    upstreamContextTokens: v.KBGATE_UPSTREAM_CONTEXT_TOKENS as number,
    upstreamTimeoutMs: v.KBGATE_UPSTREAM_TIMEOUT_MS as number,
    otlpEndpoint: nullableStripSlash(v.OTEL_EXPORTER_OTLP_ENDPOINT as string | null),
    chroma: chromaSettings(v),
  };
}

/** Gateway settings when KBGATE_CHROMA_URL is set; its URL may not carry a path (the client takes host and port). */
function chromaSettings(v: Record<string, unknown>): ChromaSettings | null {
  const raw = v.KBGATE_CHROMA_URL as string | null;
  if (raw === null) return null;
  const parsed = new URL(raw);
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new ConfigError(
      'KBGATE_CHROMA_URL',
      `must be scheme, host and port only, like http://chroma:8000 (got ${JSON.stringify(raw)}); put a token in KBGATE_CHROMA_TOKEN`,
    );
  }
  return {
    url: parsed.origin,
    token: v.KBGATE_CHROMA_TOKEN as string | null,
    tenant: v.KBGATE_CHROMA_TENANT as string,
    database: v.KBGATE_CHROMA_DATABASE as string,
  };
}

function readVariables(env: Env): Record<string, unknown> {
  for (const [name, reason] of Object.entries(REMOVED_VARIABLES)) {
    if ((env[name]?.trim() ?? '') !== '') throw new ConfigError(name, reason);
  }
  const out: Record<string, unknown> = {};
  for (const spec of SPECS) {
    const raw = env[spec.name]?.trim();
    const value = raw === undefined || raw === '' ? defaultFor(spec) : raw;
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(spec.name, `${reason} (got ${JSON.stringify(raw)})`);
    }
    out[spec.name] = parsed.data;
  }
  return out;
}

function defaultFor(spec: VariableSpec): string | null {
  if (spec.default === '' || spec.default.includes('<')) return null;
  return spec.default;
}

/** `[name:]token` entries, comma-separated; unnamed ones are `read-1`, `read-2`, ... in order. */
function parseReadTokens(list: string | null): NamedToken[] {
  const entries = (list ?? '').split(',').map((entry) => entry.trim());
  const tokens = entries
    .filter((entry) => entry !== '')
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const name = colon > 0 ? entry.slice(0, colon) : `read-${i + 1}`;
      const token = colon > 0 ? entry.slice(colon + 1) : entry;
      if (token === '' || /\s/.test(token)) {
        throw new ConfigError('KBGATE_READ_TOKEN', `token "${name}" is empty or holds white space`);
      }
      return { name, token };
    });
  const names = new Set(tokens.map((t) => t.name));
  if (names.size < tokens.length) throw new ConfigError('KBGATE_READ_TOKEN', 'two tokens have the same name');
  return tokens;
}

function parseOrigins(list: string): string[] {
  const origins = list
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'KBGATE_CORS_ORIGINS',
        `not an origin (scheme://host[:port]): ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins;
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

function nullableStripSlash(u: string | null): string | null {
  return u === null ? null : stripSlash(u);
}
