/** Parses Chroma's `where` / `where_document` wire JSON into typed ASTs: the only validator of filters. */
import { invalidArgument } from '../errors.js';
import type { CompareOp, MetadataScalar, Where, WhereDocument } from '../types.js';
import { isUnsafeKey } from '../object-keys.js';
import { compileDocumentRegex } from './document-regex.js';

/** Deepest nesting of filter objects accepted (a leaf at the top is depth 1). */
export const MAX_FILTER_DEPTH = 64;

/**
 * Most filter objects (conditions, operators, `$and` / `$or`) accepted in one filter: SQL for a thousand
 * conditions takes milliseconds to plan and run, ten thousand over a second.
 */
export const MAX_FILTER_NODES = 1_000;

/** Most `$in` / `$nin` values accepted in one filter, all lists together (they are one `json_each` each). */
export const MAX_FILTER_VALUES = 10_000;

/** Most `$regex` / `$not_regex` tests in one filter: each one scans every candidate document. */
export const MAX_REGEX_FILTERS = 16;

/** Longest `$regex` / `$not_regex` pattern accepted, in UTF-16 code units. */
export const MAX_REGEX_LENGTH = 1_000;

const COMPARE_OPS: readonly string[] = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte'] satisfies CompareOp[];
const NUMERIC_OPS: readonly string[] = ['$gt', '$gte', '$lt', '$lte'];
const DOCUMENT_OPS: readonly string[] = ['$contains', '$not_contains', '$regex', '$not_regex'];

/** The `where` key that stands for the document text. */
export const DOCUMENT_KEY = '#document';

/** Where a parser is in the input: the path for messages, the depth and the shared node budget. */
interface Cursor {
  label: 'where' | 'where_document';
  path: string;
  depth: number;
  budget: { nodes: number; values: number; regexes: number };
}

/**
 * Parses a wire `where` into a {@link Where}; `undefined` and `null` mean no filter.
 *
 * @remarks Follows Chroma 1.x's server parser: every object has exactly one key (so `{}` is an error, and
 * several field keys in one object are rejected; combine them with `$and`), and each field takes a scalar
 * (shorthand for `$eq`) or an object with exactly one operator. `$and: []` matches everything and `$or: []`
 * nothing. The `#document` key with `$contains`, `$not_contains`, `$regex` or `$not_regex` tests the document
 * text. One difference: `$in` accepts mixed integers and floats (Chroma rejects `[1, 2.5]`). Throws
 * INVALID_ARGUMENT naming the offending path.
 */
export function parseWhere(input: unknown): Where | undefined {
  if (input === undefined || input === null) return undefined;
  return parseWhereNode(input, { label: 'where', path: 'where', depth: 1, budget: emptyBudget() });
}

/**
 * Parses a wire `where_document` into a {@link WhereDocument}; `undefined` and `null` mean no filter.
 *
 * @remarks As Chroma 1.x: one key per object (`{}` is an error); `$contains`, `$not_contains`, `$regex`,
 * `$not_regex` take a string, which may be empty (`$contains: ""` matches every record with a document);
 * `$and` / `$or` take arrays, which may be empty (`$and: []` matches everything, `$or: []` nothing). Regexes
 * use Rust `regex` syntax and are checked with {@link compileDocumentRegex}; patterns over
 * {@link MAX_REGEX_LENGTH} are rejected. Throws INVALID_ARGUMENT naming the offending path.
 */
export function parseWhereDocument(input: unknown): WhereDocument | undefined {
  if (input === undefined || input === null) return undefined;
  return parseDocumentNode(input, {
    label: 'where_document',
    path: 'where_document',
    depth: 1,
    budget: emptyBudget(),
  });
}

/** Turns a {@link Where} back into its wire JSON (explicit operators, never shorthand). */
export function whereToJson(where: Where): Record<string, unknown> {
  switch (where.kind) {
    case 'and':
    case 'or':
      return { [`$${where.kind}`]: where.children.map(whereToJson) };
    case 'compare':
      return { [where.key]: { [where.op]: where.value } };
    case 'in':
      return { [where.key]: { [where.negate ? '$nin' : '$in']: [...where.values] } };
    case 'contains':
      return { [where.key]: { [where.negate ? '$not_contains' : '$contains']: where.value } };
    case 'document': {
      const [op, operand] = Object.entries(whereDocumentToJson(where.filter))[0] as [string, unknown];
      return { [DOCUMENT_KEY]: { [op]: operand } };
    }
  }
}

