/** The source of truth: a RecordStore on one SQLite file (or memory) through better-sqlite3. */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CatalogQueries } from './catalog-queries.js';
import { ChangeLog } from './change-log.js';
import { runMigrations } from './migrate.js';
import { RecordQueries } from './record-queries.js';
import { isBusy, storageFailure } from './sqlite-errors.js';
import { StatementCache } from './statement-cache.js';
import { LexicalTables } from './lexical-tables.js';
import { CommitScopedCache } from './commit-scoped-cache.js';
import { registerRegexpMatch } from './where-to-sql.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import { EngineError } from '../engine/errors.js';
import type {
  ChangeSet,
  CollectionPatch,
  LexicalHit,
  Page,
  RecordFilter,
  RecordStore,
} from '../engine/ports.js';
import type {
  CollectionModel,
  Database,
  Include,
  RecordInput,
  StoredRecord,
  Tenant,
} from '../engine/types.js';

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * `normal` (default): in WAL mode a commit survives a crash or SIGKILL of the process (it is in the WAL,
   * which the OS flushes); only an OS crash or power loss can drop the last commits, never corrupt the file.
   * `full`: also fsync the WAL at every commit, surviving power loss at the cost of write latency.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another connection's lock before failing with UNAVAILABLE (default 10 s). */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
/** Filters with more ids than this are not cached: their keys would be large and they rarely repeat. */
const MAX_CACHED_IDS = 1_000;

/** Rows ANALYZE samples per index when `PRAGMA optimize` refreshes statistics (SQLite's advice: a few hundred). */
const ANALYSIS_LIMIT = 400;

/**
 * {@link RecordStore} on SQLite in WAL mode: catalog, records, filterable metadata, tombstones and FTS5.
 *
 * @remarks
 * Writes run in `BEGIN IMMEDIATE` transactions, so writers in other processes wait (busy timeout) instead of
 * interleaving; several SqliteStores may share one file. Rowids are never reused.
 */
