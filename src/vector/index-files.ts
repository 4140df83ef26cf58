/** The files of a persisted vector index: the index itself plus a JSON sidecar that vouches for it. */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Space } from '../engine/types.js';

/** Format 2 lists the labels marked deleted in the graph; older sidecars are not trusted (the index is rebuilt). */
const SIDECAR_FORMAT = 2;
const HASH_CHUNK_BYTES = 1 << 20;
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Where one collection's index lives. */
export interface IndexFiles {
  index: string;
  sidecar: string;
}

/** What the sidecar records about the index file it vouches for. */
export interface Sidecar {
  format: number;
  /** The store sequence number the index reflects. */
  appliedSeq: number;
  dimension: number;
  space: Space;
  /** Live (not deleted) vectors in the index. */
  count: number;
  /** Labels marked deleted in the graph file (its nodes are kept for reuse). */
  deleted: number[];
  /** Size of the index file in bytes. */
  bytes: number;
  /** SHA-256 of the index file, hex. */
  sha256: string;
}

/** What a loader expects of a sidecar; anything else means the files are not for this collection. */
export interface SidecarExpectation {
  dimension: number;
  space: Space;
}

/** The file paths of a collection's index inside `directory`; odd ids are hashed into a safe file name. */
export function indexFilesFor(directory: string, collectionId: string): IndexFiles {
  const base = SAFE_ID.test(collectionId)
    ? collectionId
    : createHash('sha256').update(collectionId).digest('hex');
  return { index: join(directory, `${base}.hnsw`), sidecar: join(directory, `${base}.hnsw.json`) };
}

/**
 * Writes the index via `writeIndex` and then its sidecar, each to a temporary file renamed into place.
 *
 * @remarks
 * Renames are atomic, so a reader never sees a half-written file. When two writers race, a reader may pair one
 * writer's index with the other's sidecar; the checksum then disagrees and the reader rebuilds instead.
 */
export function writeIndexFiles(
  files: IndexFiles,
  writeIndex: (path: string) => void,
  meta: Omit<Sidecar, 'format' | 'bytes' | 'sha256'>,
): void {
  const suffix = `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const indexTmp = files.index + suffix;
  const sidecarTmp = files.sidecar + suffix;
  try {
    writeIndex(indexTmp);
    const sidecar: Sidecar = { format: SIDECAR_FORMAT, ...meta, ...hashFile(indexTmp) };
    writeFileSync(sidecarTmp, JSON.stringify(sidecar));
    renameSync(indexTmp, files.index);
    renameSync(sidecarTmp, files.sidecar);
  } finally {
    rmSync(indexTmp, { force: true });
    rmSync(sidecarTmp, { force: true });
  }
}

/**
 * The sidecar when it parses, matches `expected` and its index file has the recorded size and hash; else null,
 * telling `onProblem` why when there were files to distrust (none at all is a new index, not a problem).
 */
export function readValidSidecar(
  files: IndexFiles,
  expected: SidecarExpectation,
  onProblem?: (reason: string) => void,
): Sidecar | null {
  if (!existsSync(files.sidecar) && !existsSync(files.index)) return null;
  const problem = (reason: string): null => {
    onProblem?.(reason);
    return null;
  };
  let sidecar: Sidecar;
  try {
    sidecar = parseSidecar(readFileSync(files.sidecar, 'utf8'));
  } catch (err) {
    return problem(`its sidecar ${files.sidecar} cannot be read (${(err as Error).message})`);
  }
  if (sidecar.dimension !== expected.dimension || sidecar.space !== expected.space) {
    return problem(
      `it was built for ${sidecar.dimension} dimensions in ${sidecar.space} space, the collection has ${expected.dimension} in ${expected.space}`,
    );
  }
  try {
    const bytes = statSync(files.index).size;
    if (bytes !== sidecar.bytes) {
      return problem(`the index file has ${bytes} bytes where its sidecar says ${sidecar.bytes} (damaged)`);
    }
    if (hashFile(files.index).sha256 !== sidecar.sha256) {
      return problem("the index file does not match its sidecar's checksum (damaged)");
    }
  } catch (err) {
    return problem(`the index file cannot be read (${(err as Error).message})`);
  }
  return sidecar;
}

/** What {@link writeIndexFiles} names its temporary files: `<file>.<pid>.<random hex>.tmp`. */
const TEMP_FILE = /\.hnsw(\.json)?\.(\d+)\.[0-9a-f]+\.tmp$/;
/** A temporary file untouched this long is no save in progress (a save writes it continuously, then renames it). */
const STALE_AFTER_MS = 60_000;
/** Past this age a temporary file is removed even when its pid runs (pids are reused, and differ across containers). */
const ABANDONED_AFTER_MS = 60 * 60_000;

/**
 * Removes temporary files that saves killed mid-write left in `directory` (SIGKILL, a container stopped), which
 * would otherwise pile up; returns their names.
 *
 * @remarks Several processes may share the directory, so a file is only removed when no save can still be writing
 * it: untouched for a minute and its process gone, or untouched for an hour.
 */
export function removeStaleTempFiles(directory: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = TEMP_FILE.exec(name);
    if (match === null) continue;
    const path = join(directory, name);
    try {
      const age = now - statSync(path).mtimeMs;
      if (age >= ABANDONED_AFTER_MS || (age >= STALE_AFTER_MS && !isRunning(Number(match[2])))) {
        rmSync(path, { force: true });
        removed.push(name);
      }
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}

/**
 * Whether another process with this pid runs. This process's own pid counts as not running: the cleanup runs before
 * it saves anything, and in a container a restarted kbgate often gets the pid the killed one had.
 */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes a collection's index files; missing files are fine. */
export function removeIndexFiles(files: IndexFiles): void {
  rmSync(files.index, { force: true });
  rmSync(files.sidecar, { force: true });
}

/** Parses and checks a sidecar's JSON; throws when a field is missing or invalid. */
export function parseSidecar(text: string): Sidecar {
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null) throw new Error('sidecar is not an object');
  const s = raw as Record<string, unknown>;
  const counts = [s.appliedSeq, s.dimension, s.count, s.bytes];
  if (s.format !== SIDECAR_FORMAT || !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new Error('sidecar fields are invalid');
  }
  if (!['l2', 'ip', 'cosine'].includes(s.space as string) || typeof s.sha256 !== 'string') {
    throw new Error('sidecar fields are invalid');
  }
  if (!Array.isArray(s.deleted) || !s.deleted.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
    throw new Error('sidecar deleted labels are invalid');
  }
  return s as unknown as Sidecar;
}

function hashFile(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}
