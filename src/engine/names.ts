/** Name rules for collections, databases and tenants, as Chroma 1.x enforces them. */
import { isIP } from 'node:net';
import { invalidArgument } from './errors.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/;

/** Longest collection or database name Chroma accepts. */
export const MAX_NAME_LENGTH = 512;

/**
 * Throws INVALID_ARGUMENT unless `name` is a valid collection or database name (Chroma's `validate_name`).
 *
 * @remarks 3 to 512 characters of `[a-zA-Z0-9._-]`, starting and ending with a letter or digit, no `..`, not an
 * IP address. One `+` may join a topology prefix to a name, each valid on its own (`region+docs`).
 */
export function validateChromaName(name: unknown, kind: 'collection' | 'database'): string {
  if (typeof name !== 'string') throw invalidArgument(`The ${kind} name must be a string`);
  const plus = name.indexOf('+');
  if (plus >= 0) {
    if (name.length > MAX_NAME_LENGTH) {
      throw invalidArgument(`Invalid ${kind} name: expected 3-512 characters, got ${name.length}`);
    }
    if (name.indexOf('+', plus + 1) >= 0) {
      throw invalidArgument(`Invalid ${kind} name "${truncate(name)}": at most one topology "+" is allowed`);
    }
    validateChromaName(name.slice(0, plus), kind);
    validateChromaName(name.slice(plus + 1), kind);
    return name;
  }
  if (!NAME.test(name)) {
    throw invalidArgument(
      `Invalid ${kind} name "${truncate(name)}": expected 3-512 characters from [a-zA-Z0-9._-], ` +
        'starting and ending with a letter or digit',
    );
  }
  if (name.includes('..')) {
    throw invalidArgument(
      `Invalid ${kind} name "${truncate(name)}": two consecutive periods (..) are not allowed`,
    );
  }
  if (isIP(name) !== 0) {
    throw invalidArgument(`Invalid ${kind} name "${truncate(name)}": a name may not be an IP address`);
  }
  return name;
}

/** The check Chroma makes of a database name in every path: at least 3 bytes (the name need not be valid). */
export function checkDatabaseName(name: string): string {
  if (Buffer.byteLength(name) < 3) throw invalidArgument('database name must be at least 3 characters');
  return name;
}

/** Throws INVALID_ARGUMENT unless `name` is a usable tenant name: at least 3 characters, no NUL. */
export function validateTenantName(name: unknown): string {
  if (typeof name !== 'string' || [...name].length < 3 || name.includes('\0')) {
    throw invalidArgument(
      `Invalid tenant name "${truncate(String(name))}": it must be at least 3 characters, without NUL`,
    );
  }
  return name;
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}
