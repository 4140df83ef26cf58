/** SQL for records: writes that keep metadata rows and the FTS index in step, and filtered / ordered reads. */
import { decodeEmbedding, encodeEmbedding } from './embedding-codec.js';
import type { LexicalTables } from './lexical-tables.js';
import type { StatementCache } from './statement-cache.js';
import { selectRowidsQuery } from './filter-to-sql.js';
import { toSqlValue, valueColumn } from './where-to-sql.js';
import type { Page, RecordFilter } from '../engine/ports.js';
import type { Include, Metadata, RecordInput, StoredRecord } from '../engine/types.js';

const UPSERT_RECORD = `
  INSERT INTO records (collection_id, id, seq, document, uri, metadata) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (collection_id, id) DO UPDATE SET
    seq = excluded.seq, document = excluded.document, uri = excluded.uri, metadata = excluded.metadata
  RETURNING rowid`;

const UPSERT_EMBEDDING = `
  INSERT INTO record_embeddings (rowid, embedding) VALUES (?, ?)
  ON CONFLICT (rowid) DO UPDATE SET embedding = excluded.embedding`;

const INSERT_METADATA = {
  string_value: insertMetadataSql('string_value'),
  number_value: insertMetadataSql('number_value'),
  bool_value: insertMetadataSql('bool_value'),
} as const;

function insertMetadataSql(column: string): string {
  return `INSERT INTO record_metadata (collection_id, record_rowid, key, ${column}, in_array) VALUES (?, ?, ?, ?, ?)`;
}

/** Optional `records` columns and the `Include` value that asks for each (embeddings live in their own table). */
const OPTIONAL_COLUMNS = [
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
  readonly #lexical: LexicalTables;

  constructor(statements: StatementCache, lexical: LexicalTables) {
    this.#sql = statements;
    this.#lexical = lexical;
  }

  /** Writes one record with the given seq (overwriting by id), its metadata rows and FTS row; returns its rowid. */
  put(collectionId: string, record: RecordInput, seq: number): number {
    const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
    const row = this.#sql
      .get(UPSERT_RECORD)
      .get(collectionId, record.id, seq, record.document, record.uri, metadata) as { rowid: number };
    if (record.embedding === null) {
      this.#sql.get('DELETE FROM record_embeddings WHERE rowid = ?').run(row.rowid);
    } else {
      this.#sql.get(UPSERT_EMBEDDING).run(row.rowid, encodeEmbedding(record.embedding));
    }
    this.#sql.get('DELETE FROM record_metadata WHERE record_rowid = ?').run(row.rowid);
    if (record.metadata !== null) this.#insertMetadata(collectionId, row.rowid, record.metadata);
    this.#lexical.put(collectionId, row.rowid, record.document, record.metadata);
    return row.rowid;
  }

  /** Deletes records of the collection by rowid (metadata rows by cascade, lexical rows here); returns the deleted rowids. */
  delete(collectionId: string, rowids: readonly number[]): number[] {
    const rows = this.#sql
      .get(
        'DELETE FROM records WHERE collection_id = ? AND rowid IN (SELECT value FROM json_each(?)) RETURNING rowid',
      )
      .all(collectionId, JSON.stringify(rowids)) as { rowid: number }[];
    const deleted = rows.map((row) => row.rowid);
    this.#lexical.delete(collectionId, deleted);
    return deleted;
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

  /**
   * Rowids matching the filter, in rowid (insertion) order, paged.
   *
   * @remarks See {@link selectRowidsQuery}.
   */
  select(collectionId: string, filter: RecordFilter, page: Page): number[] {
    const query = selectRowidsQuery(collectionId, filter);
    return this.#sql
      .get(`${query.sql} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...query.params, page.limit ?? -1, page.offset ?? 0) as number[];
  }

  /** Reads records by rowid in the given order, selecting and decoding only the included fields. */
  read(rowids: readonly number[], include: readonly Include[]): StoredRecord[] {
    const wanted = OPTIONAL_COLUMNS.filter(([name]) => include.includes(name)).map(([, column]) => column);
    const columns = ['r.rowid AS rowid', 'r.id AS id', ...wanted.map((column) => `r.${column} AS ${column}`)];
    const embeddings = include.includes('embeddings');
    if (embeddings) columns.push('e.embedding AS embedding');
    const sql =
      `SELECT ${columns.join(', ')} FROM json_each(?) j CROSS JOIN records r ON r.rowid = j.value ` +
      `${embeddings ? 'LEFT JOIN record_embeddings e ON e.rowid = r.rowid ' : ''}ORDER BY j.key`;
    const rows = this.#sql.get(sql).all(JSON.stringify(rowids)) as RecordRow[];
    return rows.map(toStoredRecord);
  }

  /** Embeddings by rowid, in order: one lookup each in the embeddings table alone (the vector index's reads). */
  readEmbeddings(rowids: readonly number[]): (Float32Array | null)[] {
    const blobs = this.#sql
      .get(
        'SELECT e.embedding FROM json_each(?) j LEFT JOIN record_embeddings e ON e.rowid = j.value ORDER BY j.key',
      )
      .pluck()
      .all(JSON.stringify(rowids)) as (Buffer | null)[];
    return blobs.map((blob) => (blob === null ? null : decodeEmbedding(blob)));
  }

  /** How many records the collection holds. */
  count(collectionId: string): number {
    return this.#sql
      .get('SELECT count(*) FROM records WHERE collection_id = ?')
      .pluck()
      .get(collectionId) as number;
  }

  #insertMetadata(collectionId: string, rowid: number, metadata: Metadata): void {
    for (const [key, value] of Object.entries(metadata)) {
      const inArray = Array.isArray(value) ? 1 : 0;
      for (const element of Array.isArray(value) ? value : [value]) {
        this.#sql
          .get(INSERT_METADATA[valueColumn(element)])
          .run(collectionId, rowid, key, toSqlValue(element), inArray);
      }
    }
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
