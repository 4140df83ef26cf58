/** The first schema: catalog, records, their filterable metadata, delete tombstones and the FTS5 index. */
import type { Migration } from '../migrate.js';

/**
 * Creates every table of the store.
 *
 * @remarks
 * - `records.rowid` is AUTOINCREMENT so a rowid is never reused: it doubles as the vector index label, and a
 *   stale cache must never confuse a new record with a deleted one.
 * - `record_metadata` holds one row per scalar or per array element (`in_array = 1`), with one typed value
 *   column per type, so SQL comparisons stay type-exact (`true` never equals `1`).
 * - `records_fts` is contentless with `contentless_delete=1`: the store writes the (pre-segmented) text and
 *   deletes rows by rowid; a trigger removes them whenever a record row goes, including through cascades.
 * - `records_fts` counts combining marks (`M*`) as token characters, so Thai and Indic words are not cut at every
 *   vowel sign; Latin accents are still folded by `remove_diacritics 2`.
 * - `collections.seq` counts write transactions; `history_floor` is the seq below which tombstones were pruned.
 */
export const MIGRATION_00001_INITIAL: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE tenants (
  name TEXT PRIMARY KEY NOT NULL
);

CREATE TABLE databases (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
  UNIQUE (tenant, name)
);

CREATE TABLE collections (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  tenant TEXT NOT NULL,
  database TEXT NOT NULL,
  metadata TEXT,
  configuration TEXT NOT NULL,
  hnsw TEXT NOT NULL,
  dimension INTEGER,
  embedding TEXT,
  seq INTEGER NOT NULL DEFAULT 0,
  history_floor INTEGER NOT NULL DEFAULT 0,
  UNIQUE (tenant, database, name),
  FOREIGN KEY (tenant, database) REFERENCES databases(tenant, name) ON DELETE CASCADE
);

CREATE TABLE records (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  embedding BLOB,
  document TEXT,
  uri TEXT,
  metadata TEXT,
  UNIQUE (collection_id, id)
);
CREATE INDEX records_by_seq ON records (collection_id, seq);

CREATE TABLE record_metadata (
  record_rowid INTEGER NOT NULL REFERENCES records(rowid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  string_value TEXT,
  number_value REAL,
  bool_value INTEGER,
  in_array INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX record_metadata_by_record ON record_metadata (record_rowid);
CREATE INDEX record_metadata_by_string ON record_metadata (key, string_value) WHERE string_value IS NOT NULL;
CREATE INDEX record_metadata_by_number ON record_metadata (key, number_value) WHERE number_value IS NOT NULL;
CREATE INDEX record_metadata_by_bool ON record_metadata (key, bool_value) WHERE bool_value IS NOT NULL;

CREATE TABLE tombstones (
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  rowid INTEGER NOT NULL,
  seq INTEGER NOT NULL
);
CREATE INDEX tombstones_by_seq ON tombstones (collection_id, seq);

CREATE VIRTUAL TABLE records_fts USING fts5(
  text,
  content = '',
  contentless_delete = 1,
  tokenize = 'porter unicode61 remove_diacritics 2 categories ''L* N* Co M*'''
);

CREATE TRIGGER records_fts_on_delete AFTER DELETE ON records BEGIN
  DELETE FROM records_fts WHERE rowid = old.rowid;
END;
`,
};
