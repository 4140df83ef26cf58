/** Keys a JavaScript object cannot hold as ordinary data: the engine refuses them in metadata and filters. */

/**
 * `__proto__` assigned to an object replaces its prototype instead of adding a key, and `constructor` and
 * `prototype` read as inherited values on objects that lack them; each would be dropped or misread somewhere
 * between the wire and the store, so a filter on one could silently match everything.
 */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether `key` is one of {@link UNSAFE_KEYS}. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}
