/** Embeddings move out of `records` into their own table, so record rows stay small. */
import type { Migration } from '../migrate.js';

/**
 * Moves every embedding BLOB into `record_embeddings` (keyed by the record's rowid) and drops the column.
 *
 * @remarks A 384-dimension embedding is 1.5 KB: inline, it left about two records per page, so every scan,
 * id lookup and rowid lookup of `records` read pages full of vectors it did not want. A record without an
 * embedding has no row here; rows go with their record by cascade.
 */
export const MIGRATION_00003_RECORD_EMBEDDINGS: Migration = {
  version: 3,
  name: 'record-embeddings',
  sql: `
CREATE TABLE record_embeddings (
  rowid INTEGER PRIMARY KEY REFERENCES records(rowid) ON DELETE CASCADE,
  embedding BLOB NOT NULL
);
INSERT INTO record_embeddings (rowid, embedding)
  SELECT rowid, embedding FROM records WHERE embedding IS NOT NULL ORDER BY rowid;
ALTER TABLE records DROP COLUMN embedding;
`,
};