/** Turns a {@link WhereDocument} back into its wire JSON. */
export function whereDocumentToJson(wd: WhereDocument): Record<string, unknown> {
  switch (wd.kind) {
    case 'and':
    case 'or':
      return { [`$${wd.kind}`]: wd.children.map(whereDocumentToJson) };
    case 'contains':
      return { [wd.negate ? '$not_contains' : '$contains']: wd.text };
    case 'regex':
      return { [wd.negate ? '$not_regex' : '$regex']: wd.pattern };
  }
}

function parseWhereNode(input: unknown, at: Cursor): Where {
  const [key, value] = singleEntry(input, at, 'a where object');
  if (key === '$and' || key === '$or') {
    return {
      kind: key === '$and' ? 'and' : 'or',
      children: parseChildren(value, child(at, key), parseWhereNode),
    };
  }
  if (key.startsWith('$'))
    fail(at, `Unknown where operator "${key}" (expected "$and", "$or" or a metadata key)`);
  if (isUnsafeKey(key)) fail(at, `"${key}" cannot be a metadata key, so no filter can test it`);
  const here = child(at, key);
  return (key === DOCUMENT_KEY && parseDocumentField(value, here)) || parseField(key, value, here);
}

/** `{"#document": {"$contains" | "$not_contains" | "$regex" | "$not_regex": text}}`; other forms are metadata. */
function parseDocumentField(value: unknown, at: Cursor): Where | undefined {
  if (!isPlainObject(value) || Object.keys(value).length !== 1) return undefined;
  const op = Object.keys(value)[0] as string;
  if (!DOCUMENT_OPS.includes(op)) return undefined;
  return { kind: 'document', filter: parseDocumentNode(value, { ...at, depth: at.depth + 1 }) };
}

function parseDocumentNode(input: unknown, at: Cursor): WhereDocument {
  const [op, value] = singleEntry(input, at, 'a where_document object');
  const here = child(at, op);
  if (op === '$and' || op === '$or') {
    return { kind: op === '$and' ? 'and' : 'or', children: parseChildren(value, here, parseDocumentNode) };
  }
  if (op === '$contains' || op === '$not_contains') {
    return { kind: 'contains', text: documentOperand(op, value, here), negate: op === '$not_contains' };
  }
  if (op === '$regex' || op === '$not_regex') {
    return { kind: 'regex', pattern: regexOperand(op, value, here), negate: op === '$not_regex' };
  }
  return fail(
    at,
    `Unknown where_document operator "${op}" (expected "$contains", "$not_contains", "$regex", "$not_regex", "$and" or "$or")`,
  );
}

function parseField(key: string, value: unknown, at: Cursor): Where {
  if (isScalarLike(value)) {
    return {
      kind: 'compare',
      key,
      op: '$eq',
      value: scalarOperand(value, at, `where value for key "${key}"`),
    };
  }
  if (!isPlainObject(value)) {
    fail(
      at,
      `Expected where value for key "${key}" to be a string, number, boolean or operator object, got ${describe(value)}`,
    );
  }
  const [op, operand] = singleEntry(value, at, `an operator object for key "${key}"`);
  const what = `where operand for "${op}" on key "${key}"`;
  const here = child(at, op);
  if (COMPARE_OPS.includes(op)) {
    const scalar = scalarOperand(operand, here, what);
    if (NUMERIC_OPS.includes(op) && typeof scalar !== 'number') {
      fail(here, `Expected ${what} to be a number, got ${describe(scalar)}`);
    }
    return { kind: 'compare', key, op: op as CompareOp, value: scalar };
  }
  if (op === '$in' || op === '$nin')
    return { kind: 'in', key, negate: op === '$nin', values: setOperand(operand, here, what) };
  if (op === '$contains' || op === '$not_contains') {
    return {
      kind: 'contains',
      key,
      negate: op === '$not_contains',
      value: scalarOperand(operand, here, what),
    };
  }
  return fail(
    here,
    `Unknown where operator "${op}" on key "${key}" (expected one of $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $not_contains)`,
  );
}

