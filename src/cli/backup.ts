/** `kbgate backup | restore | verify`: argument handling and messages around the functions in `ops/`. */
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBackup } from '../ops/backup.js';
import { restoreBackup, RestoreRefused } from '../ops/restore.js';
import { verifyPath } from '../ops/verify.js';
import { formatChecks } from './doctor.js';

/** Where the commands read and write; `-` as a file name means stdout (backup) or stdin (restore). */
export interface BackupIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
}

/** The file name that stands for the standard streams. */
const STDIO = '-';

/** `kbgate backup FILE`: writes the snapshot and prints what it holds on stderr (stdout may carry the backup). */
export async function backupCommand(
  dataDir: string,
  file: string,
  options: { indexes: boolean },
  io: BackupIo,
): Promise<number> {
  const scratch = file === STDIO ? mkdtempSync(join(tmpdir(), 'kbgate-backup-')) : null;
  try {
    const destination = scratch === null ? resolve(file) : join(scratch, 'backup.sqlite3');
    const summary = await createBackup(dataDir, destination, { indexes: options.indexes });
    if (scratch !== null) await pipeline(createReadStream(destination), io.stdout, { end: false });
    io.stderr.write(
      `kbgate backup: ${file === STDIO ? 'wrote' : `wrote ${summary.file}`} ${megabytes(summary.bytes)}: ` +
        `${summary.collections} collection(s), ${summary.records} record(s), ${summary.indexes} vector index(es), ` +
        `in ${summary.seconds.toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}

/** `kbgate restore FILE`: exit 1 with the reason when refused (server running, data present, bad backup). */
export async function restoreCommand(
  dataDir: string,
  file: string,
  options: { yes: boolean },
  io: BackupIo,
): Promise<number> {
  let received: string | null = null;
  try {
    if (file === STDIO) received = await receiveStdin(dataDir, io);
    const summary = restoreBackup(received ?? resolve(file), dataDir, {
      replace: options.yes,
      consume: received !== null,
    });
    io.stderr.write(
      `kbgate restore: ${summary.replaced ? 'replaced' : 'filled'} ${dataDir}: ${summary.collections} ` +
        `collection(s), ${summary.records} record(s), ${summary.indexes} vector index(es) ` +
        `(others are rebuilt when first used), in ${summary.seconds.toFixed(1)} s\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof RestoreRefused)) throw err;
    io.stderr.write(`kbgate restore: refused: ${err.message}\n`);
    return 1;
  } finally {
    if (received !== null) rmSync(received, { force: true });
  }
}

/** `kbgate verify [PATH]`: the checks one per line, as `kbgate doctor` prints them; exit 1 on any failure. */
export function verifyCommand(path: string, io: BackupIo): number {
  const results = verifyPath(path);
  io.stdout.write(formatChecks(results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** Saves the backup arriving on stdin next to the data it will replace (so it can be renamed into place). */
async function receiveStdin(dataDir: string, io: BackupIo): Promise<string> {
  if (io.stdin === undefined) throw new RestoreRefused('no standard input to read the backup from');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `.restore-stdin-${process.pid}.sqlite3`);
  await pipeline(io.stdin, createWriteStream(file));
  return file;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
