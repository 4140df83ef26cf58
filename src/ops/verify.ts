/** `kbgate verify`: checks a data directory or a backup file, as `kbgate doctor` checks a set-up. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckResult } from '../cli/doctor.js';
import { DATABASE_FILE, INDEX_DIR } from '../engine-factory.js';
import { MIGRATIONS, readUserVersion } from '../store/migrate.js';
import { indexFilesFor, parseSidecar, type Sidecar } from '../vector/index-files.js';
import {
  BACKUP_FORMAT,
  digestTables,
  measureStoredFile,
  readFileParts,
  readManifest,
  type BackupManifest,
} from './backup-format.js';
import { measureChunks, readFileChunks } from './file-chunks.js';

/** One collection as the store and its change log describe it. */
interface CollectionState {
  id: string;
  name: string;
  seq: number;
  floor: number;
  records: number;
  embedded: number;
  maxRecordSeq: number | null;
  maxTombstoneSeq: number | null;
  revived: number;
}

const COLLECTION_STATE = `
SELECT c.id, c.name, c.seq, c.history_floor AS floor,
  (SELECT count(*) FROM records r WHERE r.collection_id = c.id) AS records,
  (SELECT count(*) FROM records r JOIN record_embeddings e ON e.rowid = r.rowid WHERE r.collection_id = c.id)
    AS embedded,
  (SELECT max(r.seq) FROM records r WHERE r.collection_id = c.id) AS maxRecordSeq,
  (SELECT max(t.seq) FROM tombstones t WHERE t.collection_id = c.id) AS maxTombstoneSeq,
  (SELECT count(*) FROM tombstones t JOIN records r ON r.rowid = t.rowid WHERE t.collection_id = c.id) AS revived
FROM collections c ORDER BY c.name, c.id`;

/** Checks a data directory (a folder) or a backup file; every problem is a `fail`, caches that will be rebuilt `warn`. */
export function verifyPath(path: string): CheckResult[] {
  if (!existsSync(path)) return [fail('path', `${path} does not exist`)];
  return statSync(path).isDirectory() ? verifyDataDir(path) : verifyBackup(path);
}

/** Checks the store of a data directory (safe while servers use it: one read transaction) and its index files. */
export function verifyDataDir(dir: string): CheckResult[] {
  const file = join(dir, DATABASE_FILE);
  if (!existsSync(file)) return [fail('database', `${dir} holds no kbgate database (${DATABASE_FILE})`)];
  const db = new BetterSqlite3(file, { fileMustExist: true, timeout: 10_000 });
  try {
    const results = checkStore(db);
    const states = readStates(db);
    if (states === null || results.some((r) => r.status === 'fail')) return results;
    return [...results, checkChangeLog(states), checkIndexDirectory(join(dir, INDEX_DIR), states)];
  } finally {
    db.close();
  }
}

/** Checks a backup: the store inside it, its recorded digests and the index files it carries. */
export function verifyBackup(file: string): CheckResult[] {
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch (err) {
    return [fail('database', `${file} is not a SQLite database: ${(err as Error).message}`)];
  }
  try {
    const manifest = readManifest(db);
    if (manifest === null) return [fail('backup', `${file} is not a kbgate backup (no manifest)`)];
    if (manifest.format !== BACKUP_FORMAT) {
      return [fail('backup', `format ${manifest.format}; this kbgate reads format ${BACKUP_FORMAT}`)];
    }
    const results = [ok('backup', `taken ${manifest.createdAt} by kbgate ${manifest.kbgateVersion}`)];
    results.push(...checkStore(db), checkDigests(db, manifest));
    const states = readStates(db);
    if (states === null || results.some((r) => r.status === 'fail')) return results;
    return [...results, checkChangeLog(states), checkCarriedIndexes(db, manifest, states)];
  } catch (err) {
    return [fail('backup', `unreadable: ${(err as Error).message}`)];
  } finally {
    db.close();
  }
}

/** SQLite's own checks and the schema version. */
function checkStore(db: BetterSqlite3.Database): CheckResult[] {
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
  const problems = integrity.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  if (problems.length > 0) {
    return [fail('integrity', `${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}`)];
  }
  const results = [ok('integrity', 'SQLite integrity_check: ok')];
  const version = readUserVersion(db);
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (version > latest) {
    results.push(
      fail('schema', `version ${version} was written by a newer kbgate (this one knows ${latest})`),
    );
    return results;
  }
  results.push(
    ok('schema', version === latest ? `version ${version}` : `version ${version}, upgraded on open`),
  );
  const foreign = db.pragma('foreign_key_check') as unknown[];
  if (foreign.length > 0) results.push(fail('references', `${foreign.length} row(s) point at missing rows`));
  return results;
}

function readStates(db: BetterSqlite3.Database): CollectionState[] | null {
  try {
    return db.prepare(COLLECTION_STATE).all() as CollectionState[];
  } catch {
    return null;
  }
}

