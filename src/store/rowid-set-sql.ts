/** Sets of record rowids as SQL SELECTs, combined with UNION / INTERSECT / EXCEPT. */

/** SQL text and the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** A SELECT of one column `rid` (a set of record rowids); `compound` when it is a UNION / INTERSECT / EXCEPT. */
export interface RowidSet extends SqlFragment {
  compound: boolean;
}

/**
 * A filter's result: the rowids of `set`, or (`negated`) the collection's rowids outside `set`.
 *
 * @remarks Carrying negations as complements lets `A and not B` run as `A EXCEPT B`, so a filter reads the
 * collection's whole rowid list at most once, and only when its result really is a complement.
 */
export interface Polar {
  set: RowidSet;
  negated: boolean;
}

/** Most members joined in one compound SELECT; longer lists nest (SQLite allows 500 members). */
const MAX_COMPOUND_MEMBERS = 100;

/** The empty set. */
export const EMPTY_SET: RowidSet = { sql: 'SELECT NULL AS rid WHERE 0', params: [], compound: false };

/** Every rowid of the collection, read from the `(collection_id, rowid)` index so it comes out in order. */
export function collectionRowids(collectionId: string): RowidSet {
  return {
    sql: 'SELECT rowid AS rid FROM records INDEXED BY records_by_collection WHERE collection_id = ?',
    params: [collectionId],
    compound: false,
  };
}

/**
 * The rowids of the collection's records with these ids (each once), looked up in the `(collection_id, id)`
 * index id by id: the CROSS JOIN keeps the planner from scanning the whole table in rowid order instead.
 */
export function idRowids(collectionId: string, ids: readonly string[]): RowidSet {
  return {
    sql:
      'SELECT DISTINCT r.rowid AS rid FROM json_each(?) j CROSS JOIN records r ' +
      'ON r.collection_id = ? AND r.id = j.value',
    params: [JSON.stringify(ids), collectionId],
    compound: false,
  };
}

/**
 * Combines filter results: `and` = (P1 ∩ P2 ...) − (N1 ∪ N2 ...), or not (N1 ∪ ...) without positives;
 * `or` = not ((N1 ∩ ...) − (P1 ∪ ...)), or P1 ∪ ... without negations; Pi are the positive parts' sets and
 * Ni the sets negated parts exclude. An empty `and` is everything, an empty `or` nothing.
 */
export function combinePolar(kind: 'and' | 'or', parts: readonly Polar[]): Polar {
  const positive = parts.filter((part) => !part.negated).map((part) => part.set);
  const negative = parts.filter((part) => part.negated).map((part) => part.set);
  const [kept, removed] = kind === 'and' ? [positive, negative] : [negative, positive];
  if (kept.length === 0) return { set: setOperation('UNION', removed), negated: kind === 'and' };
  return {
    set: except(setOperation('INTERSECT', kept), setOperation('UNION', removed)),
    negated: kind === 'or',
  };
}

/** The rowids a filter result stands for, as one SELECT (a complement subtracts from the whole collection). */
export function polarToSet(collectionId: string, polar: Polar): RowidSet {
  return polar.negated ? except(collectionRowids(collectionId), polar.set) : polar.set;
}

/** A filter result as a boolean test of the outer alias `r` (a `records` row); null when it accepts every row. */
export function polarToCondition(polar: Polar): SqlFragment | null {
  if (polar.negated && polar.set === EMPTY_SET) return null;
  return { sql: `r.rowid ${polar.negated ? 'NOT IN' : 'IN'} (${polar.set.sql})`, params: polar.set.params };
}

/** Joins sets with one compound operator, nesting groups so no compound SELECT gets too many members. */
function setOperation(op: 'UNION' | 'INTERSECT', sets: readonly RowidSet[]): RowidSet {
  if (sets.length === 0) return EMPTY_SET;
  if (sets.length === 1) return sets[0] as RowidSet;
  if (sets.length > MAX_COMPOUND_MEMBERS) {
    const groups: RowidSet[] = [];
    for (let at = 0; at < sets.length; at += MAX_COMPOUND_MEMBERS) {
      groups.push(setOperation(op, sets.slice(at, at + MAX_COMPOUND_MEMBERS)));
    }
    return setOperation(op, groups);
  }
  return {
    sql: sets.map(asMember).join(` ${op} `),
    params: sets.flatMap((set) => set.params),
    compound: true,
  };
}

/** `from` EXCEPT `minus`; compound operators are left-associative, so only `minus` needs wrapping. */
function except(from: RowidSet, minus: RowidSet): RowidSet {
  if (minus === EMPTY_SET) return from;
  return {
    sql: `${from.sql} EXCEPT ${asMember(minus)}`,
    params: [...from.params, ...minus.params],
    compound: true,
  };
}

/** A set as a member of a compound SELECT: a compound is wrapped so it keeps its own precedence. */
function asMember(set: RowidSet): string {
  return set.compound ? `SELECT rid FROM (${set.sql})` : set.sql;
}
