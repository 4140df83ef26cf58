/** Memoized reads that stay valid until any connection commits a write. */

/** Entries kept at most; beyond it the cache starts over (reads of many distinct filters rarely repeat). */
const MAX_ENTRIES = 256;

/**
 * Caches read results between commits: valid while SQLite's `data_version` (which moves when another
 * connection commits) is unchanged and this connection has not written since.
 *
 * @remarks Callers bypass it inside their own write transactions, where they may read what they just wrote.
 * Cached values are shared: callers must not mutate them.
 */
export class CommitScopedCache {
  readonly #readVersion: () => number;
  readonly #entries = new Map<string, unknown>();
  #version = Number.NaN;

  constructor(readVersion: () => number) {
    this.#readVersion = readVersion;
  }

  /** The cached value under `key`, loading (and caching) it when absent or stale. */
  get<T>(key: string, load: () => T): T {
    const version = this.#readVersion();
    if (version !== this.#version) {
      this.#entries.clear();
      this.#version = version;
    }
    if (this.#entries.has(key)) return this.#entries.get(key) as T;
    const value = load();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  /** Forgets everything (after this connection wrote). */
  invalidate(): void {
    this.#entries.clear();
  }
}
