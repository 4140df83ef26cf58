#!/usr/bin/env node
/* global process, console, fetch, AbortSignal */
/**
 * Container health check: exits 0 when kbgate answers GET /api/v2/heartbeat (alive) with 200, 1 otherwise; with
 * `--ready`, GET /api/v2/healthcheck (ready: indexes loaded, store writable, upstream answering) instead.
 *
 * @remarks
 * Plain Node with no dependencies, because the runtime image (node:20-bookworm-slim) has neither curl nor nc.
 * Both routes need no credentials, so the check works with `KBGATE_AUTH_TOKEN` set. A numeric argument overrides
 * the timeout in milliseconds.
 */

const DEFAULT_TIMEOUT_MS = 3000;

const port = process.env.KBGATE_PORT?.trim() || '8000';
const args = process.argv.slice(2);
const timeoutMs = Number(args.find((arg) => Number(arg) > 0) ?? DEFAULT_TIMEOUT_MS);
const path = args.includes('--ready') ? '/api/v2/healthcheck' : '/api/v2/heartbeat';
const url = `http://127.0.0.1:${port}${path}`;

try {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  if (res.status !== 200) {
    const reason = /"message":"([^"]*)"/.exec(body)?.[1];
    console.error(`unhealthy: ${url} answered ${res.status}${reason ? `: ${reason}` : ''}`);
    process.exit(1);
  }
  process.exit(0);
} catch (err) {
  const reason = err instanceof Error ? (err.cause?.code ?? err.message) : String(err);
  console.error(`unhealthy: ${url}: ${reason}`);
  process.exit(1);
}
