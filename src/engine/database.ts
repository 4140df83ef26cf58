/** Tenants, databases and collections: the engine's entry point over a store and a vector index factory. */
import type { EmbeddingFunction, Page, RecordStore, VectorIndexFactory } from './ports.js';
import type {
  AddArgs,
  CreateCollectionArgs,
  DeleteArgs,
  GetArgs,
  ModifyArgs,
  QueryArgs,
  UpdateArgs,
} from './inputs.js';
import type { CollectionModel, Database, GetResult, QueryResult, Tenant } from './types.js';

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

/** The embedded database: every operation Chroma offers, over one store. */
export declare class Engine {
  constructor(deps: EngineDeps);
  /** Nanoseconds since the epoch, as Chroma's heartbeat reports. */
  heartbeat(): number;

  createTenant(name: string): Tenant;
  getTenant(name: string): Tenant;
  createDatabase(tenant: string, name: string): Database;
  getDatabase(tenant: string, name: string): Database;
  listDatabases(tenant: string, page?: Page): Database[];
  deleteDatabase(tenant: string, name: string): void;

  createCollection(
    tenant: string,
    database: string,
    args: CreateCollectionArgs & { getOrCreate?: boolean },
  ): CollectionModel;
  getCollection(tenant: string, database: string, name: string): CollectionModel;
  getCollectionById(id: string): CollectionModel;
  listCollections(tenant: string, database: string, page?: Page): CollectionModel[];
  countCollections(tenant: string, database: string): number;
  modifyCollection(id: string, args: ModifyArgs): CollectionModel;
  deleteCollection(tenant: string, database: string, name: string): void;

  add(collectionId: string, args: AddArgs): Promise<void>;
  upsert(collectionId: string, args: AddArgs): Promise<void>;
  update(collectionId: string, args: UpdateArgs): Promise<void>;
  delete(collectionId: string, args: DeleteArgs): Promise<void>;
  get(collectionId: string, args?: GetArgs): Promise<GetResult>;
  query(collectionId: string, args: QueryArgs): Promise<QueryResult>;
  count(collectionId: string): Promise<number>;

  /** Deletes everything and recreates the default tenant and database. */
  reset(): void;
  /** Persists every open vector index. */
  flush(): void;
  close(): void;
}
