/** Translates parsed `where` / `where_document` filters into SQL over `records r` and `record_metadata`. */
import type BetterSqlite3 from 'better-sqlite3';
import { invalidArgument } from '../engine/errors.js';
import { compileDocumentRegex } from '../engine/where/match-where.js';
import type { CompareOp, MetadataScalar, Where, WhereDocument } from '../engine/types.js';

/** A boolean SQL expression and the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** The SQL function name {@link registerRegexpMatch} installs and `$regex` filters call. */
export const REGEXP_MATCH_FUNCTION = 'regexp_match';

const RANGE_OPERATORS: Partial<Record<CompareOp, string>> = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

/**
 * Translates a `where` filter into a boolean expression over the outer alias `r` (a `records` row).
 *
 * @remarks
 * Exact semantics, the same as `matchWhere` in `engine/where/match-where.ts`:
 * - `$eq` matches a scalar (never an array element) of the same type and value; booleans are distinct from
 *   numbers, integers and floats compare numerically.
 * - `$ne` matches when no equal scalar exists: absent keys, array-valued keys and other types match.
 * - `$gt` / `$gte` / `$lt` / `$lte` match numeric scalars only.
 * - `$in` matches a scalar equal to one of the values; `$nin` is its exact negation (absent keys match).
 * - `$contains` matches an array element equal to the value; `$not_contains` is its exact negation.
 * Every value is bound as a parameter; each leaf is `r.rowid [NOT] IN (subquery on record_metadata)`.
 */
export function whereToSql(where: Where): SqlFragment {
  switch (where.kind) {
    case 'and':
    case 'or':
      return combine(where.kind, where.children.map(whereToSql));
    case 'compare':
      return compareToSql(where.key, where.op, where.value);
    case 'in':
      return inToSql(where.key, where.values, where.negate);
    case 'contains':
      return metadataTest(where.negate, where.key, 1, `${valueColumn(where.value)} = ?`, [
        toSqlValue(where.value),
      ]);
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
 * Installs the deterministic `regexp_match(pattern, text)` SQL function: 1 when the JS RegExp (compiled once
 * per pattern with the engine's flags) finds a match in `text`, 0 otherwise and for a null text.
 */
export function registerRegexpMatch(db: BetterSqlite3.Database): void {
  db.function(REGEXP_MATCH_FUNCTION, { deterministic: true }, (pattern: unknown, text: unknown) => {
    if (typeof pattern !== 'string') throw invalidArgument('regexp_match needs a string pattern');
    return typeof text === 'string' && compileDocumentRegex(pattern).test(text) ? 1 : 0;
  });
}

function combine(kind: 'and' | 'or', parts: SqlFragment[]): SqlFragment {
  if (parts.length === 0) return { sql: kind === 'and' ? '1' : '0', params: [] };
  const joiner = kind === 'and' ? ' AND ' : ' OR ';
  return {
    sql: `(${parts.map((part) => part.sql).join(joiner)})`,
    params: parts.flatMap((part) => part.params),
  };
}

function compareToSql(key: string, op: CompareOp, value: MetadataScalar): SqlFragment {
  if (op === '$eq' || op === '$ne') {
    return metadataTest(op === '$ne', key, 0, `${valueColumn(value)} = ?`, [toSqlValue(value)]);
  }
  if (typeof value !== 'number') throw invalidArgument(`${op} needs a number operand`);
  return metadataTest(false, key, 0, `number_value ${RANGE_OPERATORS[op] ?? '='} ?`, [value]);
}

function inToSql(key: string, values: MetadataScalar[], negate: boolean): SqlFragment {
  const first = values[0];
  if (first === undefined) return { sql: negate ? '1' : '0', params: [] };
  const json = JSON.stringify(values.map(toSqlValue));
  return metadataTest(negate, key, 0, `${valueColumn(first)} IN (SELECT value FROM json_each(?))`, [json]);
}

/** `r.rowid [NOT] IN (rows of record_metadata with this key, array flag and value test)`. */
function metadataTest(
  negate: boolean,
  key: string,
  inArray: 0 | 1,
  valueTest: string,
  valueParams: unknown[],
): SqlFragment {
  return {
    sql:
      `r.rowid ${negate ? 'NOT IN' : 'IN'} (SELECT m.record_rowid FROM record_metadata m ` +
      `WHERE m.key = ? AND m.in_array = ${inArray} AND m.${valueTest})`,
    params: [key, ...valueParams],
  };
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
