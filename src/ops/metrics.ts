/** Prometheus instruments of one kbgate process, and the one-line recorders its components call. */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's registry: HTTP, embedding, retrieval proxy and upstream instruments (and, once a server exposes
 * them, Node's process metrics). Store-derived gauges are read per scrape by the `/metrics` route.
 */
export const metricsRegistry = new Registry();

/** Seconds: from a cached read (1 ms) to a long model call (60 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const httpDuration = new Histogram({
  name: 'kbgate_http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status, with their latency (to the last byte)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const embeddingDuration = new Histogram({
  name: 'kbgate_embedding_duration_seconds',
  help: 'Embedding calls by function, kind (document or query) and outcome, with their latency',
  labelNames: ['function', 'kind', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const embeddingTexts = new Counter({
  name: 'kbgate_embedding_texts_total',
  help: 'Texts sent to embedding functions, by function and kind',
  labelNames: ['function', 'kind'] as const,
  registers: [metricsRegistry],
});

const chatRequests = new Counter({
  name: 'kbgate_proxy_chat_requests_total',
  help: 'Chat requests through the retrieval proxy by retrieval outcome (added, below-threshold, housekeeping, ...)',
  labelNames: ['retrieval'] as const,
  registers: [metricsRegistry],
});

const passagesAdded = new Counter({
  name: 'kbgate_proxy_passages_added_total',
  help: 'Knowledge-base passages the retrieval proxy added to chat requests',
  registers: [metricsRegistry],
});

const upstreamDuration = new Histogram({
  name: 'kbgate_upstream_request_duration_seconds',
  help: 'Requests the upstream chat API answered, by operation and status: time to response headers',
  labelNames: ['operation', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const upstreamFailures = new Counter({
  name: 'kbgate_upstream_failures_total',
  help: 'Requests the upstream chat API did not answer, by operation and reason (timeout, unreachable, not_configured)',
  labelNames: ['operation', 'reason'] as const,
  registers: [metricsRegistry],
});

/** Upstream paths with a label of their own; any other path is `other`, so clients cannot mint label values. */
const UPSTREAM_OPERATIONS = new Set([
  '/chat/completions',
  '/completions',
  '/embeddings',
  '/models',
  '/api/v1/token_check',
]);

let defaultsRegistered = false;

/** Adds Node's process metrics (CPU, memory, event loop lag, GC) once; called by the server's `/metrics` route. */
export function registerProcessMetrics(): void {
  if (defaultsRegistered) return;
  defaultsRegistered = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** Records one answered HTTP request. */
export function recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpDuration.observe({ method, route, status: String(status) }, seconds);
}

/** Records one call of an embedding function over `texts` texts. */
export function recordEmbedding(
  fn: string,
  kind: 'document' | 'query',
  texts: number,
  seconds: number,
  ok: boolean,
): void {
  embeddingDuration.observe({ function: fn, kind, outcome: ok ? 'ok' : 'error' }, seconds);
  embeddingTexts.inc({ function: fn, kind }, texts);
}

/** Records what the retrieval proxy did for one chat request. */
export function recordChatRetrieval(outcome: string, passages: number): void {
  chatRequests.inc({ retrieval: outcome });
  if (passages > 0) passagesAdded.inc(passages);
}

/** Records one upstream request: its status when answered, else why not (TIMEOUT, UNREACHABLE, NOT_CONFIGURED). */
export function recordUpstream(path: string, answer: number | string, seconds: number): void {
  const bare = path.split('?')[0] ?? '';
  const operation = UPSTREAM_OPERATIONS.has(bare) ? bare : 'other';
  if (typeof answer === 'number') upstreamDuration.observe({ operation, status: String(answer) }, seconds);
  else upstreamFailures.inc({ operation, reason: answer.toLowerCase() });
}
