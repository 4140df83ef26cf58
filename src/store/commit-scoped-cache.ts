/** Memoized reads that stay valid until any connection commits a write. */

/** Entries kept at most; beyond it the cache starts over (reads of many distinct filters rarely repeat). */
const MAX_ENTRIES = 256;

/**
 * Caches read results between commits: valid while SQLite's `data_version` (which moves when another
 * connection commits) is unchanged and this connection has not written since.
 *
 * @remarks Callers bypass it inside their own write transactions, where they may read what they just wrote.
 * Cached values are shared: callers must not mutate them. `data_version` is read once per synchronous run of code
 * (until the next microtask) unless a connection of this process writes meanwhile: a request's several look-ups then
 * cost one statement. Commits by other processes are seen from the next run on, as if they had landed after it.
 */
export class CommitScopedCache {
  /** Write transactions ended by any connection of this process (each cache's {@link invalidate} counts one). */
  static #localWrites = 0;

  readonly #readVersion: () => number;
  readonly #entries = new Map<string, unknown>();
  #version = Number.NaN;
  /** Whether `data_version` was read in the current synchronous run, and {@link #localWrites} then. */
  #checked = false;
  #writesSeen = 0;
  readonly #expire = (): void => {
    this.#checked = false;
  };

  constructor(readVersion: () => number) {
    this.#readVersion = readVersion;
  }

  /** The cached value under `key`, loading (and caching) it when absent or stale. */
  get<T>(key: string, load: () => T): T {
    if (!this.#checked || this.#writesSeen !== CommitScopedCache.#localWrites) {
      if (!this.#checked) queueMicrotask(this.#expire);
      this.#checked = true;
      this.#writesSeen = CommitScopedCache.#localWrites;
      const version = this.#readVersion();
      if (version !== this.#version) {
        this.#entries.clear();
        this.#version = version;
      }
    }
    if (this.#entries.has(key)) return this.#entries.get(key) as T;
    const value = load();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, value);
    return value;
  }

  /** Forgets everything (after this connection wrote); other connections of this process re-check their version. */
  invalidate(): void {
    CommitScopedCache.#localWrites++;
    this.#entries.clear();
  }
}
