/** SQL for records: writes that keep metadata rows and the FTS index in step, and filtered / ordered reads. */
import { decodeEmbedding, encodeEmbedding } from './embedding-codec.js';
import { ftsText } from './fts-text.js';
import type { StatementCache } from './statement-cache.js';
import { toSqlValue, valueColumn, whereDocumentToSql, whereToSql, type SqlFragment } from './where-to-sql.js';
import type { Page, RecordFilter } from '../engine/ports.js';
import type { Include, Metadata, MetadataScalar, RecordInput, StoredRecord } from '../engine/types.js';

const UPSERT_RECORD = `
  INSERT INTO records (collection_id, id, seq, embedding, document, uri, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (collection_id, id) DO UPDATE SET
    seq = excluded.seq, embedding = excluded.embedding, document = excluded.document,
    uri = excluded.uri, metadata = excluded.metadata
  RETURNING rowid`;

const INSERT_METADATA = {
  string_value: 'INSERT INTO record_metadata (record_rowid, key, string_value, in_array) VALUES (?, ?, ?, ?)',
  number_value: 'INSERT INTO record_metadata (record_rowid, key, number_value, in_array) VALUES (?, ?, ?, ?)',
  bool_value: 'INSERT INTO record_metadata (record_rowid, key, bool_value, in_array) VALUES (?, ?, ?, ?)',
} as const;

/** Optional record columns and the `Include` value that asks for each. */
const OPTIONAL_COLUMNS = [
  ['embeddings', 'embedding'],
  ['documents', 'document'],
  ['metadatas', 'metadata'],
  ['uris', 'uri'],
] as const;

interface RecordRow {
  rowid: number;
  id: string;
  embedding?: Buffer | null;
  document?: string | null;
  metadata?: string | null;
  uri?: string | null;
}

/** Record reads and writes over one connection's statement cache; the caller owns transactions and seq. */
export class RecordQueries {
  readonly #sql: StatementCache;

  constructor(statements: StatementCache) {
    this.#sql = statements;
  }

  /** Writes one record with the given seq (overwriting by id), its metadata rows and FTS row; returns its rowid. */
  put(collectionId: string, record: RecordInput, seq: number): number {
    const embedding = record.embedding === null ? null : encodeEmbedding(record.embedding);
    const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
    const row = this.#sql
      .get(UPSERT_RECORD)
      .get(collectionId, record.id, seq, embedding, record.document, record.uri, metadata) as {
      rowid: number;
    };
    this.#sql.get('DELETE FROM record_metadata WHERE record_rowid = ?').run(row.rowid);
    if (record.metadata !== null) this.#insertMetadata(row.rowid, record.metadata);
    this.#sql.get('DELETE FROM records_fts WHERE rowid = ?').run(row.rowid);
    if (record.document !== null) {
      this.#sql
        .get('INSERT INTO records_fts (rowid, text) VALUES (?, ?)')
        .run(row.rowid, ftsText(record.document));
    }
    return row.rowid;
  }

  /** Deletes records of the collection by rowid (metadata and FTS rows go by cascade); returns the deleted rowids. */
  delete(collectionId: string, rowids: readonly number[]): number[] {
    const rows = this.#sql
      .get(
        'DELETE FROM records WHERE collection_id = ? AND rowid IN (SELECT value FROM json_each(?)) RETURNING rowid',
      )
      .all(collectionId, JSON.stringify(rowids)) as { rowid: number }[];
    return rows.map((row) => row.rowid);
  }

  /** Maps ids to rowids for the ids that exist in the collection. */
  lookup(collectionId: string, ids: readonly string[]): Map<string, number> {
    const rows = this.#sql
      .get(
        'SELECT r.id AS id, r.rowid AS rowid FROM json_each(?) j CROSS JOIN records r ' +
          'ON r.collection_id = ? AND r.id = j.value',
      )
      .all(JSON.stringify(ids), collectionId) as { id: string; rowid: number }[];
    return new Map(rows.map((row) => [row.id, row.rowid]));
  }

  /** Rowids matching the filter, in rowid (insertion) order, paged. */
  select(collectionId: string, filter: RecordFilter, page: Page): number[] {
    const conditions: SqlFragment[] = [{ sql: 'r.collection_id = ?', params: [collectionId] }];
    if (filter.ids !== undefined) {
      conditions.push({
        sql: 'r.id IN (SELECT value FROM json_each(?))',
        params: [JSON.stringify(filter.ids)],
      });
    }
    if (filter.where !== undefined) conditions.push(whereToSql(filter.where));
    if (filter.whereDocument !== undefined) conditions.push(whereDocumentToSql(filter.whereDocument));
    const sql =
      `SELECT r.rowid AS rowid FROM records r WHERE ${conditions.map((c) => c.sql).join(' AND ')} ` +
      'ORDER BY r.rowid LIMIT ? OFFSET ?';
    const params = [...conditions.flatMap((c) => c.params), page.limit ?? -1, page.offset ?? 0];
    return this.#sql
      .get(sql)
      .pluck()
      .all(...params) as number[];
  }

  /** Reads records by rowid in the given order, selecting and decoding only the included fields. */
  read(rowids: readonly number[], include: readonly Include[]): StoredRecord[] {
    const wanted = OPTIONAL_COLUMNS.filter(([name]) => include.includes(name)).map(([, column]) => column);
    const columns = ['r.rowid AS rowid', 'r.id AS id', ...wanted.map((column) => `r.${column} AS ${column}`)];
    const sql =
      `SELECT ${columns.join(', ')} FROM json_each(?) j CROSS JOIN records r ON r.rowid = j.value ` +
      'ORDER BY j.key';
    const rows = this.#sql.get(sql).all(JSON.stringify(rowids)) as RecordRow[];
    return rows.map(toStoredRecord);
  }

  /** How many records the collection holds. */
  count(collectionId: string): number {
    return this.#sql
      .get('SELECT count(*) FROM records WHERE collection_id = ?')
      .pluck()
      .get(collectionId) as number;
  }

  #insertMetadata(rowid: number, metadata: Metadata): void {
    for (const [key, value] of Object.entries(metadata)) {
      if (Array.isArray(value)) {
        for (const element of value) this.#insertMetadataValue(rowid, key, element, 1);
      } else {
        this.#insertMetadataValue(rowid, key, value, 0);
      }
    }
  }

  #insertMetadataValue(rowid: number, key: string, value: MetadataScalar, inArray: 0 | 1): void {
    this.#sql.get(INSERT_METADATA[valueColumn(value)]).run(rowid, key, toSqlValue(value), inArray);
  }
}

function toStoredRecord(row: RecordRow): StoredRecord {
  return {
    rowid: row.rowid,
    id: row.id,
    embedding: row.embedding == null ? null : decodeEmbedding(row.embedding),
    document: row.document ?? null,
    metadata: row.metadata == null ? null : (JSON.parse(row.metadata) as Metadata),
    uri: row.uri ?? null,
  };
}
