/** Embeddings from an OpenAI-compatible server: FastChat's openai_api_server, vLLM, Ollama or OpenAI itself. */
import { EngineError } from '../engine/errors.js';
import type { EmbeddingFunction } from '../engine/ports.js';

/** Texts per request unless configured otherwise. */
export const DEFAULT_OPENAI_BATCH_SIZE = 64;
/** Per-request timeout unless configured otherwise. */
export const DEFAULT_OPENAI_TIMEOUT_MS = 30_000;
/** Retries after the first attempt unless configured otherwise. */
export const DEFAULT_OPENAI_MAX_RETRIES = 3;

// A server asking for a longer pause than this is not waited for any longer.
const MAX_RETRY_AFTER_MS = 60_000;
const BODY_SNIPPET_CHARS = 200;

/** Where the server is and how hard to try. */
export interface OpenAICompatibleEmbeddingOptions {
  /** Base URL as OpenAI clients take it, ending in `/v1`, e.g. `http://fastchat-api-server:8000/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff delay; doubles on each retry, with jitter. */
  retryBaseDelayMs?: number;
  /** Upper bound of the exponential backoff delay. */
  retryMaxDelayMs?: number;
  /** Jitter source in [0, 1); tests pass a seeded one. */
  random?: () => number;
  /** How to wait between attempts; tests pass one that records the delay. */
  sleep?: (ms: number) => Promise<void>;
}

type Settings = Required<Omit<OpenAICompatibleEmbeddingOptions, 'apiKey'>> & { apiKey?: string };

/** One attempt's result: vectors, or a transient failure worth retrying. */
type Attempt = { vectors: Float32Array[] } | { transient: string; retryAfterMs?: number; cause?: unknown };

/**
 * Calls `POST {baseUrl}/embeddings` in batches, retrying 429, 5xx, network errors and timeouts with backoff.
 *
 * @remarks
 * Every response is validated (one finite vector per input, ordered by `index`, one dimension across the call);
 * anything else, or a failure that outlasts the retries, is an UNAVAILABLE error.
 */
export class OpenAICompatibleEmbedding implements EmbeddingFunction {
  readonly name: string;
  readonly #settings: Settings;
  readonly #url: string;

  constructor(options: OpenAICompatibleEmbeddingOptions) {
    this.#settings = {
      batchSize: DEFAULT_OPENAI_BATCH_SIZE,
      timeoutMs: DEFAULT_OPENAI_TIMEOUT_MS,
      maxRetries: DEFAULT_OPENAI_MAX_RETRIES,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 10_000,
      random: Math.random,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...withoutUndefined(options),
      baseUrl: options.baseUrl,
      model: options.model,
    };
    validateSettings(this.#settings);
    this.name = `openai:${options.model}`;
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  }

  /** Embeds texts, one request per batch; one vector per text, in input order. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#settings.batchSize) {
      const batch = await this.#embedBatch(texts.slice(start, start + this.#settings.batchSize));
      const dimension = vectors[0]?.length;
      if (dimension !== undefined && batch[0] && batch[0].length !== dimension) {
        throw this.#unavailable(`changed the embedding dimension from ${dimension} to ${batch[0].length}`);
      }
      vectors.push(...batch);
    }
    return vectors;
  }

  async #embedBatch(texts: string[]): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(texts);
      if ('vectors' in outcome) return outcome.vectors;
      if (attempt >= this.#settings.maxRetries) {
        const tries = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
        throw this.#unavailable(`failed after ${tries}: ${outcome.transient}`, outcome.cause);
      }
      await this.#settings.sleep(this.#delay(attempt, outcome.retryAfterMs));
    }
  }

  async #attempt(texts: string[]): Promise<Attempt> {
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers(),
        body: JSON.stringify({ model: this.#settings.model, input: texts }),
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (err) {
      return { transient: describeFetchError(err, this.#settings.timeoutMs), cause: err };
    }
    if (status === 429 || status >= 500) {
      return { transient: `HTTP ${status} ${snippet(text)}`, retryAfterMs: parseRetryAfter(retryAfter) };
    }
    if (status < 200 || status >= 300) {
      const hint = status === 401 || status === 403 ? ' (check KBGATE_EMBEDDING_API_KEY)' : '';
      throw this.#unavailable(`answered HTTP ${status}${hint}: ${snippet(text)}`);
    }
    return { vectors: this.#parseBody(text, texts.length) };
  }

  #parseBody(text: string, count: number): Float32Array[] {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw this.#unavailable(`answered with a body that is not JSON: ${snippet(text)}`, err);
    }
    const parsed = parseEmbeddingResponse(body, count);
    if (typeof parsed === 'string') throw this.#unavailable(`answered with a malformed response: ${parsed}`);
    return parsed;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.#settings.apiKey) headers.authorization = `Bearer ${this.#settings.apiKey}`;
    return headers;
  }

  /** Exponential backoff with equal jitter, unless the server said how long to wait. */
  #delay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
    const ceiling = Math.min(this.#settings.retryMaxDelayMs, this.#settings.retryBaseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.#settings.random());
  }

  #unavailable(problem: string, cause?: unknown): EngineError {
    return new EngineError(
      'UNAVAILABLE',
      `embedding server ${this.#url} (model ${this.#settings.model}) ${problem}`,
      {
        cause,
      },
    );
  }
}

/**
 * Validates an OpenAI embeddings response for `count` inputs; returns the vectors in input order or a problem.
 *
 * @remarks
 * Servers may return `data` in any order; `index` says which input each item belongs to.
 */
export function parseEmbeddingResponse(body: unknown, count: number): Float32Array[] | string {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) return '`data` is not an array';
  if (data.length !== count) return `expected ${count} embeddings, got ${data.length}`;
  const vectors: Float32Array[] = new Array<Float32Array>(count);
  for (const item of data) {
    const index = isRecord(item) ? item.index : undefined;
    if (
      typeof index !== 'number' ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= count ||
      vectors[index]
    ) {
      return `bad or repeated index ${JSON.stringify(index)}`;
    }
    const embedding = isRecord(item) ? item.embedding : undefined;
    if (!Array.isArray(embedding) || embedding.length === 0)
      return `embedding ${index} is not a non-empty array`;
    if (!embedding.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return `embedding ${index} holds values that are not finite numbers`;
    }
    if (vectors.some((v) => v && v.length !== embedding.length)) return 'embeddings differ in dimension';
    vectors[index] = Float32Array.from(embedding as number[]);
  }
  return vectors;
}

/** Milliseconds to wait from a `Retry-After` header (seconds or an HTTP date), when it is usable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}

function validateSettings(settings: Settings): void {
  if (!/^https?:\/\//i.test(settings.baseUrl)) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `embedding URL must be http(s), got ${JSON.stringify(settings.baseUrl)}`,
    );
  }
  for (const key of ['batchSize', 'timeoutMs'] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1) {
      throw new EngineError('INVALID_ARGUMENT', `${key} must be a positive integer, got ${settings[key]}`);
    }
  }
  if (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `maxRetries must be a non-negative integer, got ${settings.maxRetries}`,
    );
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_SNIPPET_CHARS ? `${flat.slice(0, BODY_SNIPPET_CHARS)}...` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
