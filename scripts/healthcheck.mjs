#!/usr/bin/env node
/* global process, console, fetch, AbortSignal */
/**
 * Container health check: exits 0 when kbgate answers GET /api/v2/heartbeat with 200, 1 otherwise.
 *
 * @remarks
 * Plain Node with no dependencies, because the runtime image (node:20-bookworm-slim) has neither curl nor nc.
 * The heartbeat route needs no credentials, so the check works with `KBGATE_AUTH_TOKEN` set. An optional first
 * argument overrides the timeout in milliseconds.
 */

const DEFAULT_TIMEOUT_MS = 3000;

const port = process.env.KBGATE_PORT?.trim() || '8000';
const timeoutMs = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : DEFAULT_TIMEOUT_MS;
const url = `http://127.0.0.1:${port}/api/v2/heartbeat`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  if (res.status !== 200) {
    console.error(`unhealthy: ${url} answered ${res.status}`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  const reason = err instanceof Error ? (err.cause?.code ?? err.message) : String(err);
  console.error(`unhealthy: ${url}: ${reason}`);
  process.exit(1);
}
