/** The reference evaluator of `where` / `where_document` filters: the oracle the SQL translation is tested against. */
import type { CompareOp, Metadata, MetadataScalar, MetadataValue, Where, WhereDocument } from '../types.js';
import { compileDocumentRegex } from './document-regex.js';

/**
 * True when `metadata` satisfies `where`, with Chroma 1.x semantics.
 *
 * @remarks
 * - `$eq` matches a scalar of the same type and value (`1` never equals `true` or `"1"`; integers and
 *   floats are one `number`). An absent key or an array-valued key never matches.
 * - `$ne` is the exact negation of `$eq`: it matches an absent key, an array-valued key, or a scalar that
 *   differs in type or value (Chroma evaluates it as `id NOT IN (ids where key = value)`).
 * - `$gt` / `$gte` / `$lt` / `$lte` match numeric scalars only; strings, booleans, arrays and absent keys never match.
 * - `$in` matches a scalar equal (type-aware) to one of the values; arrays never match. `$nin` is its exact
 *   negation, so it matches absent keys and arrays.
 * - `$contains` matches an array value with an element equal (type-aware) to the operand; a scalar value
 *   never matches (Chroma 1.x's `ArrayContains`). `$not_contains` is its exact negation.
 * - `$and` / `$or` are conjunction / disjunction of their children: an empty `$and` matches everything, an
 *   empty `$or` nothing.
 * - A `#document` key tests `document` as {@link matchWhereDocument} does.
 */
export function matchWhere(where: Where, metadata: Metadata | null, document: string | null = null): boolean {
  switch (where.kind) {
    case 'and':
      return where.children.every((child) => matchWhere(child, metadata, document));
    case 'or':
      return where.children.some((child) => matchWhere(child, metadata, document));
    case 'document':
      return matchWhereDocument(where.filter, document);
    case 'compare':
      return matchCompare(where.op, lookUp(metadata, where.key), where.value);
    case 'in':
      return matchIn(lookUp(metadata, where.key), where.values) !== where.negate;
    case 'contains':
      return matchContains(lookUp(metadata, where.key), where.value) !== where.negate;
  }
}

/**
 * True when `document` satisfies `wd`, with Chroma 1.x semantics.
 *
 * @remarks `$contains` is a case-sensitive substring test and `$regex` a search (not a full match) with
 * {@link compileDocumentRegex}. A null document never matches `$contains` / `$regex` and always matches
 * `$not_contains` / `$not_regex`: each negation is exact (Chroma evaluates them as `id NOT IN (...)`). An empty
 * `$contains` or `$regex` therefore matches every record with a document, even an empty one. An empty `$and`
 * matches everything, an empty `$or` nothing.
 */
export function matchWhereDocument(wd: WhereDocument, document: string | null): boolean {
  switch (wd.kind) {
    case 'and':
      return wd.children.every((child) => matchWhereDocument(child, document));
    case 'or':
      return wd.children.some((child) => matchWhereDocument(child, document));
    case 'contains':
      return (document !== null && document.includes(wd.text)) !== wd.negate;
    case 'regex':
      return (document !== null && compileDocumentRegex(wd.pattern).test(document)) !== wd.negate;
  }
}

/** Own-property lookup, so keys like `constructor` or `__proto__` never reach the prototype. */
function lookUp(metadata: Metadata | null, key: string): MetadataValue | undefined {
  if (metadata === null || !Object.hasOwn(metadata, key)) return undefined;
  return metadata[key];
}

function sameScalar(a: MetadataScalar, b: MetadataScalar): boolean {
  return typeof a === typeof b && a === b;
}

function matchCompare(op: CompareOp, actual: MetadataValue | undefined, operand: MetadataScalar): boolean {
  if (op === '$ne') return !matchCompare('$eq', actual, operand);
  if (actual === undefined || Array.isArray(actual)) return false;
  if (op === '$eq') return sameScalar(actual, operand);
  if (typeof actual !== 'number' || typeof operand !== 'number') return false;
  switch (op) {
    case '$gt':
      return actual > operand;
    case '$gte':
      return actual >= operand;
    case '$lt':
      return actual < operand;
    case '$lte':
      return actual <= operand;
  }
}

function matchIn(actual: MetadataValue | undefined, values: MetadataScalar[]): boolean {
  if (actual === undefined || Array.isArray(actual)) return false;
  return values.some((value) => sameScalar(actual, value));
}

function matchContains(actual: MetadataValue | undefined, operand: MetadataScalar): boolean {
  return Array.isArray(actual) && actual.some((element) => sameScalar(element, operand));
}