export class SqliteStore implements RecordStore {
  readonly #db: BetterSqlite3.Database;
  /** The database file, absolute, for messages. */
  readonly #path: string;
  readonly #sql: StatementCache;
  readonly #catalog: CatalogQueries;
  readonly #records: RecordQueries;
  readonly #changes: ChangeLog;
  readonly #lexical: LexicalTables;
  readonly #cache: CommitScopedCache;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.#path = path === ':memory:' ? path : resolve(path);
    try {
      this.#db = new BetterSqlite3(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    } catch (err) {
      throw storageFailure(err, this.#path) ?? err;
    }
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      this.#db.pragma('foreign_keys = ON');
      registerRegexpMatch(this.#db);
      runMigrations(this.#db);
      this.#sql = new StatementCache(this.#db);
      this.#catalog = new CatalogQueries(this.#sql);
      this.#lexical = new LexicalTables(this.#db, this.#sql);
      this.#records = new RecordQueries(this.#sql, this.#lexical);
      this.#changes = new ChangeLog(this.#sql);
      const dataVersion = this.#db.prepare('PRAGMA data_version').pluck();
      this.#cache = new CommitScopedCache(() => dataVersion.get() as number);
      this.transaction(() => this.#ensureDefaults());
    } catch (err) {
      this.#db.close();
      throw storageFailure(err, this.#path) ?? err;
    }
  }

  /** Runs `fn` in one immediate write transaction; inside another transaction it just runs `fn`. */
  transaction<T>(fn: () => T): T {
    if (this.#db.inTransaction) return fn();
    this.#changes.beginTransaction();
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      if (isBusy(err))
        throw new EngineError('UNAVAILABLE', 'The database is locked by another writer.', { cause: err });
      throw storageFailure(err, this.#path) ?? err;
    } finally {
      this.#changes.beginTransaction();
      this.#cache.invalidate();
    }
  }

  createTenant(name: string): void {
    this.transaction(() => this.#catalog.createTenant(name));
  }

  getTenant(name: string): Tenant | null {
    return this.#catalog.getTenant(name);
  }

  createDatabase(tenant: string, name: string, id: string): void {
    this.transaction(() => this.#catalog.createDatabase(tenant, name, id));
  }

  getDatabase(tenant: string, name: string): Database | null {
    return this.#catalog.getDatabase(tenant, name);
  }

  listDatabases(tenant: string, page: Page): Database[] {
    return this.#catalog.listDatabases(tenant, page);
  }

  deleteDatabase(tenant: string, name: string): void {
    this.transaction(() => {
      for (const collection of this.#catalog.listCollections(tenant, name, {}))
        this.#lexical.drop(collection.id);
      this.#catalog.deleteDatabase(tenant, name);
    });
  }

  createCollection(model: CollectionModel): void {
    this.transaction(() => {
      this.#catalog.createCollection(model);
      this.#lexical.create(model.id);
    });
  }

  getCollection(tenant: string, database: string, name: string): CollectionModel | null {
    return this.#catalog.getCollection(tenant, database, name);
  }

  getCollectionById(id: string): CollectionModel | null {
    return this.#cached(`collection:${id}`, () => this.#catalog.getCollectionById(id));
  }

  listCollections(tenant: string, database: string, page: Page): CollectionModel[] {
    return this.#catalog.listCollections(tenant, database, page);
  }

  countCollections(tenant: string, database: string): number {
    return this.#catalog.countCollections(tenant, database);
  }

  updateCollection(id: string, patch: CollectionPatch): void {
    this.transaction(() => this.#catalog.updateCollection(id, patch));
  }

  deleteCollection(id: string): void {
    this.transaction(() => {
      this.#catalog.deleteCollection(id);
      this.#lexical.drop(id);
    });
  }

  lookupRowids(collectionId: string, ids: string[]): Map<string, number> {
    return this.#records.lookup(collectionId, ids);
  }

  putRecords(collectionId: string, records: RecordInput[]): number[] {
    if (records.length === 0) return [];
    return this.transaction(() => {
      const seq = this.#changes.seqForWrite(collectionId);
      return records.map((record) => this.#records.put(collectionId, record, seq));
    });
  }

  deleteRecords(collectionId: string, rowids: readonly number[]): void {
    if (rowids.length === 0) return;
    this.transaction(() => {
      const deleted = this.#records.delete(collectionId, rowids);
      if (deleted.length === 0) return;
      this.#changes.addTombstones(collectionId, deleted, this.#changes.seqForWrite(collectionId));
    });
  }

  /**
   * Rowids matching the filter, in insertion order, paged.
   *
   * @remarks Results are cached until the next commit by any connection (filters repeat: a plugin's source
   * filter, a dashboard's tag): the returned array is shared and must not be mutated.
   */
  selectRowids(collectionId: string, filter: RecordFilter, page: Page): number[] {
    const select = () => this.#records.select(collectionId, filter, page);
    if ((filter.ids?.length ?? 0) > MAX_CACHED_IDS) return select();
    const key = `select:${collectionId}:${page.limit ?? ''}:${page.offset ?? ''}:${JSON.stringify(filter)}`;
    return this.#cached(key, select);
  }

  readRecords(rowids: readonly number[], include: readonly Include[]): StoredRecord[] {
    return this.#records.read(rowids, include);
  }

  /** The stored embeddings of rowids, in order; null for a rowid without one (or without a record). */
  readEmbeddings(rowids: readonly number[]): (Float32Array | null)[] {
    return this.#records.readEmbeddings(rowids);
  }

  count(collectionId: string): number {
    return this.#records.count(collectionId);
  }

  currentSeq(collectionId: string): number {
    return this.#cached(`seq:${collectionId}`, () => this.#changes.currentSeq(collectionId));
  }

  changesSince(collectionId: string, seq: number): ChangeSet {
    return this.#read(() => this.#changes.changesSince(collectionId, seq));
  }

  /**
   * Forgets tombstones up to `throughSeq`; index caches behind that point get `rebuild: true` from `changesSince`.
   *
   * @returns how many tombstones were removed.
   */
  pruneTombstones(collectionId: string, throughSeq: number): number {
    return this.transaction(() => this.#changes.pruneTombstones(collectionId, throughSeq));
  }

  /**
   * Full-text search of a collection's documents, titles and headings (BM25F over its own FTS5 table), best first.
   *
   * @remarks `query` is free text: its informative words are OR-ed, so any shared word makes a hit; each hit's
   * `relevance` says how much of the query's term weight it matches. `allowed`, when given, restricts hits to
   * those rowids (e.g. the result of a `where` filter).
   */
  searchLexical(collectionId: string, query: string, k: number, allowed?: Iterable<number>): LexicalHit[] {
    return this.#read(() => {
      const plan = this.#lexical.plan(collectionId, query, this.#documentCount(collectionId));
      return plan === null ? [] : this.#lexical.search(collectionId, plan, k, allowed);
    });
  }

  lexicalRelevance(collectionId: string, query: string, rowids: readonly number[]): Map<number, number> {
    return this.#read(() => {
      const plan = this.#lexical.plan(collectionId, query, this.#documentCount(collectionId));
      return plan === null ? new Map() : this.#lexical.coverage(collectionId, plan, rowids);
    });
  }

  reset(): void {
    this.transaction(() => {
      this.#catalog.deleteEverything();
      this.#lexical.dropAll();
      this.#ensureDefaults();
    });
  }

  close(): void {
    if (!this.#db.open) return;
    this.#optimize();
    this.#db.close();
  }

  /**
   * Refreshes planner statistics that this connection's queries showed to be missing or stale, as SQLite advises
   * before closing a connection; bounded by `analysis_limit`, and skipped rather than waiting for another writer.
   */
  #optimize(): void {
    try {
      this.#db.pragma('busy_timeout = 0');
      this.#db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
      this.#db.pragma('optimize');
    } catch (err) {
      // Statistics are an optimisation: another writer, or a file that refuses writes, only skips them.
      if (!isBusy(err) && storageFailure(err, this.#path) === null) throw err;
    }
  }

  /** Runs reads in one deferred transaction so they see one snapshot even while other processes write. */
  #read<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).deferred();
  }

  /** Reads through the commit-scoped cache, except inside a transaction, which may read its own writes. */
  #cached<T>(key: string, load: () => T): T {
    return this.#db.inTransaction ? load() : this.#cache.get(key, load);
  }

  /** Records in a collection, cached between commits: BM25's document count for query planning. */
  #documentCount(collectionId: string): number {
    return this.#cached(`count:${collectionId}`, () => this.#records.count(collectionId));
  }

  #ensureDefaults(): void {
    if (this.#catalog.getTenant(DEFAULT_TENANT) === null) this.#catalog.createTenant(DEFAULT_TENANT);
    if (this.#catalog.getDatabase(DEFAULT_TENANT, DEFAULT_DATABASE) === null) {
      this.#catalog.createDatabase(DEFAULT_TENANT, DEFAULT_DATABASE, randomUUID());
    }
  }
}
