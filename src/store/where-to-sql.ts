/** Translates parsed filters into SQL: `where` into rowid sets over `record_metadata`, `where_document` into tests of `r`. */
import type BetterSqlite3 from 'better-sqlite3';
import { combinePolar, EMPTY_SET, type Polar, type SqlFragment } from './rowid-set-sql.js';
import { invalidArgument } from '../engine/errors.js';
import { compileDocumentRegex } from '../engine/where/document-regex.js';
import type { CompareOp, MetadataScalar, Where, WhereDocument } from '../engine/types.js';

/** The SQL function name {@link registerRegexpMatch} installs and `$regex` filters call. */
export const REGEXP_MATCH_FUNCTION = 'regexp_match';

const RANGE_OPERATORS: Partial<Record<CompareOp, string>> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/**
 * Translates a `where` filter into the set of the collection's rowids it accepts, or that set's complement.
 *
 * @remarks
 * Exact semantics, the same as `matchWhere` in `engine/where/match-where.ts`:
 * - `$eq` matches a scalar (never an array element) of the same type and value; booleans are distinct from
 *   numbers, integers and floats compare numerically.
 * - `$ne` matches when no equal scalar exists: absent keys, array-valued keys and other types match.
 * - `$gt` / `$gte` / `$lt` / `$lte` match numeric scalars only.
 * - `$in` matches a scalar equal to one of the values; `$nin` is its exact negation (absent keys match).
 * - `$contains` matches an array element equal to the value; `$not_contains` is its exact negation.
 * - `#document` tests the document as {@link whereDocumentToSql} does.
 * A positive leaf is one range of a covering `record_metadata` index; a negated leaf is its complement;
 * `$and` / `$or` combine with {@link combinePolar}. Only `#document` leaves read `records`. Every value is a
 * bound parameter.
 */
export function whereToPolar(collectionId: string, where: Where): Polar {
  switch (where.kind) {
    case 'and':
    case 'or':
      return combinePolar(
        where.kind,
        where.children.map((child) => whereToPolar(collectionId, child)),
      );
    case 'compare':
      return compareToPolar(collectionId, where.key, where.op, where.value);
    case 'in':
      return inToPolar(collectionId, where.key, where.values, where.negate);
    case 'contains':
      return metadataLeaf(where.negate, [collectionId, where.key, 1], {
        sql: `${valueColumn(where.value)} = ?`,
        params: [toSqlValue(where.value)],
      });
    case 'document': {
      const test = whereDocumentToSql(where.filter);
      const sql = 'SELECT r.rowid AS rid FROM records r WHERE r.collection_id = ? AND ' + test.sql;
      return { set: { sql, params: [collectionId, ...test.params], compound: false }, negated: false };
    }
  }
}

/**
 * Translates a `where_document` filter into a boolean expression over `r.document`.
 *
 * @remarks `$contains` is a case-sensitive substring test (`instr`); `$regex` calls {@link REGEXP_MATCH_FUNCTION}.
 * A null document never matches `$contains` / `$regex` and always matches `$not_contains` / `$not_regex`.
 */
export function whereDocumentToSql(wd: WhereDocument): SqlFragment {
  switch (wd.kind) {
    case 'and':
    case 'or':
      return combine(wd.kind, wd.children.map(whereDocumentToSql));
    case 'contains':
      return wd.negate
        ? { sql: '(r.document IS NULL OR instr(r.document, ?) = 0)', params: [wd.text] }
        : { sql: 'coalesce(instr(r.document, ?) > 0, 0)', params: [wd.text] };
    case 'regex':
      return {
        sql: `${wd.negate ? 'NOT ' : ''}${REGEXP_MATCH_FUNCTION}(?, r.document)`,
        params: [wd.pattern],
      };
  }
}

/**
 * Installs the deterministic `regexp_match(pattern, text)` SQL function: 1 when the pattern (Rust `regex`
 * syntax, run by the linear-time RE2 engine of `compileDocumentRegex`, compiled once per pattern) finds a
 * match in `text`, 0 otherwise and for a null text.
 */
export function registerRegexpMatch(db: BetterSqlite3.Database): void {
  db.function(REGEXP_MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, text: unknown) => {
    if (typeof pattern !== 'string') throw invalidArgument('regexp_match needs a string pattern');
    return typeof text === 'string' && compileDocumentRegex(pattern).test(text) ? 1 : 0;
  });
}

/**
 * Joins the parts with AND / OR as a balanced tree of parentheses: SQLite parses `a AND b AND c ...` into an
 * expression as deep as it is long and refuses one deeper than 1,000, while a balanced tree is log2(n) deep.
 * Parameters stay in the order of the parts, as the SQL reads them.
 */
function combine(kind: 'and' | 'or', parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return { sql: kind === 'and' ? '1' : '0', params: [] };
  const joiner = kind === 'and' ? ' AND ' : ' OR ';
  const join = (from: number, to: number): string => {
    if (to - from === 1) return (parts[from] as SqlFragment).sql;
    const middle = (from + to) >>> 1;
    return `(${join(from, middle)}${joiner}${join(middle, to)})`;
  };
  return { sql: `(${join(0, parts.length)})`, params: parts.flatMap((part) => part.params) };
}

function compareToPolar(collectionId: string, key: string, op: CompareOp, value: MetadataScalar): Polar {
  if (op === '$eq' || op === '$ne') {
    return metadataLeaf(op === '$ne', [collectionId, key, 0], {
      sql: `${valueColumn(value)} = ?`,
      params: [toSqlValue(value)],
    });
  }
  if (typeof value !== 'number') throw invalidArgument(`${op} needs a number operand`);
  return metadataLeaf(false, [collectionId, key, 0], {
    sql: `number_value ${RANGE_OPERATORS[op] ?? '='} ?`,
    params: [value],
  });
}

function inToPolar(collectionId: string, key: string, values: MetadataScalar[], negate: boolean): Polar {
  const first = values[0];
  if (first === undefined) return { set: EMPTY_SET, negated: negate };
  const json = JSON.stringify(values.map(toSqlValue));
  return metadataLeaf(negate, [collectionId, key, 0], {
    sql: `${valueColumn(first)} IN (SELECT value FROM json_each(?))`,
    params: [json],
  });
}

/**
 * The rowids with a `record_metadata` row of this collection, key and array flag passing the value test (or
 * their complement); array elements may repeat a value, so those sets are DISTINCT.
 */
function metadataLeaf(
  negated: boolean,
  [collectionId, key, inArray]: [string, string, 0 | 1],
  valueTest: SqlFragment,
): Polar {
  const sql =
    `SELECT ${inArray === 1 ? 'DISTINCT ' : ''}record_rowid AS rid FROM record_metadata ` +
    `WHERE collection_id = ? AND key = ? AND in_array = ${inArray} AND ${valueTest.sql}`;
  return { set: { sql, params: [collectionId, key, ...valueTest.params], compound: false }, negated };
}

/** The typed `record_metadata` column a scalar of this type lives in. */
export function valueColumn(value: MetadataScalar): 'string_value' | 'number_value' | 'bool_value' {
  if (typeof value === 'string') return 'string_value';
  return typeof value === 'number' ? 'number_value' : 'bool_value';
}

/** The value SQLite stores for a scalar: booleans as 1 / 0. */
export function toSqlValue(value: MetadataScalar): string | number {
  return typeof value === 'boolean' ? Number(value) : value;
}