function parseChildren<T>(value: unknown, at: Cursor, parseNode: (input: unknown, at: Cursor) => T): T[] {
  const name = at.path.slice(at.path.lastIndexOf('.') + 1);
  if (!Array.isArray(value))
    fail(at, `Expected ${at.label} value for "${name}" to be an array, got ${describe(value)}`);
  return value.map((item, i) => parseNode(item, { ...at, path: `${at.path}[${i}]`, depth: at.depth + 1 }));
}

function setOperand(value: unknown, at: Cursor, what: string): MetadataScalar[] {
  if (!Array.isArray(value)) fail(at, `Expected ${what} to be an array, got ${describe(value)}`);
  if (value.length === 0) fail(at, `Expected ${what} to be a non-empty array`);
  at.budget.values += value.length;
  if (at.budget.values > MAX_FILTER_VALUES) {
    fail(at, `${at.label} has more than ${MAX_FILTER_VALUES} $in / $nin values`);
  }
  const values = value.map((item, i) =>
    scalarOperand(item, { ...at, path: `${at.path}[${i}]` }, `${what} item`),
  );
  const type = typeof values[0];
  const odd = values.findIndex((item) => typeof item !== type);
  if (odd >= 0)
    fail(at, `Expected ${what} to hold values of one type, got ${type} and ${typeof values[odd]}`);
  return values;
}

function scalarOperand(value: unknown, at: Cursor, what: string): MetadataScalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return fail(at, `Expected ${what} to be a string, finite number or boolean, got ${describe(value)}`);
}

function documentOperand(op: string, value: unknown, at: Cursor): string {
  if (typeof value !== 'string')
    fail(at, `Expected where_document operand for "${op}" to be a string, got ${describe(value)}`);
  return value;
}

function regexOperand(op: string, value: unknown, at: Cursor): string {
  const pattern = documentOperand(op, value, at);
  at.budget.regexes += 1;
  if (at.budget.regexes > MAX_REGEX_FILTERS) {
    fail(at, `${at.label} has more than ${MAX_REGEX_FILTERS} $regex / $not_regex tests`);
  }
  if (pattern.length > MAX_REGEX_LENGTH) {
    fail(at, `Expected "${op}" pattern to be at most ${MAX_REGEX_LENGTH} characters, got ${pattern.length}`);
  }
  try {
    compileDocumentRegex(pattern);
  } catch (err) {
    fail(at, `Invalid "${op}" pattern: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return pattern;
}

/** Checks the node is a plain object with exactly one key, spends one node of budget and returns the entry. */
function singleEntry(input: unknown, at: Cursor, what: string): [string, unknown] {
  if (at.depth > MAX_FILTER_DEPTH) fail(at, `${at.label} is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  spend(at, 1);
  if (!isPlainObject(input)) fail(at, `Expected ${what}, got ${describe(input)}`);
  const keys = Object.keys(input);
  if (keys.length !== 1) {
    const hint = keys.length > 1 ? ' (combine several conditions with "$and")' : '';
    fail(at, `Expected ${what} to have exactly one key, got ${keys.length}${hint}`);
  }
  const key = keys[0] as string;
  return [key, input[key]];
}

function spend(at: Cursor, nodes: number): void {
  at.budget.nodes += nodes;
  if (at.budget.nodes > MAX_FILTER_NODES) fail(at, `${at.label} has more than ${MAX_FILTER_NODES} nodes`);
}

function emptyBudget(): Cursor['budget'] {
  return { nodes: 0, values: 0, regexes: 0 };
}

function child(at: Cursor, key: string): Cursor {
  const segment = /^[$#\w]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return { ...at, path: `${at.path}${segment}` };
}

function fail(at: Cursor, message: string, cause?: unknown): never {
  throw invalidArgument(`${message} (at ${at.path})`, cause);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isScalarLike(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}
