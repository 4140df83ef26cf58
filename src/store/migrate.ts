/** A tiny schema migration runner keyed by SQLite's `PRAGMA user_version`. */
import type BetterSqlite3 from 'better-sqlite3';
import { MIGRATION_00001_INITIAL } from './migrations/00001-initial.js';
import { MIGRATION_00002_FILTER_INDEXES } from './migrations/00002-filter-indexes.js';
import { MIGRATION_00003_RECORD_EMBEDDINGS } from './migrations/00003-record-embeddings.js';
import { MIGRATION_00004_COLLECTION_LEXICAL_TABLES } from './migrations/00004-collection-lexical-tables.js';
import { MIGRATION_00005_ANALYZED_LEXICAL_TABLES } from './migrations/00005-analyzed-lexical-tables.js';
import { MIGRATION_00006_COLLECTION_SCHEMAS } from './migrations/00006-collection-schemas.js';

/** One schema step; `version` is what `user_version` becomes after it ran. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A step SQL alone cannot do (e.g. re-segmenting text in JS), run after `sql` in the same transaction. */
  run?(db: BetterSqlite3.Database): void;
}

/** Every migration, oldest first; embedded as TypeScript so no `.sql` file has to ship next to the build. */
export const MIGRATIONS: readonly Migration[] = [
  MIGRATION_00001_INITIAL,
  MIGRATION_00002_FILTER_INDEXES,
  MIGRATION_00003_RECORD_EMBEDDINGS,
  MIGRATION_00004_COLLECTION_LEXICAL_TABLES,
  MIGRATION_00005_ANALYZED_LEXICAL_TABLES,
  MIGRATION_00006_COLLECTION_SCHEMAS,
];

/**
 * Applies the migrations newer than the database's `user_version`, each in its own immediate transaction.
 *
 * @remarks The version is re-read inside the write lock, so two processes opening a new file at once
 * apply each step exactly once.
 */
export function runMigrations(
  db: BetterSqlite3.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  for (const migration of migrations) {
    db.transaction(() => {
      if (readUserVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      migration.run?.(db);
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    }).immediate();
  }
}

/** The schema version recorded in the database file. */
export function readUserVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
