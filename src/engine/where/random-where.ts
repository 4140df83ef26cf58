/** Seeded random filters, metadata and documents for oracle tests of every `where` implementation. */
import type { CompareOp, Metadata, MetadataScalar, MetadataValue, Where, WhereDocument } from '../types.js';

/** A source of uniform numbers in [0, 1), like `Math.random` but seeded. */
export type Rng = () => number;

/** A random filter: its AST and a wire form that parses to exactly that AST. */
export interface RandomFilter<T> {
  ast: T;
  /** Wire JSON; uses `{key: value}` shorthand for some `$eq` leaves to exercise the parser. */
  wire: Record<string, unknown>;
}

/** Shape limits of a random filter. */
export interface RandomFilterOptions {
  /** Deepest nesting of `$and` / `$or` (default 3). */
  maxDepth?: number;
  /** Most children of one `$and` / `$or` (default 3). */
  maxChildren?: number;
}

/** Strings that collide with numbers and booleans by text and differ by case, to catch type and case slips. */
export const RANDOM_STRINGS: readonly string[] = ['red', 'Red', 'blue', '1', 'true', '', 'a b', 'ünï'];

/** Numbers mixing integers, floats, zero and negatives. */
export const RANDOM_NUMBERS: readonly number[] = [-1, 0, 1, 2, 3, 1.5, 2.5, 100];

const COMPARE_OPS: readonly CompareOp[] = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte'];
const NUMERIC_OPS: readonly CompareOp[] = ['$gt', '$gte', '$lt', '$lte'];
const REGEX_SPECIALS = /[\\^$.*+?()[\]{}|/]/g;

/** Creates a deterministic {@link Rng} from a 32-bit seed (mulberry32). */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws a random `where` over `keys` using every operator, nesting and mixed operand types. */
export function randomWhere(
  rng: Rng,
  keys: readonly string[],
  options: RandomFilterOptions = {},
): RandomFilter<Where> {
  return randomTree(rng, options.maxDepth ?? 3, options.maxChildren ?? 3, () => randomWhereLeaf(rng, keys));
}

/** Draws a random `where_document` whose substrings and regexes are built from `words`. */
export function randomWhereDocument(
  rng: Rng,
  words: readonly string[],
  options: RandomFilterOptions = {},
): RandomFilter<WhereDocument> {
  return randomTree(rng, options.maxDepth ?? 3, options.maxChildren ?? 3, () =>
    randomDocumentLeaf(rng, words),
  );
}

/** Draws metadata over `keys` from the same value pools as {@link randomWhere} (sometimes null, keys sometimes absent). */
export function randomMetadata(rng: Rng, keys: readonly string[]): Metadata | null {
  if (rng() < 0.1) return null;
  const metadata: Metadata = {};
  for (const key of keys) {
    if (rng() < 0.3) continue;
    metadata[key] = rng() < 0.25 ? randomArray(rng) : randomScalar(rng);
  }
  return metadata;
}

/** Draws a document of `words` in varied case (sometimes null). */
export function randomDocument(rng: Rng, words: readonly string[]): string | null {
  if (rng() < 0.15) return null;
  const count = 1 + Math.floor(rng() * 6);
  return Array.from({ length: count }, () => varyCase(rng, pick(rng, words))).join(' ');
}

function randomTree<T extends { kind: string }>(
  rng: Rng,
  depth: number,
  maxChildren: number,
  leaf: () => RandomFilter<T>,
): RandomFilter<T> {
  if (depth <= 0 || rng() < 0.4) return leaf();
  const kind = rng() < 0.5 ? 'and' : 'or';
  const count = 1 + Math.floor(rng() * maxChildren);
  const children = Array.from({ length: count }, () => randomTree(rng, depth - 1, maxChildren, leaf));
  return {
    ast: { kind, children: children.map((c) => c.ast) } as unknown as T,
    wire: { [`$${kind}`]: children.map((c) => c.wire) },
  };
}

function randomWhereLeaf(rng: Rng, keys: readonly string[]): RandomFilter<Where> {
  const key = pick(rng, keys);
  const roll = rng();
  if (roll < 0.5) return randomCompare(rng, key);
  if (roll < 0.75) {
    const negate = rng() < 0.5;
    const values = randomSet(rng);
    return {
      ast: { kind: 'in', key, negate, values },
      wire: { [key]: { [negate ? '$nin' : '$in']: [...values] } },
    };
  }
  const negate = rng() < 0.5;
  const value = randomScalar(rng);
  return {
    ast: { kind: 'contains', key, negate, value },
    wire: { [key]: { [negate ? '$not_contains' : '$contains']: value } },
  };
}

function randomCompare(rng: Rng, key: string): RandomFilter<Where> {
  const op = pick(rng, COMPARE_OPS);
  const value = NUMERIC_OPS.includes(op) ? pick(rng, RANDOM_NUMBERS) : randomScalar(rng);
  const shorthand = op === '$eq' && rng() < 0.5;
  return { ast: { kind: 'compare', key, op, value }, wire: { [key]: shorthand ? value : { [op]: value } } };
}

function randomDocumentLeaf(rng: Rng, words: readonly string[]): RandomFilter<WhereDocument> {
  const negate = rng() < 0.4;
  if (rng() < 0.5) {
    const text = randomSubstring(rng, varyCase(rng, pick(rng, words)));
    return {
      ast: { kind: 'contains', text, negate },
      wire: { [negate ? '$not_contains' : '$contains']: text },
    };
  }
  const pattern = randomPattern(rng, words);
  return { ast: { kind: 'regex', pattern, negate }, wire: { [negate ? '$not_regex' : '$regex']: pattern } };
}

function randomPattern(rng: Rng, words: readonly string[]): string {
  const raw = pick(rng, words);
  const word = escapeRegex(raw);
  const other = escapeRegex(pick(rng, words));
  const shapes = [
    () => word,
    () => `^${word}`,
    () => `${word}$`,
    () => `(?:${word}|${other})`,
    () => `${word} ${other}`,
    () => `${word}.*${other}`,
    () => `[A-Z]${escapeRegex(raw.slice(1))}`,
    () => `\\b${word}\\b`,
    () => `${escapeRegex(raw.slice(0, 1))}.${escapeRegex(raw.slice(2))}`,
  ];
  return pick(rng, shapes)() || '.';
}

function randomSubstring(rng: Rng, text: string): string {
  const start = Math.floor(rng() * Math.max(1, text.length - 1));
  const end = start + 1 + Math.floor(rng() * (text.length - start));
  return text.slice(start, end) || 'x';
}

function randomScalar(rng: Rng): MetadataScalar {
  const roll = rng();
  if (roll < 0.4) return pick(rng, RANDOM_STRINGS);
  if (roll < 0.8) return pick(rng, RANDOM_NUMBERS);
  return rng() < 0.5;
}

function randomSet(rng: Rng): MetadataScalar[] {
  const first = randomScalar(rng);
  const count = 1 + Math.floor(rng() * 3);
  const values: MetadataScalar[] = [first];
  while (values.length < count) {
    const next = randomScalar(rng);
    if (typeof next === typeof first) values.push(next);
  }
  return values;
}

function randomArray(rng: Rng): MetadataValue {
  return randomSet(rng);
}

function varyCase(rng: Rng, word: string): string {
  const roll = rng();
  if (roll < 0.6) return word;
  if (roll < 0.8) return word.toUpperCase();
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function escapeRegex(text: string): string {
  return text.replace(REGEX_SPECIALS, '\\$&');
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick() needs a non-empty list');
  return items[Math.floor(rng() * items.length)] as T;
}
