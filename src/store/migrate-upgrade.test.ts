import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeEmbedding } from './embedding-codec.js';
import { MIGRATIONS, readUserVersion, runMigrations } from './migrate.js';
import { SqliteStore } from './sqlite-store.js';
import { toSqlValue, valueColumn } from './where-to-sql.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import { matchWhere } from '../engine/where/match-where.js';
import { createRng, randomMetadata, randomWhere } from '../engine/where/random-where.js';
import type { Metadata, MetadataScalar, RecordInput } from '../engine/types.js';

const KEYS = ['color', 'n', 'tags'];
const COLLECTIONS = ['c-one', 'c-two'];
const dir = mkdtempSync(join(tmpdir(), 'kbgate-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a store file at schema version 1, as the first release did, with the same records in two collections. */
function writeVersionOneStore(path: string, records: RecordInput[]): void {
  const db = new BetterSqlite3(path);
  runMigrations(db, MIGRATIONS.slice(0, 1));
  db.prepare('INSERT INTO tenants (name) VALUES (?)').run(DEFAULT_TENANT);
  db.prepare('INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)').run(
    'db',
    DEFAULT_DATABASE,
    DEFAULT_TENANT,
  );
  const addCollection = db.prepare(
    "INSERT INTO collections (id, name, tenant, database, configuration, hnsw, seq) VALUES (?, ?, ?, ?, '{}', '{}', 1)",
  );
  const addRecord = db.prepare(
    'INSERT INTO records (collection_id, id, seq, embedding, document, uri, metadata) VALUES (?, ?, 1, ?, ?, NULL, ?) RETURNING rowid',
  );
  const addText = db.prepare('INSERT INTO records_fts (rowid, text) VALUES (?, ?)');
  for (const collection of COLLECTIONS) {
    addCollection.run(collection, collection, DEFAULT_TENANT, DEFAULT_DATABASE);
    for (const record of records) {
      const embedding = record.embedding === null ? null : encodeEmbedding(record.embedding);
      const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
      const { rowid } = addRecord.get(collection, record.id, embedding, record.document, metadata) as {
        rowid: number;
      };
      if (record.metadata !== null) writeVersionOneMetadata(db, rowid, record.metadata);
      if (record.document !== null) addText.run(rowid, record.document);
    }
  }
  db.close();
}

function writeVersionOneMetadata(db: BetterSqlite3.Database, rowid: number, metadata: Metadata): void {
  const add = (key: string, value: MetadataScalar, inArray: number) =>
    db
      .prepare(
        `INSERT INTO record_metadata (record_rowid, key, ${valueColumn(value)}, in_array) VALUES (?, ?, ?, ?)`,
      )
      .run(rowid, key, toSqlValue(value), inArray);
  for (const [key, value] of Object.entries(metadata)) {
    if (Array.isArray(value)) value.forEach((element) => add(key, element, 1));
    else add(key, value, 0);
  }
}

describe('upgrading a version-1 store', () => {
  const rng = createRng(7_031);
  const records: RecordInput[] = Array.from({ length: 120 }, (_, i) => ({
    id: `r${i}`,
    embedding: i % 5 === 0 ? null : new Float32Array([i, -i, i / 2]),
    document: i % 3 === 0 ? null : `note about word${i % 7} and more`,
    metadata: randomMetadata(rng, KEYS),
    uri: null,
  }));
  const path = join(dir, 'v1.sqlite');
  writeVersionOneStore(path, records);
  const store = new SqliteStore(path);
  afterAll(() => store.close());

  it('should migrate the file to the latest schema version', () => {
    const db = new BetterSqlite3(path, { readonly: true });
    expect(readUserVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('should keep every record with its embedding, metadata and change history', () => {
    const [collection] = COLLECTIONS as [string];
    const rowids = store.selectRowids(collection, {}, {});
    const read = store.readRecords(rowids, ['embeddings', 'metadatas']);
    expect(read.map((r) => [r.id, r.embedding, r.metadata])).toEqual(
      records.map((r) => [r.id, r.embedding, r.metadata]),
    );
    const changes = store.changesSince(collection, 0);
    expect(changes.upserts.map((u) => u.embedding)).toEqual(records.map((r) => r.embedding));
  });

  it('should move documents into per-collection lexical tables that find them', () => {
    const expected = records.filter((r) => r.document?.includes('word3')).map((r) => r.id);
    for (const collection of COLLECTIONS) {
      const hits = store.searchLexical(collection, 'word3', 1000);
      const ids = store
        .readRecords(
          hits.map((h) => h.rowid),
          [],
        )
        .map((r) => r.id);
      expect(ids.sort()).toEqual([...expected].sort());
    }
  });

  it('should filter each collection exactly like matchWhere, for 150 random filters', () => {
    for (let i = 0; i < 150; i++) {
      const where = randomWhere(rng, KEYS).ast;
      const expected = records.filter((r) => matchWhere(where, r.metadata)).map((r) => r.id);
      for (const collection of COLLECTIONS) {
        const ids = store.readRecords(store.selectRowids(collection, { where }, {}), []).map((r) => r.id);
        expect(ids, JSON.stringify(where)).toEqual(expected);
      }
    }
  });
});
