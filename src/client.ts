/** The in-process public API: clients shaped like the official `chromadb` JS client (3.x), over the embedded engine. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine, type EmbeddingResolver } from './engine/database.js';
import { invalidArgument } from './engine/errors.js';
import type {
  AddArgs,
  DeleteArgs,
  GetArgs,
  ModifyArgs,
  QueryArgs,
  UpdateArgs,
  UpsertArgs,
} from './engine/inputs.js';
import type { CollectionModel, GetResult, Metadata, QueryResult } from './engine/types.js';
import { openEngine } from './engine-factory.js';
import { collectionConfiguration, collectionSchema } from './engine/collection-config.js';
import type { Schema } from './engine/collection-schema.js';
import { createEmbeddingResolver, DEFAULT_EMBEDDING } from './embed/registry.js';

/** A client-side embedding function, as the chromadb client takes it. */
export interface ClientEmbeddingFunction {
  /** Embeds documents, and query texts too when `generateForQueries` is absent. */
  generate(texts: string[]): Promise<number[][]>;
  /** Embeds query texts, for models that embed questions differently from documents (chromadb 3.x). */
  generateForQueries?(texts: string[]): Promise<number[][]>;
}

/** Options shared by both clients. */
export interface ClientOptions {
  tenant?: string;
  database?: string;
  /** Server-side embedding functions (default: kbgate's registry; local models are downloaded on first use). */
  resolveEmbedding?: EmbeddingResolver;
  /**
   * Binding given to new collections that name none (default `default`): documents added without embeddings are
   * embedded with it. `none` makes lexical-only collections.
   */
  defaultEmbedding?: string | null;
}

/** Arguments of createCollection / getOrCreateCollection. */
export interface CollectionArgs {
  name: string;
  metadata?: Metadata | null;
  configuration?: Record<string, unknown> | null;
  /** Chroma 1.x's index schema in its JSON form (`defaults`, `keys`), as `Schema.serializeToJSON()` gives it. */
  schema?: Record<string, unknown> | null;
  embeddingFunction?: ClientEmbeddingFunction | null;
  /** kbgate's server-side embedding binding (`default`, `multilingual`, `openai:<model>`, `none`). */
  embedding?: string | null;
}

/** A collection handle: record operations with the chromadb client's argument and result shapes. */
export class Collection {
  readonly #engine: Engine;
  readonly #ef: ClientEmbeddingFunction | undefined;
  #model: CollectionModel;

  constructor(engine: Engine, model: CollectionModel, embeddingFunction?: ClientEmbeddingFunction | null) {
    this.#engine = engine;
    this.#model = model;
    this.#ef = embeddingFunction ?? undefined;
  }

