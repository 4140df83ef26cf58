/** Tenants, databases and collections: the engine's entry point over a store and a vector index factory. */
import { randomUUID } from 'node:crypto';
import { applyConfigurationUpdate, resolveCollectionSettings } from './collection-config.js';
import { CollectionOps } from './collection.js';
import { alreadyExists, invalidArgument, isEngineError, notFound } from './errors.js';
import { IndexCache, type SaveOptions } from './index-cache.js';
import type {
  AddArgs,
  CreateCollectionArgs,
  DeleteArgs,
  GetArgs,
  LexicalQueryArgs,
  ModifyArgs,
  QueryArgs,
  UpdateArgs,
  UpsertArgs,
} from './inputs.js';
import { checkDatabaseName, validateChromaName, validateTenantName } from './names.js';
import type { CollectionPatch, EmbeddingFunction, Page, RecordStore, VectorIndexFactory } from './ports.js';
import type { CollectionModel, Database, GetResult, LexicalResult, QueryResult, Tenant } from './types.js';
import { validateCollectionMetadata, validateCount } from './validate-records.js';

/** Resolves an embedding binding name (`default`, `openai:<model>`) to a function; throws when unusable. */
export type EmbeddingResolver = (name: string) => EmbeddingFunction;

/** What an {@link Engine} is built from. */
export interface EngineDeps {
  store: RecordStore;
  indexes: VectorIndexFactory;
  /** Resolves embedding bindings for server-side embedding; absent means none is available. */
  resolveEmbedding?: EmbeddingResolver;
  /** Binding for new collections that name none (`none` or null: lexical only). */
  defaultEmbedding?: string | null;
}

export const DEFAULT_TENANT = 'default_tenant';
export const DEFAULT_DATABASE = 'default_database';

/**
 * The embedded database: every operation Chroma offers, over one store.
 *
 * @remarks
 * Collections are re-read from the store on every call, so a change made by another process (or another
 * Engine on the same data directory) is seen on the next call.
 */
export class Engine {
  readonly #store: RecordStore;
  readonly #indexes: IndexCache;
  readonly #ops: CollectionOps;
  readonly #resolveEmbedding: EmbeddingResolver | undefined;
  readonly #defaultEmbedding: string | null;

