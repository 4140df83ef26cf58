/** Prepared statements compiled once per SQL text and reused. */
import type BetterSqlite3 from 'better-sqlite3';

/** How many statements a cache keeps; filters of many shapes produce many SQL texts. */
const STATEMENT_CACHE_LIMIT = 512;

/**
 * Lazily prepares and caches statements of one connection, keyed by their SQL text.
 *
 * @remarks Bounded: the least recently used statement is dropped beyond {@link STATEMENT_CACHE_LIMIT}.
 */
export class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  /** The prepared statement for `sql`, compiling it on first use. */
  get(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) this.#evictOldest();
    } else {
      this.#statements.delete(sql);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  #evictOldest(): void {
    const oldest = this.#statements.keys().next();
    if (oldest.done !== true) this.#statements.delete(oldest.value);
  }
}
