/** Tenants, databases and collections: the engine's entry point over a store and a vector index factory. */
import { randomUUID } from 'node:crypto';
import { applyConfigurationUpdate, assertSpaceUnchanged, resolveConfiguration } from './collection-config.js';
import { CollectionOps } from './collection.js';
import { alreadyExists, invalidArgument, isEngineError, notFound } from './errors.js';
import { IndexCache } from './index-cache.js';
import type {
  AddArgs,
  CreateCollectionArgs,
  DeleteArgs,
  GetArgs,
  LexicalQueryArgs,
  ModifyArgs,
  QueryArgs,
  UpdateArgs,
} from './inputs.js';
import { validateCollectionName, validateScopeName } from './names.js';
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
    validateScopeName('tenant', name);
    this.#store.createTenant(name);
    return { name };
  }

  getTenant(name: string): Tenant {
    const tenant = this.#store.getTenant(validateScopeName('tenant', name));
    if (!tenant) throw notFound(`Tenant "${name}" not found`);
    return tenant;
  }

  createDatabase(tenant: string, name: string): Database {
    this.getTenant(tenant);
    validateScopeName('database', name);
    const id = randomUUID();
    this.#store.createDatabase(tenant, name, id);
    return { id, name, tenant };
  }

  getDatabase(tenant: string, name: string): Database {
    this.getTenant(tenant);
    const database = this.#store.getDatabase(tenant, validateScopeName('database', name));
    if (!database) throw notFound(`Database "${name}" not found in tenant "${tenant}"`);
    return database;
  }

  listDatabases(tenant: string, page: Page = {}): Database[] {
    this.getTenant(tenant);
    return this.#store.listDatabases(tenant, checkPage(page));
  }

  deleteDatabase(tenant: string, name: string): void {
    this.getDatabase(tenant, name);
    for (const collection of this.#store.listCollections(tenant, name, {})) {
      this.#dropCollection(collection.id);
    }
    this.#store.deleteDatabase(tenant, name);
  }

  createCollection(
    tenant: string,
    database: string,
    args: CreateCollectionArgs & { getOrCreate?: boolean },
  ): CollectionModel {
    this.getDatabase(tenant, database);
    const name = validateCollectionName(args.name);
    const metadata = validateCollectionMetadata(args.metadata);
    if (args.getOrCreate) {
      const existing = this.#store.getCollection(tenant, database, name);
      if (existing) return checkBinding(existing, args.embedding);
    }
    const { hnsw, configuration } = resolveConfiguration(args.configuration, metadata);
    const embedding = this.#bindingFor(args.embedding);
    const model: CollectionModel = {
      id: randomUUID(),
      name,
      tenant,
      database,
      metadata,
      configuration,
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
    this.getDatabase(tenant, database);
    const collection = this.#store.getCollection(tenant, database, name);
    if (!collection) throw notFound(`Collection "${name}" does not exist`);
    return collection;
  }

  getCollectionById(id: string): CollectionModel {
    const collection = typeof id === 'string' ? this.#store.getCollectionById(id) : null;
    if (!collection) throw notFound(`Collection "${String(id)}" does not exist`);
    return collection;
  }

  listCollections(tenant: string, database: string, page: Page = {}): CollectionModel[] {
    this.getDatabase(tenant, database);
    return this.#store.listCollections(tenant, database, checkPage(page));
  }

  countCollections(tenant: string, database: string): number {
    this.getDatabase(tenant, database);
    return this.#store.countCollections(tenant, database);
  }

  modifyCollection(id: string, args: ModifyArgs): CollectionModel {
    const current = this.getCollectionById(id);
    const patch: CollectionPatch = {};
    if (args.name !== undefined && args.name !== null && args.name !== current.name) {
      patch.name = validateCollectionName(args.name);
    }
    if (args.metadata !== undefined) {
      patch.metadata = validateCollectionMetadata(args.metadata);
      assertSpaceUnchanged(current.hnsw, patch.metadata);
    }
    if (args.configuration !== undefined && args.configuration !== null) {
      const next = applyConfigurationUpdate(current, args.configuration);
      patch.configuration = next.configuration;
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

  upsert(collectionId: string, args: AddArgs): Promise<void> {
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

  /** Persists every open vector index. */
  flush(): void {
    this.#indexes.saveAll();
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
