/** Copies an upstream response to the client: errors normalized, successes streamed chunk by chunk. */
import { once } from 'node:events';
import type { Response as ExpressResponse } from 'express';
import { normalizeUpstreamError } from './openai-error.js';
import { MAX_ERROR_BYTES, readLimited } from './read-limited.js';

/** Upstream response headers worth passing on; hop-by-hop, length, encoding and cookies are never copied. */
const COPIED_HEADERS = ['content-type', 'openai-model', 'openai-processing-ms', 'openai-version'];
const COPIED_PREFIXES = ['x-ratelimit-'];

/** Options of {@link relayResponse}. */
export interface RelayOptions {
  /** Headers added to the response (e.g. `X-Kbgate-Passages`). */
  headers?: Record<string, string>;
  /** Told when the upstream body fails after the response has started. */
  onBroken?: (err: unknown) => void;
}

/**
 * Relays the upstream's answer with `extraHeaders` added.
 *
 * @remarks
 * Headers are flushed before the first body byte and each chunk is written as it arrives, so server-sent events
 * reach the client while the model is still generating; `no-transform` and `X-Accel-Buffering: no` ask
 * compressing middleware and reverse proxies not to buffer it.
 */
export async function relayResponse(
  upstream: Response,
  res: ExpressResponse,
  options: RelayOptions = {},
): Promise<void> {
  const extraHeaders = options.headers ?? {};
  if (upstream.status >= 400) {
    const raw = await readLimited(upstream.body, MAX_ERROR_BYTES);
    res.status(upstream.status).set(extraHeaders).json(normalizeUpstreamError(upstream.status, raw));
    return;
  }
  res.status(upstream.status);
  copyHeaders(upstream.headers, res);
  res.set(extraHeaders);
  const contentType = upstream.headers.get('content-type') ?? '';
  const streaming = contentType.startsWith('text/event-stream');
  if (streaming) res.set({ 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  try {
    await pump(upstream.body, res);
    res.end();
  } catch (err) {
    if (res.destroyed) return;
    options.onBroken?.(err);
    if (streaming) endStreamWithError(res);
    else res.destroy(err instanceof Error ? err : undefined);
  }
}

function copyHeaders(headers: Headers, res: ExpressResponse): void {
  headers.forEach((value, name) => {
    if (COPIED_HEADERS.includes(name) || COPIED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      res.setHeader(name, value);
    }
  });
}

async function pump(body: ReadableStream<Uint8Array> | null, res: ExpressResponse): Promise<void> {
  if (body === null) return;
  for await (const chunk of body) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
}

/** Ends an event stream the upstream broke off with an error event, which OpenAI SDKs raise to the caller. */
function endStreamWithError(res: ExpressResponse): void {
  const message = 'Upstream stream ended unexpectedly';
  const event = { error: { message, type: 'upstream_error', code: 'upstream_stream_broken', param: null } };
  res.end(`data: ${JSON.stringify(event)}\n\n`);
}