  get id(): string {
    return this.#model.id;
  }
  get name(): string {
    return this.#model.name;
  }
  get tenant(): string {
    return this.#model.tenant;
  }
  get database(): string {
    return this.#model.database;
  }
  get metadata(): Metadata | undefined {
    return this.#model.metadata ?? undefined;
  }
  get configuration(): Record<string, unknown> {
    return collectionConfiguration(this.#model);
  }
  /** Chroma's index schema of the collection. */
  get schema(): Schema {
    return collectionSchema(this.#model);
  }
  get embeddingFunction(): ClientEmbeddingFunction | undefined {
    return this.#ef;
  }

  async count(): Promise<number> {
    return this.#engine.count(this.id);
  }

  async add(args: AddArgs): Promise<void> {
    return this.#engine.add(this.id, await this.#withEmbeddings(args));
  }

  async upsert(args: UpsertArgs): Promise<void> {
    return this.#engine.upsert(this.id, await this.#withEmbeddings(args));
  }

  async update(args: UpdateArgs): Promise<void> {
    return this.#engine.update(this.id, await this.#withEmbeddings(args));
  }

  async delete(args: DeleteArgs = {}): Promise<void> {
    await this.#engine.delete(this.id, args);
  }

  /** kbgate extension: atomically deletes the records matching `remove` and writes `records` in their place. */
  async replace(remove: DeleteArgs, records: AddArgs): Promise<void> {
    return this.#engine.replace(this.id, remove, await this.#withEmbeddings(records));
  }

  async get(args: GetArgs = {}): Promise<GetResult> {
    return this.#engine.get(this.id, args);
  }

  async peek({ limit = 10 }: { limit?: number } = {}): Promise<GetResult> {
    return this.#engine.get(this.id, { limit, include: ['embeddings', 'documents', 'metadatas'] });
  }

  async query(args: QueryArgs): Promise<QueryResult> {
    if (!args.queryEmbeddings && args.queryTexts && this.#ef) {
      const { queryTexts, ...rest } = args;
      const ef = this.#ef;
      const queryEmbeddings = ef.generateForQueries
        ? await ef.generateForQueries(queryTexts)
        : await ef.generate(queryTexts);
      return this.#engine.query(this.id, { ...rest, queryEmbeddings });
    }
    return this.#engine.query(this.id, args);
  }

  async modify(args: ModifyArgs): Promise<void> {
    this.#model = this.#engine.modifyCollection(this.id, args);
  }

  async #withEmbeddings<T extends AddArgs | UpsertArgs | UpdateArgs>(args: T): Promise<T> {
    if (args.embeddings || !args.documents || !this.#ef) return args;
    const documents = args.documents;
    if (documents.some((d) => typeof d !== 'string')) {
      throw invalidArgument('Every record needs a document to embed when embeddings are not given');
    }
    return { ...args, embeddings: await this.#ef.generate(documents as string[]) };
  }
}

/** Tenant/database-scoped client over an engine, shaped like chromadb's `ChromaClient`. */
class EmbeddedClient {
  readonly #engine: Engine;
  readonly tenant: string;
  readonly database: string;

  protected constructor(engine: Engine, options: ClientOptions) {
    this.#engine = engine;
    this.tenant = options.tenant ?? DEFAULT_TENANT;
    this.database = options.database ?? DEFAULT_DATABASE;
  }

  /** The engine behind this client, for kbgate's own layers. */
  get engine(): Engine {
    return this.#engine;
  }

  async heartbeat(): Promise<number> {
    return this.#engine.heartbeat();
  }

  async version(): Promise<string> {
    return '1.0.0';
  }

  async createCollection(args: CollectionArgs): Promise<Collection> {
    const model = this.#engine.createCollection(this.tenant, this.database, toCreate(args));
    return new Collection(this.#engine, model, args.embeddingFunction);
  }

  async getOrCreateCollection(args: CollectionArgs): Promise<Collection> {
    const model = this.#engine.createCollection(this.tenant, this.database, {
      ...toCreate(args),
      getOrCreate: true,
    });
    return new Collection(this.#engine, model, args.embeddingFunction);
  }

  async getCollection(args: {
    name: string;
    embeddingFunction?: ClientEmbeddingFunction | null;
  }): Promise<Collection> {
    const model = this.#engine.getCollection(this.tenant, this.database, args.name);
    return new Collection(this.#engine, model, args.embeddingFunction);
  }

  async listCollections(args: { limit?: number; offset?: number } = {}): Promise<Collection[]> {
    return this.#engine
      .listCollections(this.tenant, this.database, args)
      .map((m) => new Collection(this.#engine, m));
  }

  async countCollections(): Promise<number> {
    return this.#engine.countCollections(this.tenant, this.database);
  }

  async deleteCollection(args: { name: string }): Promise<void> {
    this.#engine.deleteCollection(this.tenant, this.database, args.name);
  }

  /** Deletes every collection, database and tenant, then recreates the defaults. */
  async reset(): Promise<void> {
    this.#engine.reset();
  }

  /** Persists indexes and releases the data directory. */
  close(): void {
    this.#engine.close();
  }
}

function toCreate(args: CollectionArgs) {
  if (!args || typeof args !== 'object')
    throw invalidArgument('createCollection needs an object with a name');
  return {
    name: args.name,
    metadata: args.metadata ?? null,
    configuration: args.configuration ?? null,
    schema: args.schema ?? null,
    ...(args.embedding !== undefined ? { embedding: args.embedding } : {}),
  };
}

function embeddingOptions(options: ClientOptions) {
  return {
    resolveEmbedding: options.resolveEmbedding ?? createEmbeddingResolver(),
    defaultEmbedding: options.defaultEmbedding === undefined ? DEFAULT_EMBEDDING : options.defaultEmbedding,
  };
}

/** A client over a data directory: SQLite for records, persisted HNSW indexes; safe to share between processes. */
export class PersistentClient extends EmbeddedClient {
  constructor(options: ClientOptions & { path: string }) {
    if (!options || typeof options.path !== 'string' || options.path.length === 0) {
      throw invalidArgument('PersistentClient needs { path: <data directory> }');
    }
    const { engine } = openEngine({ path: options.path, ...embeddingOptions(options) });
    super(engine, options);
  }
}

/** A client whose data lives in memory and is gone when the process ends. */
export class EphemeralClient extends EmbeddedClient {
  constructor(options: ClientOptions = {}) {
    const { engine } = openEngine(embeddingOptions(options));
    super(engine, options);
  }
}
