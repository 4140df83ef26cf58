/** The backup file: a SQLite snapshot of the store plus two tables of its own (a manifest and index files). */
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { measureChunks } from './file-chunks.js';

/** Table holding the {@link BackupManifest} as JSON under the key `manifest`. */
export const MANIFEST_TABLE = 'kbgate_backup';
/** Table holding vector index files (the `.hnsw` graph and its `.hnsw.json` sidecar) in parts. */
export const FILES_TABLE = 'kbgate_backup_files';
/** Version of the backup layout; a reader refuses others. */
export const BACKUP_FORMAT = 1;
/** Bytes per stored part of an index file: well below SQLite's 1 GB value limit, few rows per file. */
export const FILE_PART_BYTES = 32 << 20;

/** Row count and content digest of one table of the snapshot. */
export interface TableDigest {
  rows: number;
  sha256: string;
}

/** One vector index file carried in the backup. */
export interface BackupFileEntry {
  name: string;
  bytes: number;
  sha256: string;
}

/** What a backup says about itself, written when it is made and checked by verify and restore. */
export interface BackupManifest {
  format: number;
  /** ISO 8601 time the snapshot was taken. */
  createdAt: string;
  kbgateVersion: string;
  /** The store's schema version (`PRAGMA user_version`) in the snapshot. */
  schemaVersion: number;
  collections: { id: string; name: string; seq: number; records: number }[];
  /** Every table of the snapshot except the backup's own, by name. */
  tables: Record<string, TableDigest>;
  files: BackupFileEntry[];
}

/** Whether a table belongs to the backup itself or is SQLite's statistics, which `PRAGMA optimize` rewrites. */
function isBookkeeping(name: string): boolean {
  return name === MANIFEST_TABLE || name === FILES_TABLE || name.startsWith('sqlite_stat');
}

/**
 * Row counts and SHA-256 digests of every ordinary table, read in one transaction.
 *
 * @remarks
 * SQLite checks its b-trees (`integrity_check`) but not the bytes of values, so a digest is what notices a flipped
 * byte inside a document or an embedding. Virtual tables are skipped; their shadow tables are ordinary and counted.
 */
export function digestTables(db: BetterSqlite3.Database): Record<string, TableDigest> {
  return db
    .transaction(() => {
      const tables = db
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all() as { name: string; sql: string | null }[];
      const out: Record<string, TableDigest> = {};
      for (const { name, sql } of tables) {
        if (isBookkeeping(name) || /^\s*CREATE\s+VIRTUAL\b/i.test(sql ?? '')) continue;
        out[name] = digestTable(db, name, /\bWITHOUT\s+ROWID\b/i.test(sql ?? ''));
      }
      return out;
    })
    .deferred();
}

function digestTable(db: BetterSqlite3.Database, name: string, withoutRowid: boolean): TableDigest {
  const hash = createHash('sha256');
  const order = withoutRowid ? '' : ' ORDER BY rowid';
  const rows = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"${order}`).raw();
  let count = 0;
  for (const row of rows.iterate() as Iterable<unknown[]>) {
    for (const value of row) hashValue(hash, value);
    hash.update('\n');
    count++;
  }
  return { rows: count, sha256: hash.digest('hex') };
}

/** Feeds one value with its type and length, so that adjacent values cannot run into each other. */
function hashValue(hash: ReturnType<typeof createHash>, value: unknown): void {
  if (value === null) hash.update('n;');
  else if (Buffer.isBuffer(value)) hash.update(`b${value.length}:`).update(value);
  else {
    const text = String(value);
    hash.update(`${typeof value === 'string' ? 's' : 'v'}${Buffer.byteLength(text)}:${text}`);
  }
}

/** Creates the backup's own tables in a fresh snapshot. */
export function createBackupTables(db: BetterSqlite3.Database): void {
  db.exec(
    `CREATE TABLE ${MANIFEST_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);` +
      `CREATE TABLE ${FILES_TABLE} (name TEXT NOT NULL, part INTEGER NOT NULL, data BLOB NOT NULL, ` +
      'PRIMARY KEY (name, part));',
  );
}

/** Stores the manifest. */
export function writeManifest(db: BetterSqlite3.Database, manifest: BackupManifest): void {
  db.prepare(`INSERT INTO ${MANIFEST_TABLE} (key, value) VALUES ('manifest', ?)`).run(
    JSON.stringify(manifest),
  );
}

/** The manifest of a backup; null when the file is a SQLite database but not a kbgate backup. */
export function readManifest(db: BetterSqlite3.Database): BackupManifest | null {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .pluck()
    .get(MANIFEST_TABLE);
  if (exists === undefined) return null;
  const text = db.prepare(`SELECT value FROM ${MANIFEST_TABLE} WHERE key = 'manifest'`).pluck().get();
  if (typeof text !== 'string') return null;
  const manifest = JSON.parse(text) as BackupManifest;
  return typeof manifest === 'object' && manifest !== null && typeof manifest.format === 'number'
    ? manifest
    : null;
}

/** Stores one file's bytes in parts of {@link FILE_PART_BYTES}. */
export function writeFileParts(db: BetterSqlite3.Database, name: string, parts: Iterable<Buffer>): void {
  const insert = db.prepare(`INSERT INTO ${FILES_TABLE} (name, part, data) VALUES (?, ?, ?)`);
  let part = 0;
  for (const data of parts) insert.run(name, part++, data);
}

/** The parts of a stored file, in order. */
export function readFileParts(db: BetterSqlite3.Database, name: string): Iterable<Buffer> {
  return db
    .prepare(`SELECT data FROM ${FILES_TABLE} WHERE name = ? ORDER BY part`)
    .pluck()
    .iterate(name) as Iterable<Buffer>;
}

/** Size and SHA-256 of a stored file. */
export function measureStoredFile(
  db: BetterSqlite3.Database,
  name: string,
): { bytes: number; sha256: string } {
  return measureChunks(readFileParts(db, name));
}

/** Removes the backup's own tables from a restored copy. */
export function dropBackupTables(db: BetterSqlite3.Database): void {
  db.exec(`DROP TABLE IF EXISTS ${FILES_TABLE}; DROP TABLE IF EXISTS ${MANIFEST_TABLE};`);
}
