/** The retrieval proxy's HTTP client for the upstream OpenAI-compatible API (FastChat's openai_api_server). */
import { recordUpstream } from '../../ops/metrics.js';
import { redactSecrets } from './redact.js';
import { MAX_ERROR_BYTES, readLimited } from './read-limited.js';

/** Why the upstream could not be used: nothing answered, or no response headers came within the timeout. */
export type UpstreamFailure = 'UNREACHABLE' | 'TIMEOUT' | 'NOT_CONFIGURED';

/** A request the upstream never answered; `kind` says why. */
export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

/** Where the upstream is and how to call it. */
export interface UpstreamOptions {
  /** Base URL as OpenAI clients take it; `/v1` is added when missing. Null when not configured. */
  baseUrl: string | null;
  apiKey: string | null;
  /** Milliseconds to wait for response headers. */
  timeoutMs: number;
  /** Secrets besides the API key never to relay from an upstream error body (kbgate's own tokens). */
  secrets?: readonly string[];
}

/** One request to forward. */
export interface UpstreamRequest {
  method: string;
  /** Path below `/v1`, with its query string (`/chat/completions`, `/models?x=1`), or below the root (`root`). */
  path: string;
  /** The path is below the server's root rather than `/v1` (FastChat's `/api/v1/token_check`). */
  root?: boolean;
  /** Milliseconds to wait for response headers, instead of the configured timeout. */
  timeoutMs?: number;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** Aborted when the client goes away; cancels the upstream request and its body. */
  signal: AbortSignal;
}

/** Returns the base URL ending in `/v1`, as FastChat serves its API there. */
export function upstreamBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}

/**
 * Sends requests to the upstream with the configured key and a response-headers timeout.
 *
 * @remarks
 * The timeout covers only the wait for response headers: a streamed answer may take as long as the model needs.
 * The caller's credentials are never forwarded; the upstream key (if any) replaces them.
 */
export class UpstreamClient {
  readonly #baseUrl: string | null;
  readonly #rootUrl: string | null;
  readonly #apiKey: string | null;
  readonly #timeoutMs: number;
  readonly #secrets: readonly string[];

  constructor(options: UpstreamOptions) {
    this.#baseUrl = options.baseUrl === null ? null : upstreamBaseUrl(options.baseUrl);
    this.#rootUrl = this.#baseUrl === null ? null : this.#baseUrl.replace(/\/v1$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs;
    this.#secrets = [...(options.apiKey === null ? [] : [options.apiKey]), ...(options.secrets ?? [])];
  }

  /** Sends the request; resolves with the response once its headers arrive, or throws {@link UpstreamError}. */
  async send(request: UpstreamRequest): Promise<Response> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await this.#redactError(await this.#send(request));
      recordUpstream(request.path, response.status, seconds());
      return response;
    } catch (err) {
      if (err instanceof UpstreamError) recordUpstream(request.path, err.kind, seconds());
      throw err;
    }
  }

  async #send(request: UpstreamRequest): Promise<Response> {
    const base = request.root === true ? this.#rootUrl : this.#baseUrl;
    if (base === null) {
      throw new UpstreamError('NOT_CONFIGURED', 'No upstream chat API is configured (KBGATE_UPSTREAM_URL)');
    }
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    try {
      return await fetch(`${base}${request.path}`, {
        method: request.method,
        headers: this.#headers(request.headers),
        body: request.body,
        signal: AbortSignal.any([request.signal, timeout.signal]),
        redirect: 'manual',
      });
    } catch (err) {
      if (request.signal.aborted) throw err;
      if (timeout.signal.aborted) {
        throw new UpstreamError('TIMEOUT', `Upstream did not answer within ${timeoutMs} ms`, {
          cause: err,
        });
      }
      throw new UpstreamError('UNREACHABLE', 'Upstream chat API is unreachable', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An error response with its body (its first {@link MAX_ERROR_BYTES}) cleared of the API key and kbgate's tokens,
   * since an upstream may echo the key it was given and its error bodies are relayed to clients.
   */
  async #redactError(response: Response): Promise<Response> {
    if (response.status < 400) return response;
    const raw = await readLimited(response.body, MAX_ERROR_BYTES);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(redactSecrets(raw, this.#secrets), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  #headers(headers: Record<string, string>): Record<string, string> {
    // Identity encoding: fetch would otherwise decompress, and the relayed bytes must match the headers sent on.
    const out: Record<string, string> = { ...headers, 'accept-encoding': 'identity' };
    if (this.#apiKey !== null) out.authorization = `Bearer ${this.#apiKey}`;
    return out;
  }
}
