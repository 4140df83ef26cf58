/** The shared FTS5 table becomes one table per collection, so BM25 statistics are per collection. */
import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migrate.js';
import { segmentWords } from '../../text/tokenize.js';
import { ftsTableFor } from '../lexical-tables.js';

/** The per-collection table as this version made it (migration 5 replaces it); frozen here, not shared. */
const TOKENIZE_V4 = `porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'`;

/**
 * Creates each collection's lexical table, indexes its documents (the old table was contentless, so the text
 * is re-segmented from `records.document`), and drops the shared table with its delete trigger.
 */
export const MIGRATION_00004_COLLECTION_LEXICAL_TABLES: Migration = {
  version: 4,
  name: 'collection-lexical-tables',
  sql: `
DROP TRIGGER IF EXISTS records_fts_on_delete;
DROP TABLE IF EXISTS records_fts;
`,
  run(db: BetterSqlite3.Database): void {
    const collections = db.prepare('SELECT id FROM collections').pluck().all() as string[];
    const page = db.prepare(
      'SELECT rowid, document FROM records WHERE collection_id = ? AND document IS NOT NULL AND rowid > ? ' +
        'ORDER BY rowid LIMIT 1000',
    );
    for (const id of collections) {
      const table = ftsTableFor(id);
      db.exec(
        `CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING fts5(` +
          `text, content = '', contentless_delete = 1, tokenize = "${TOKENIZE_V4}")`,
      );
      const insert = db.prepare(`INSERT INTO ${table} (rowid, text) VALUES (?, ?)`);
      for (let after = 0; ;) {
        const rows = page.all(id, after) as { rowid: number; document: string }[];
        if (rows.length === 0) break;
        for (const row of rows) insert.run(row.rowid, segmentWords(row.document));
        after = rows[rows.length - 1]!.rowid;
      }
    }
  },
};