/** Every record and tombstone is covered by its collection's sequence number; no deleted rowid came back. */
function checkChangeLog(states: CollectionState[]): CheckResult {
  const bad = states.flatMap((s) => {
    const issues: string[] = [];
    if ((s.maxRecordSeq ?? 0) > s.seq) issues.push(`a record has seq ${s.maxRecordSeq} > ${s.seq}`);
    if ((s.maxTombstoneSeq ?? 0) > s.seq) issues.push(`a deletion has seq ${s.maxTombstoneSeq} > ${s.seq}`);
    if (s.floor > s.seq) issues.push(`history floor ${s.floor} > seq ${s.seq}`);
    if (s.revived > 0) issues.push(`${s.revived} deleted rowid(s) present again`);
    return issues.map((issue) => `${s.name}: ${issue}`);
  });
  if (bad.length > 0) return fail('change log', bad.slice(0, 5).join('; '));
  const records = states.reduce((sum, s) => sum + s.records, 0);
  return ok(
    'change log',
    `${states.length} collection(s), ${records} record(s), all within their change log`,
  );
}

/** The tables' row counts and digests are those recorded when the backup was made. */
function checkDigests(db: BetterSqlite3.Database, manifest: BackupManifest): CheckResult {
  const now = digestTables(db);
  const names = new Set([...Object.keys(now), ...Object.keys(manifest.tables)]);
  const changed = [...names].filter((name) => {
    const a = now[name];
    const b = manifest.tables[name];
    return a === undefined || b === undefined || a.rows !== b.rows || a.sha256 !== b.sha256;
  });
  if (changed.length > 0)
    return fail('contents', `differ from when the backup was made: ${changed.join(', ')}`);
  const rows = Object.values(now).reduce((sum, t) => sum + t.rows, 0);
  return ok('contents', `${names.size} tables, ${rows} rows, as recorded when the backup was made`);
}

/** The index files inside a backup: bytes as recorded, graphs as their sidecars say, counts as the store's. */
function checkCarriedIndexes(
  db: BetterSqlite3.Database,
  manifest: BackupManifest,
  states: CollectionState[],
): CheckResult {
  const damaged = manifest.files.filter((entry) => {
    const measured = measureStoredFile(db, entry.name);
    return measured.bytes !== entry.bytes || measured.sha256 !== entry.sha256;
  });
  if (damaged.length > 0) return fail('vector indexes', `damaged: ${damaged.map((f) => f.name).join(', ')}`);
  const sidecars = manifest.files
    .filter((entry) => entry.name.endsWith('.hnsw.json'))
    .map((entry) => ({
      base: basename(entry.name, '.hnsw.json'),
      sidecar: parseSidecar(Buffer.concat([...readFileParts(db, entry.name)]).toString('utf8')),
    }));
  const mismatched = countMismatches(sidecars, states);
  if (mismatched.length > 0) return fail('vector indexes', mismatched.join('; '));
  return ok('vector indexes', `${sidecars.length} carried, checksums and counts match`);
}

/** Index files in a data directory: caches, so a bad one is a warning (it is rebuilt from the store). */
function checkIndexDirectory(directory: string, states: CollectionState[]): CheckResult {
  const names = existsSync(directory) ? readdirSync(directory) : [];
  const sidecars: { base: string; sidecar: Sidecar }[] = [];
  const damaged: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.hnsw.json'))) {
    const base = basename(name, '.hnsw.json');
    try {
      const sidecar = parseSidecar(readFileSync(join(directory, name), 'utf8'));
      const measured = measureChunks(readFileChunks(join(directory, `${base}.hnsw`), 1 << 20));
      if (measured.bytes !== sidecar.bytes || measured.sha256 !== sidecar.sha256) damaged.push(base);
      else sidecars.push({ base, sidecar });
    } catch {
      damaged.push(base);
    }
  }
  const issues = [
    ...damaged.map((base) => `${base}: checksum does not match`),
    ...countMismatches(sidecars, states),
  ];
  if (issues.length > 0) {
    return {
      ...warn('vector indexes', issues.join('; ')),
      fix: 'none needed: kbgate rebuilds these on open',
    };
  }
  return ok('vector indexes', `${sidecars.length} saved, checksums and counts match`);
}

/** Indexes saved at their collection's current seq must hold exactly its embedded records. */
function countMismatches(
  sidecars: { base: string; sidecar: Sidecar }[],
  states: CollectionState[],
): string[] {
  const byBase = new Map(states.map((s) => [basename(indexFilesFor('.', s.id).index, '.hnsw'), s]));
  return sidecars.flatMap(({ base, sidecar }) => {
    const state = byBase.get(base);
    if (state === undefined) return [`${base}: no such collection`];
    if (sidecar.appliedSeq > state.seq) return [`${state.name}: index is ahead of the store`];
    if (sidecar.appliedSeq === state.seq && sidecar.count !== state.embedded) {
      return [`${state.name}: index holds ${sidecar.count} vectors, the store ${state.embedded}`];
    }
    return [];
  });
}

function ok(title: string, detail: string): CheckResult {
  return { status: 'ok', title, detail };
}

function warn(title: string, detail: string): CheckResult {
  return { status: 'warn', title, detail };
}

function fail(title: string, detail: string): CheckResult {
  return { status: 'fail', title, detail };
}
