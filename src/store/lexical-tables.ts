/** One FTS5 table per collection, so BM25's term statistics describe that collection's documents only. */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { LexicalHit } from '../engine/ports.js';
import { ftsText, toFtsQuery } from './fts-text.js';
import type { StatementCache } from './statement-cache.js';

/** Prefix of every per-collection FTS5 table. */
export const FTS_TABLE_PREFIX = 'fts_';

/**
 * The tokenizer of every lexical table: porter stemming over unicode61 with folded diacritics; combining marks
 * (`M*`) count as word characters so Thai and Indic words are not cut at each vowel sign.
 */
const TOKENIZE = `porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'`;

/** The FTS5 table of a collection: a fixed name derived from its id, safe as an SQL identifier. */
export function ftsTableFor(collectionId: string): string {
  return FTS_TABLE_PREFIX + createHash('sha256').update(collectionId).digest('hex').slice(0, 32);
}

/** Creates the lexical table of a collection (contentless: the store writes pre-segmented text by rowid). */
export function createLexicalTable(db: BetterSqlite3.Database, collectionId: string): void {
  const sql =
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${ftsTableFor(collectionId)} USING fts5(` +
    `text, content = '', contentless_delete = 1, tokenize = "${TOKENIZE}")`;
  db.exec(sql);
}

/**
 * Reads and writes the per-collection lexical tables over one connection.
 *
 * @remarks Rows are keyed by record rowid. The caller owns transactions; dropping a collection drops its table.
 */
export class LexicalTables {
  readonly #db: BetterSqlite3.Database;
  readonly #sql: StatementCache;

  constructor(db: BetterSqlite3.Database, statements: StatementCache) {
    this.#db = db;
    this.#sql = statements;
  }

  /** Creates the collection's table. */
  create(collectionId: string): void {
    createLexicalTable(this.#db, collectionId);
  }

  /** Drops the collection's table. */
  drop(collectionId: string): void {
    this.#db.exec(`DROP TABLE IF EXISTS ${ftsTableFor(collectionId)}`);
  }

  /** Drops every lexical table (reset). */
  dropAll(): void {
    const names = this.#db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' AND name GLOB ?",
      )
      .pluck()
      .all(`${FTS_TABLE_PREFIX}*`) as string[];
    for (const name of names) this.#db.exec(`DROP TABLE IF EXISTS ${name}`);
  }

  /** Indexes (or re-indexes) one record's document; a null document removes it. */
  put(collectionId: string, rowid: number, document: string | null): void {
    const table = ftsTableFor(collectionId);
    this.#sql.get(`DELETE FROM ${table} WHERE rowid = ?`).run(rowid);
    if (document !== null)
      this.#sql.get(`INSERT INTO ${table} (rowid, text) VALUES (?, ?)`).run(rowid, ftsText(document));
  }

  /** Removes records from the collection's table. */
  delete(collectionId: string, rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    const table = ftsTableFor(collectionId);
    this.#sql
      .get(`DELETE FROM ${table} WHERE rowid IN (SELECT value FROM json_each(?))`)
      .run(JSON.stringify(rowids));
  }

  /**
   * BM25 search of the collection's documents, best first; `allowed` restricts hits to those rowids.
   *
   * @remarks `query` is free text (see {@link toFtsQuery}); scores are `-bm25`, so higher is better.
   */
  search(collectionId: string, query: string, k: number, allowed?: Iterable<number>): LexicalHit[] {
    const match = toFtsQuery(query);
    if (match === null || k <= 0) return [];
    const table = ftsTableFor(collectionId);
    const restrict = allowed === undefined ? '' : 'AND rowid IN (SELECT value FROM json_each(?))';
    const sql =
      `SELECT rowid, -bm25(${table}) AS score FROM ${table} ` +
      `WHERE ${table} MATCH ? ${restrict} ORDER BY bm25(${table}) LIMIT ?`;
    const params: unknown[] = [match];
    if (allowed !== undefined) params.push(JSON.stringify([...allowed]));
    return this.#sql.get(sql).all(...params, k) as LexicalHit[];
  }
}
