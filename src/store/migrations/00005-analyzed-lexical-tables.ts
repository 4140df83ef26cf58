/** Lexical tables hold analyzed text (per-language stems, identifier parts) in two columns: head and body. */
import type BetterSqlite3 from 'better-sqlite3';
import type { Metadata } from '../../engine/types.js';
import type { Migration } from '../migrate.js';
import { createLexicalTable, ftsTableFor, insertLexicalRow } from '../lexical-tables.js';

/**
 * Rebuilds every collection's lexical table from `records`: the title and headings from the metadata go into
 * `head`, the document into `body`, both through the current analyzer.
 */
export const MIGRATION_00005_ANALYZED_LEXICAL_TABLES: Migration = {
  version: 5,
  name: 'analyzed-lexical-tables',
  sql: '',
  run(db: BetterSqlite3.Database): void {
    const collections = db.prepare('SELECT id FROM collections').pluck().all() as string[];
    const page = db.prepare(
      'SELECT rowid, document, metadata FROM records WHERE collection_id = ? AND document IS NOT NULL ' +
        'AND rowid > ? ORDER BY rowid LIMIT 1000',
    );
    for (const id of collections) {
      db.exec(`DROP TABLE IF EXISTS ${ftsTableFor(id)}`);
      createLexicalTable(db, id);
      const insert = db.prepare(`INSERT INTO ${ftsTableFor(id)} (rowid, head, body) VALUES (?, ?, ?)`);
      for (let after = 0; ;) {
        const rows = page.all(id, after) as { rowid: number; document: string; metadata: string | null }[];
        if (rows.length === 0) break;
        for (const row of rows) {
          const metadata = row.metadata === null ? null : (JSON.parse(row.metadata) as Metadata);
          insertLexicalRow(insert, row.rowid, row.document, metadata);
        }
        after = rows[rows.length - 1]!.rowid;
      }
    }
  },
};
