/** `kbgate backup`: a consistent snapshot of a data directory, taken while servers and ingests keep writing. */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { readPackageVersion } from '../cli/package-version.js';
import { DATABASE_FILE, INDEX_DIR } from '../engine-factory.js';
import { readUserVersion } from '../store/migrate.js';
import { indexFilesFor, parseSidecar, type Sidecar } from '../vector/index-files.js';
import {
  BACKUP_FORMAT,
  createBackupTables,
  digestTables,
  FILE_PART_BYTES,
  writeFileParts,
  writeManifest,
  type BackupFileEntry,
  type BackupManifest,
} from './backup-format.js';
import { measureChunks, readFileChunks } from './file-chunks.js';

/** Options of {@link createBackup}. */
export interface BackupOptions {
  /** Carry the saved vector indexes, so a restored server need not rebuild them (default true). */
  indexes?: boolean;
  /** How long to wait for another connection's lock while opening the source (default 10 s). */
  busyTimeoutMs?: number;
}

/** What a finished backup holds. */
export interface BackupSummary {
  file: string;
  bytes: number;
  collections: number;
  records: number;
  /** Vector indexes carried (each a graph and its sidecar). */
  indexes: number;
  seconds: number;
}

/** Pages per backup step: all of them, so the copy is one read transaction and never restarts. */
const ALL_PAGES = 0x7fffffff;

/**
 * Writes a snapshot of `dataDir` to `destination` (replaced atomically once complete).
 *
 * @remarks
 * The database is copied with SQLite's online backup API in a single step: one read transaction, so the copy is
 * exactly the store as of one commit, while writers in this and other processes go on (WAL readers never block
 * them). Index files are copied first, so every index carried reflects a sequence number at or before the
 * snapshot's and is caught up from the change log when opened; an index whose graph and sidecar disagree (a save
 * raced the copy) is left out and rebuilt after restore.
 */
export async function createBackup(
  dataDir: string,
  destination: string,
  options: BackupOptions = {},
): Promise<BackupSummary> {
  const started = performance.now();
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`${dataDir} holds no kbgate database (${DATABASE_FILE})`);
  const work = mkdtempSync(join(dirname(destination), `.${basename(destination)}.`));
  try {
    const indexes = options.indexes === false ? [] : copyIndexFiles(join(dataDir, INDEX_DIR), work);
    const snapshot = join(work, 'snapshot.sqlite3');
    await copyDatabase(source, snapshot, options.busyTimeoutMs ?? 10_000);
    const summary = finishSnapshot(snapshot, indexes);
    renameSync(snapshot, destination);
    return {
      file: destination,
      bytes: statSync(destination).size,
      ...summary,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function copyDatabase(source: string, target: string, busyTimeoutMs: number): Promise<void> {
  const db = new BetterSqlite3(source, { fileMustExist: true, timeout: busyTimeoutMs });
  try {
    await db.backup(target, { progress: () => ALL_PAGES });
  } finally {
    db.close();
  }
}

/** A vector index copied out of the data directory, vouched for by its sidecar. */
interface CopiedIndex {
  base: string;
  sidecar: Sidecar;
  sidecarText: string;
  copy: string;
}

/** Copies every index whose graph matches its sidecar into `work`; others are caches to rebuild, not data. */
function copyIndexFiles(directory: string, work: string): CopiedIndex[] {
  if (!existsSync(directory)) return [];
  const copied: CopiedIndex[] = [];
  for (const name of readdirSync(directory).filter((n) => n.endsWith('.hnsw.json'))) {
    const base = name.slice(0, -'.hnsw.json'.length);
    try {
      const sidecarText = readFileSync(join(directory, name), 'utf8');
      const sidecar = parseSidecar(sidecarText);
      const copy = join(work, `${base}.hnsw`);
      copyFileSync(join(directory, `${base}.hnsw`), copy);
      const { bytes, sha256 } = measureChunks(readFileChunks(copy, 1 << 20));
      if (bytes === sidecar.bytes && sha256 === sidecar.sha256)
        copied.push({ base, sidecar, sidecarText, copy });
    } catch {
      // A pair being replaced or removed right now: the restored store rebuilds this index.
    }
  }
  return copied;
}

/** Switches the copy to a self-contained journal, adds the index files and the manifest. */
function finishSnapshot(
  file: string,
  indexes: CopiedIndex[],
): Omit<BackupSummary, 'file' | 'bytes' | 'seconds'> {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = DELETE');
    const collections = db
      .prepare(
        'SELECT c.id, c.name, c.seq, (SELECT count(*) FROM records r WHERE r.collection_id = c.id) AS records ' +
          'FROM collections c ORDER BY c.name, c.id',
      )
      .all() as BackupManifest['collections'];
    const tables = digestTables(db);
    const files: BackupFileEntry[] = [];
    db.transaction(() => {
      createBackupTables(db);
      for (const index of usableIndexes(indexes, collections)) files.push(...storeIndex(db, index));
      writeManifest(db, {
        format: BACKUP_FORMAT,
        createdAt: new Date().toISOString(),
        kbgateVersion: readPackageVersion(),
        schemaVersion: readUserVersion(db),
        collections,
        tables,
        files,
      });
    }).immediate();
    const records = collections.reduce((sum, c) => sum + c.records, 0);
    return { collections: collections.length, records, indexes: files.length / 2 };
  } finally {
    db.close();
  }
}

/** Indexes of collections in the snapshot that reflect no write after it (a save can race the snapshot). */
function usableIndexes(indexes: CopiedIndex[], collections: BackupManifest['collections']): CopiedIndex[] {
  const byBase = new Map(collections.map((c) => [basename(indexFilesFor('.', c.id).index, '.hnsw'), c]));
  return indexes.filter((index) => {
    const collection = byBase.get(index.base);
    return collection !== undefined && index.sidecar.appliedSeq <= collection.seq;
  });
}

function storeIndex(db: BetterSqlite3.Database, index: CopiedIndex): BackupFileEntry[] {
  const sidecarBytes = Buffer.from(index.sidecarText, 'utf8');
  writeFileParts(db, `${index.base}.hnsw`, readFileChunks(index.copy, FILE_PART_BYTES));
  writeFileParts(db, `${index.base}.hnsw.json`, [sidecarBytes]);
  return [
    { name: `${index.base}.hnsw`, bytes: index.sidecar.bytes, sha256: index.sidecar.sha256 },
    {
      name: `${index.base}.hnsw.json`,
      bytes: sidecarBytes.length,
      sha256: createHash('sha256').update(sidecarBytes).digest('hex'),
    },
  ];
}
