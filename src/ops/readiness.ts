/** Readiness: whether this server should be sent traffic, as opposed to whether it is alive (the heartbeat). */
import { accessSync, constants, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DATABASE_FILE } from '../engine-factory.js';
import { isBusy } from '../store/sqlite-errors.js';
import { upstreamBaseUrl } from '../http/openai/upstream-client.js';

/** What {@link Readiness} watches. */
export interface ReadinessOptions {
  /** Data directory whose store must be writable; null for a server in memory (always writable). */
  dataDir: string | null;
  /** The retrieval proxy's upstream, probed with `GET /v1/models`; null when none is configured. */
  upstream: { url: string; apiKey: string | null } | null;
  /** Milliseconds between upstream probes (default 15 s). */
  upstreamEveryMs?: number;
  /** Milliseconds a probe may take (default 3 s). */
  probeTimeoutMs?: number;
  /** Milliseconds a store probe's result is reused, so that a public route cannot make the server write often. */
  storeCacheMs?: number;
  fetch?: typeof fetch;
  /** Gateway mode: the Chroma server, probed in the background; null or absent in embedded mode. */
  chroma?: { url: string; probe: () => Promise<void>; everyMs?: number } | null;
}

/** The state of each readiness check; a string says what is wrong, null means fine. */
export interface ReadinessReport {
  ready: boolean;
  checks: { starting: string | null; store: string | null; upstream: string | null; chroma?: string | null };
}

const STOPPED = 'shutting down';

/** The report's problems as one phrase (`loading vector indexes 1/3; upstream unreachable (ECONNREFUSED)`). */
export function describeProblems(report: ReadinessReport): string {
  return Object.values(report.checks)
    .filter((c): c is string => c !== null)
    .join('; ');
}

/**
 * Tracks the conditions under which a server should not be sent traffic: starting up (vector indexes loading),
 * shutting down, a store that cannot be written, an upstream chat API that does not answer.
 *
 * @remarks
 * The store is probed on demand (a small file written in the data directory, then `BEGIN IMMEDIATE` on a connection
 * of its own, without waiting: a lock held by another writer means the store is writable, just busy) and the result
 * kept for a few seconds. The upstream is probed in the background, so a readiness request never waits on it.
 */
export class Readiness {
  readonly #options: ReadinessOptions;
  #starting: string | null = 'starting';
  #store: { at: number; problem: string | null } | null = null;
  #upstream: string | null;
  #probe: BetterSqlite3.Database | null = null;
  #timer: NodeJS.Timeout | null = null;
  #chroma: string | null = null;
  #chromaTimer: NodeJS.Timeout | null = null;

  constructor(options: ReadinessOptions) {
    this.#options = options;
    this.#upstream = options.upstream === null ? null : 'upstream not checked yet';
    if (options.chroma) this.#chroma = `Chroma at ${options.chroma.url} not checked yet`;
  }

  /** Starts the background upstream and Chroma probes (their first runs at once). */
  start(): void {
    const chroma = this.#options.chroma;
    if (chroma && this.#chromaTimer === null) {
      void this.#probeChroma();
      this.#chromaTimer = setInterval(() => void this.#probeChroma(), chroma.everyMs ?? 2_000);
      this.#chromaTimer.unref();
    }
    if (this.#options.upstream === null || this.#timer !== null) return;
    void this.#probeUpstream();
    this.#timer = setInterval(() => void this.#probeUpstream(), this.#options.upstreamEveryMs ?? 15_000);
    this.#timer.unref();
  }

  /** Says what the server is doing instead of serving (`loading vector indexes 2/5`), or null once it serves. */
  setStarting(what: string | null): void {
    if (this.#starting !== STOPPED) this.#starting = what;
  }

  /** Marks the server as going away for good and stops probing. */
  stop(): void {
    this.#starting = STOPPED;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#chromaTimer !== null) clearInterval(this.#chromaTimer);
    this.#chromaTimer = null;
    this.#probe?.close();
    this.#probe = null;
  }

  /** The current report; probes the store when its last result is stale. */
  report(): ReadinessReport {
    const checks: ReadinessReport['checks'] = {
      starting: this.#starting,
      store: this.#checkStore(),
      upstream: this.#upstream,
    };
    if (this.#options.chroma) checks.chroma = this.#chroma;
    return { ready: Object.values(checks).every((c) => c === null), checks };
  }

  #checkStore(): string | null {
    const { dataDir } = this.#options;
    if (dataDir === null || this.#starting === STOPPED) return null;
    const now = Date.now();
    if (this.#store !== null && now - this.#store.at < (this.#options.storeCacheMs ?? 2_000)) {
      return this.#store.problem;
    }
    this.#store = { at: now, problem: this.#probeStore(dataDir) };
    return this.#store.problem;
  }

  #probeStore(dataDir: string): string | null {
    const file = join(dataDir, `.ready-${process.pid}`);
    try {
      writeFileSync(file, 'ready\n', { flush: true });
      rmSync(file, { force: true });
    } catch (err) {
      return `data directory not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
    try {
      this.#probe ??= new BetterSqlite3(join(dataDir, DATABASE_FILE), { fileMustExist: true, timeout: 0 });
      this.#probe.exec('BEGIN IMMEDIATE');
      this.#probe.exec('ROLLBACK');
    } catch (err) {
      if (isBusy(err)) return null;
      this.#probe?.close();
      this.#probe = null;
      return `store not writable (${(err as { code?: string }).code ?? String(err)})`;
    }
    try {
      // SQLite opens a file it may not write read-only without a word, and BEGIN IMMEDIATE writes nothing.
      accessSync(join(dataDir, DATABASE_FILE), constants.W_OK);
      return null;
    } catch (err) {
      return `database file not writable (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
  }

  async #probeChroma(): Promise<void> {
    const chroma = this.#options.chroma;
    if (!chroma) return;
    try {
      await chroma.probe();
      this.#chroma = null;
    } catch (err) {
      // The healthcheck is public: name the setting rather than the internal address.
      this.#chroma = (err as Error).message.replaceAll(chroma.url, 'KBGATE_CHROMA_URL');
    }
  }

  async #probeUpstream(): Promise<void> {
    const upstream = this.#options.upstream;
    if (upstream === null) return;
    const url = `${upstreamBaseUrl(upstream.url)}/models`;
    const headers: Record<string, string> = upstream.apiKey
      ? { authorization: `Bearer ${upstream.apiKey}` }
      : {};
    try {
      const res = await (this.#options.fetch ?? fetch)(url, {
        headers,
        signal: AbortSignal.timeout(this.#options.probeTimeoutMs ?? 3_000),
      });
      await res.arrayBuffer();
      this.#upstream = res.ok ? null : `upstream answered ${res.status} to GET /v1/models`;
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      this.#upstream = `upstream unreachable (${reason})`;
    }
  }
}
