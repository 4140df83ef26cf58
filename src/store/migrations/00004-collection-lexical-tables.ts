/** The shared FTS5 table becomes one table per collection, so BM25 statistics are per collection. */
import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migrate.js';
import { ftsText } from '../fts-text.js';
import { createLexicalTable, ftsTableFor } from '../lexical-tables.js';

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
      createLexicalTable(db, id);
      const insert = db.prepare(`INSERT INTO ${ftsTableFor(id)} (rowid, text) VALUES (?, ?)`);
      for (let after = 0; ;) {
        const rows = page.all(id, after) as { rowid: number; document: string }[];
        if (rows.length === 0) break;
        for (const row of rows) insert.run(row.rowid, ftsText(row.document));
        after = rows[rows.length - 1]!.rowid;
      }
    }
  },
};
