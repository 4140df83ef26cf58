/** Classifies better-sqlite3 errors by their `code` and turns the expected ones into engine errors. */
import { EngineError } from '../engine/errors.js';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** The SQLite extended result code of an error (`SQLITE_BUSY`, ...), or undefined for other errors. */
export function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True when `err` is a UNIQUE or PRIMARY KEY constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  return UNIQUE_CODES.has(sqliteCode(err) ?? '');
}

/** True when `err` is a FOREIGN KEY constraint violation (a parent row is missing). */
export function isForeignKeyViolation(err: unknown): boolean {
  return sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** True when the database stayed locked by another connection for the whole busy timeout. */
export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** What a storage failure means for the person running kbgate, by SQLite result code prefix. */
const STORAGE_FAILURES: readonly [string, string][] = [
  ['SQLITE_READONLY', 'is read-only for this process (file or folder permissions, a read-only mount)'],
  ['SQLITE_CANTOPEN', 'cannot be opened or its journal created (folder permissions, a missing folder)'],
  ['SQLITE_FULL', 'cannot grow: the disk is full'],
  ['SQLITE_IOERR', 'cannot be read or written (a disk or file system error)'],
];

/**
 * The failure as UNAVAILABLE naming the database file, when the file itself refuses (read-only, cannot be opened,
 * disk full, I/O error): the server's storage needs an operator, and no request of the client's would fix it.
 */
export function storageFailure(err: unknown, path: string): EngineError | null {
  const code = sqliteCode(err);
  const known = code === undefined ? undefined : STORAGE_FAILURES.find(([prefix]) => code.startsWith(prefix));
  if (known === undefined) return null;
  return new EngineError('UNAVAILABLE', `The database file ${path} ${known[1]} (${code}).`, { cause: err });
}

/** Maps constraint violations to ALREADY_EXISTS / NOT_FOUND with the given messages; rethrows anything else. */
export function rethrowConstraint(err: unknown, messages: { exists: string; missingParent: string }): never {
  if (isUniqueViolation(err)) throw new EngineError('ALREADY_EXISTS', messages.exists, { cause: err });
  if (isForeignKeyViolation(err)) throw new EngineError('NOT_FOUND', messages.missingParent, { cause: err });
  throw err;
}
