/** Name rules for collections, databases and tenants, as Chroma enforces them. */
import { invalidArgument } from './errors.js';

const NAME_CHARS = /^[a-zA-Z0-9._-]+$/;
const ALNUM = /[a-zA-Z0-9]/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Longest name Chroma accepts. */
export const MAX_NAME_LENGTH = 512;

/**
 * Throws INVALID_ARGUMENT unless `name` is a valid collection name.
 *
 * @remarks
 * 3 to 512 characters of `[a-zA-Z0-9._-]`, starting and ending with a letter or digit, no `..`, not an IPv4 address.
 */
export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string') throw invalidArgument('Collection name must be a string');
  const rule =
    'Collection names must be 3-512 characters from [a-zA-Z0-9._-], start and end with a letter or digit, ' +
    'contain no "..", and not be a valid IPv4 address';
  const bad =
    name.length < 3 ||
    name.length > MAX_NAME_LENGTH ||
    !NAME_CHARS.test(name) ||
    !ALNUM.test(name[0] ?? '') ||
    !ALNUM.test(name[name.length - 1] ?? '') ||
    name.includes('..') ||
    IPV4.test(name);
  if (bad) throw invalidArgument(`Invalid collection name "${truncate(name)}": ${rule}`);
  return name;
}

/** Throws INVALID_ARGUMENT unless `name` is a usable tenant or database name (1-512 characters, no '/'). */
export function validateScopeName(kind: 'tenant' | 'database', name: unknown): string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_NAME_LENGTH ||
    /[/\\\0]/.test(name)
  ) {
    throw invalidArgument(
      `Invalid ${kind} name "${truncate(String(name))}": it must be 1-${MAX_NAME_LENGTH} characters without '/', '\\' or NUL`,
    );
  }
  return name;
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}