  constructor(deps: EngineDeps) {
    this.#store = deps.store;
    this.#indexes = new IndexCache(deps.store, deps.indexes);
    this.#resolveEmbedding = deps.resolveEmbedding;
    this.#defaultEmbedding = deps.defaultEmbedding ?? null;
    this.#ops = new CollectionOps({
      store: this.#store,
      indexes: this.#indexes,
      embeddingFor: (collection) => this.#embeddingFor(collection),
    });
  }

  /** Nanoseconds since the epoch, as Chroma's heartbeat reports. */
  heartbeat(): number {
    return Date.now() * 1_000_000;
  }

  createTenant(name: string): Tenant {
    this.#store.createTenant(validateTenantName(name));
    return { name };
  }

  getTenant(name: string): Tenant {
    const tenant = this.#store.getTenant(name);
    if (!tenant) throw notFound(`Tenant "${name}" not found`);
    return tenant;
  }

  /** Creates a database; as in Chroma, its tenant need not have been created (it then still reads as missing). */
  createDatabase(tenant: string, name: string): Database {
    validateChromaName(name, 'database');
    const id = randomUUID();
    this.#store.createDatabase(tenant, name, id);
    return { id, name, tenant };
  }

  getDatabase(tenant: string, name: string): Database {
    const database = this.#store.getDatabase(tenant, checkDatabaseName(name));
    if (!database) throw notFound(`Database "${name}" not found in tenant "${tenant}"`);
    return database;
  }

  /** The tenant's databases; none for a tenant that does not exist, as Chroma answers. */
  listDatabases(tenant: string, page: Page = {}): Database[] {
    return this.#store.listDatabases(tenant, checkPage(page));
  }

  deleteDatabase(tenant: string, name: string): void {
    if (!this.#store.getDatabase(tenant, name))
      throw notFound(`Database "${name}" not found in tenant "${tenant}"`);
    for (const collection of this.#store.listCollections(tenant, name, {})) {
      this.#dropCollection(collection.id);
    }
    this.#store.deleteDatabase(tenant, name);
  }

  /** Creates a collection; in a database that does not exist it is INVALID_ARGUMENT, as Chroma answers. */
  createCollection(
    tenant: string,
    database: string,
    args: CreateCollectionArgs & { getOrCreate?: boolean },
  ): CollectionModel {
    const name = validateChromaName(args.name, 'collection');
    const metadata = validateCollectionMetadata(args.metadata);
    if (!this.#store.getDatabase(tenant, checkDatabaseName(database))) {
      throw invalidArgument(`Database "${database}" does not exist in tenant "${tenant}"`);
    }
    if (args.getOrCreate) {
      const existing = this.#store.getCollection(tenant, database, name);
      if (existing) return checkBinding(existing, args.embedding);
    }
    const { hnsw, configuration, schema } = resolveCollectionSettings({ ...args, metadata });
    const embedding = this.#bindingFor(args.embedding);
    const model: CollectionModel = {
      id: randomUUID(),
      name,
      tenant,
      database,
      metadata,
      configuration,
      schema,
      hnsw,
      dimension: null,
      embedding,
    };
    try {
      this.#store.createCollection(model);
    } catch (err) {
      const raced = args.getOrCreate && isEngineError(err, 'ALREADY_EXISTS');
      const existing = raced ? this.#store.getCollection(tenant, database, name) : null;
      if (existing) return checkBinding(existing, args.embedding);
      if (isEngineError(err, 'ALREADY_EXISTS')) throw alreadyExists(`Collection "${name}" already exists`);
      throw err;
    }
    return model;
  }

  getCollection(tenant: string, database: string, name: string): CollectionModel {
    checkDatabaseName(database);
    const collection = this.#store.getCollection(tenant, database, name);
    if (!collection) throw notFound(`Collection "${name}" does not exist`);
    return collection;
  }

  getCollectionById(id: string): CollectionModel {
    const collection = typeof id === 'string' ? this.#store.getCollectionById(id) : null;
    if (!collection) throw notFound(`Collection "${String(id)}" does not exist`);
    return collection;
  }

  /** The database's collections; none for a database that does not exist, as Chroma answers. */
  listCollections(tenant: string, database: string, page: Page = {}): CollectionModel[] {
    checkDatabaseName(database);
    return this.#store.listCollections(tenant, database, checkPage(page));
  }

  countCollections(tenant: string, database: string): number {
    checkDatabaseName(database);
    return this.#store.countCollections(tenant, database);
  }

  /**
   * Renames a collection, replaces its metadata or updates its configuration.
   *
   * @remarks As in Chroma, legacy `hnsw:*` keys in new metadata are stored and change nothing; the configuration
   * decides the index.
   */
  modifyCollection(id: string, args: ModifyArgs): CollectionModel {
    const current = this.getCollectionById(id);
    const patch: CollectionPatch = {};
    if (args.name !== undefined && args.name !== null && args.name !== current.name) {
      patch.name = validateChromaName(args.name, 'collection');
    }
    if (args.metadata !== undefined) patch.metadata = validateCollectionMetadata(args.metadata);
    if (args.configuration !== undefined && args.configuration !== null) {
      const next = applyConfigurationUpdate(current, args.configuration);
      patch.configuration = next.configuration;
      patch.schema = next.schema;
      patch.hnsw = next.hnsw;
    }
    try {
      this.#store.updateCollection(id, patch);
    } catch (err) {
      if (isEngineError(err, 'ALREADY_EXISTS'))
        throw alreadyExists(`Collection "${patch.name}" already exists`);
      throw err;
    }
    if (patch.hnsw) this.#indexes.setEfSearch(id, patch.hnsw.efSearch);
    return this.getCollectionById(id);
  }

  deleteCollection(tenant: string, database: string, name: string): void {
    const collection = this.getCollection(tenant, database, name);
    this.#dropCollection(collection.id);
  }

  add(collectionId: string, args: AddArgs): Promise<void> {
    return this.#ops.add(this.getCollectionById(collectionId), args);
  }

  upsert(collectionId: string, args: UpsertArgs): Promise<void> {
    return this.#ops.upsert(this.getCollectionById(collectionId), args);
  }

  update(collectionId: string, args: UpdateArgs): Promise<void> {
    return this.#ops.update(this.getCollectionById(collectionId), args);
  }

  /** Deletes matching records; resolves to how many were deleted. */
  delete(collectionId: string, args: DeleteArgs): Promise<number> {
    return this.#ops.delete(this.getCollectionById(collectionId), args);
  }

  /** Atomically deletes the records matching `remove` and writes `records` in their place. */
  replace(collectionId: string, remove: DeleteArgs, records: AddArgs): Promise<void> {
    return this.#ops.replace(this.getCollectionById(collectionId), remove, records);
  }

  get(collectionId: string, args: GetArgs = {}): Promise<GetResult> {
    return this.#ops.get(this.getCollectionById(collectionId), args);
  }

  query(collectionId: string, args: QueryArgs): Promise<QueryResult> {
    return this.#ops.query(this.getCollectionById(collectionId), args);
  }

  /** Full-text (BM25) search over a collection's documents, restricted by filters first. */
  lexicalQuery(collectionId: string, args: LexicalQueryArgs): Promise<LexicalResult> {
    return this.#ops.lexicalQuery(this.getCollectionById(collectionId), args);
  }

  /**
   * How relevant each record is to `queryText` lexically: the share (0-1) of the query's informative words it
   * matches, as `lexicalQuery` reports; ids that do not exist get 0.
   */
  lexicalRelevance(collectionId: string, queryText: string, ids: string[]): Promise<number[]> {
    return this.#ops.lexicalRelevance(this.getCollectionById(collectionId), queryText, ids);
  }

  async count(collectionId: string): Promise<number> {
    return this.#ops.count(this.getCollectionById(collectionId));
  }

  /** Deletes everything and recreates the default tenant and database. */
  reset(): void {
    const ids = this.#allCollectionIds();
    this.#indexes.forgetAll();
    this.#store.reset();
    for (const id of ids) this.#indexes.drop(id);
  }

  /**
   * Loads (or rebuilds) a collection's vector index and catches it up with the store, so that the first query
   * does not pay for it; a server does this for every collection before it reports ready.
   */
  loadIndex(collectionId: string): void {
    this.#indexes.prepare(this.getCollectionById(collectionId));
  }

  /** Resolves once this process's committed writes are all in their vector indexes (they are applied in slices). */
  indexesSettled(): Promise<void> {
    return this.#indexes.settled();
  }

  /**
   * Persists every open vector index, applying pending writes first; `{ applyPending: false }` skips the indexes that
   * have writes pending instead (a later flush saves them), for periodic saves that must not block.
   */
  flush(options: SaveOptions = {}): void {
    this.#indexes.saveAll(options);
  }

  /** Persists indexes and closes the store. */
  close(): void {
    this.#indexes.closeAll();
    this.#store.close();
  }

  #dropCollection(id: string): void {
    this.#store.deleteCollection(id);
    this.#indexes.drop(id);
  }

  #allCollectionIds(): string[] {
    const ids: string[] = [];
    for (const tenant of [DEFAULT_TENANT]) {
      for (const db of this.#store.listDatabases(tenant, {})) {
        ids.push(...this.#store.listCollections(tenant, db.name, {}).map((c) => c.id));
      }
    }
    return ids;
  }

  #bindingFor(requested: string | null | undefined): string | null {
    const name = requested === undefined ? this.#defaultEmbedding : requested;
    if (name === null || name === 'none') return name;
    if (this.#resolveEmbedding) this.#resolveEmbedding(name);
    return name;
  }

  #embeddingFor(collection: CollectionModel): EmbeddingFunction | null {
    const name = collection.embedding;
    if (name === null || name === 'none' || !this.#resolveEmbedding) return null;
    return this.#resolveEmbedding(name);
  }
}

/** Returns the collection unless the caller asked for a different embedding binding than the one it has. */
function checkBinding(collection: CollectionModel, requested: string | null | undefined): CollectionModel {
  if (requested === undefined || requested === collection.embedding) return collection;
  throw invalidArgument(
    `Collection "${collection.name}" is bound to embedding function ${JSON.stringify(collection.embedding)}; ` +
      `it cannot be used with ${JSON.stringify(requested)}`,
  );
}

function checkPage(page: Page): Page {
  return {
    limit: validateCount(page.limit, 'limit'),
    offset: validateCount(page.offset, 'offset'),
  };
}
