/** The SELECT behind `selectRowids`: a record filter as ordered rowids of one collection. */
import {
  combinePolar,
  idRowids,
  polarToCondition,
  polarToSet,
  type Polar,
  type SqlFragment,
} from './rowid-set-sql.js';
import { whereDocumentToSql, whereToPolar } from './where-to-sql.js';
import type { RecordFilter } from '../engine/ports.js';

/**
 * The SELECT of the rowids of the collection's records passing every part of the filter, in rowid order.
 *
 * @remarks `ids` and `where` are rowid-set algebra over covering indexes and never read a `records` row (the
 * hot path of filtered vector queries); only a `whereDocument` test reads the rows, restricted to that set.
 */
export function selectRowidsQuery(collectionId: string, filter: RecordFilter): SqlFragment {
  const parts: Polar[] = [];
  if (filter.ids !== undefined) parts.push({ set: idRowids(collectionId, filter.ids), negated: false });
  if (filter.where !== undefined) parts.push(whereToPolar(collectionId, filter.where));
  const polar = combinePolar('and', parts);
  if (filter.whereDocument === undefined) {
    const set = polarToSet(collectionId, polar);
    return { sql: `${set.sql} ORDER BY 1`, params: set.params };
  }
  const conditions = [
    { sql: 'r.collection_id = ?', params: [collectionId] },
    polarToCondition(polar),
    whereDocumentToSql(filter.whereDocument),
  ].filter((condition): condition is SqlFragment => condition !== null);
  return {
    sql: `SELECT r.rowid FROM records r WHERE ${conditions.map((c) => c.sql).join(' AND ')} ORDER BY r.rowid`,
    params: conditions.flatMap((c) => c.params),
  };
}
