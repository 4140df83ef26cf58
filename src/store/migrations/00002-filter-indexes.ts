/** Filters read only covering indexes: metadata rows carry their collection id; rowids are indexed per collection. */
import type { Migration } from '../migrate.js';

/**
 * Rebuilds `record_metadata` with a `collection_id` column (backfilled from `records`) and covering indexes.
 *
 * @remarks
 * - Each typed index is `(collection_id, key, in_array, value, record_rowid)`, partial on its value column being
 *   set: an equality leaf of a filter is one index range already in rowid order, and a range leaf is one range
 *   too (`in_array` before the value), without touching the wide `records` rows.
 * - `records_by_collection` is `(collection_id, rowid)`: the collection's rowids in order, for unfiltered pages
 *   and for the complement a negated filter subtracts from.
 * - `record_metadata_by_record` stays for replacing and cascading deletes of a record's rows.
 */
export const MIGRATION_00002_FILTER_INDEXES: Migration = {
  version: 2,
  name: 'filter-indexes',
  sql: `
CREATE TABLE record_metadata_new (
  collection_id TEXT NOT NULL,
  record_rowid INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  string_value TEXT,
  number_value REAL,
  bool_value INTEGER,
  in_array INTEGER NOT NULL DEFAULT 0
);
INSERT INTO record_metadata_new (collection_id, record_rowid, key, string_value, number_value, bool_value, in_array)
  SELECT r.collection_id, m.record_rowid, m.key, m.string_value, m.number_value, m.bool_value, m.in_array
  FROM record_metadata m JOIN records r ON r.rowid = m.record_rowid
  ORDER BY m.rowid;
DROP TABLE record_metadata;
ALTER TABLE record_metadata_new RENAME TO record_metadata;

CREATE INDEX record_metadata_by_record ON record_metadata (record_rowid);
CREATE INDEX record_metadata_by_string ON record_metadata (collection_id, key, in_array, string_value, record_rowid)
  WHERE string_value IS NOT NULL;
CREATE INDEX record_metadata_by_number ON record_metadata (collection_id, key, in_array, number_value, record_rowid)
  WHERE number_value IS NOT NULL;
CREATE INDEX record_metadata_by_bool ON record_metadata (collection_id, key, in_array, bool_value, record_rowid)
  WHERE bool_value IS NOT NULL;
CREATE INDEX records_by_collection ON records (collection_id);
`,
};
