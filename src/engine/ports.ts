/** The interfaces adapters implement: the engine talks to storage, vector search and embedding only through these. */
import type { Schema } from './collection-schema.js';
import type {
  CollectionModel,
  Database,
  HnswParams,
  Include,
  Metadata,
  RecordInput,
  StoredRecord,
  Tenant,
  Where,
  WhereDocument,
} from './types.js';

/** Paging for list calls. */
export interface Page {
  limit?: number;
  offset?: number;
}

/** Which records a read or delete addresses; absent parts do not restrict. */
export interface RecordFilter {
  ids?: string[];
  where?: Where;
  whereDocument?: WhereDocument;
}

/** Fields of a collection that `modify` may change. */
export interface CollectionPatch {
  name?: string;
  metadata?: Metadata | null;
  configuration?: Record<string, unknown>;
  hnsw?: HnswParams;
  dimension?: number;
  embedding?: string | null;
  schema?: Schema | null;
}

/** What changed in a collection after a given sequence number: enough to catch a cache up. */
export interface ChangeSet {
  /** Records written (inserted or overwritten) after the sequence number, with their current embedding. */
  upserts: { rowid: number; embedding: Float32Array | null }[];
  /** Rowids deleted after the sequence number. */
  deletes: number[];
  /** The collection's sequence number the change set brings a cache up to. */
  seq: number;
  /** True when the store can no longer tell what changed (history pruned): rebuild from scratch. */
  rebuild: boolean;
}

/**
 * The source of truth: catalog and records, transactional.
 *
 * @remarks
 * Every method is synchronous. `transaction` runs `fn` as one write transaction that excludes writers in other
 * processes too; everything written inside commits together or not at all. Each write inside a transaction
 * advances the collection's sequence number once per transaction.
 */
export interface RecordStore {
  transaction<T>(fn: () => T): T;

  createTenant(name: string): void;
  getTenant(name: string): Tenant | null;
  createDatabase(tenant: string, name: string, id: string): void;
  getDatabase(tenant: string, name: string): Database | null;
  listDatabases(tenant: string, page: Page): Database[];
  deleteDatabase(tenant: string, name: string): void;

  /** Inserts a collection; throws ALREADY_EXISTS when the name is taken in its database. */
  createCollection(model: CollectionModel): void;
  getCollection(tenant: string, database: string, name: string): CollectionModel | null;
  getCollectionById(id: string): CollectionModel | null;
  listCollections(tenant: string, database: string, page: Page): CollectionModel[];
  countCollections(tenant: string, database: string): number;
  /** Throws ALREADY_EXISTS when renaming onto a taken name. */
  updateCollection(id: string, patch: CollectionPatch): void;
  /** Removes the collection and all its records. */
  deleteCollection(id: string): void;

  /** Maps the given ids to rowids, for those that exist. */
  lookupRowids(collectionId: string, ids: string[]): Map<string, number>;
  /** Inserts new records or overwrites existing ones (same id keeps its rowid); returns rowids in input order. */
  putRecords(collectionId: string, records: RecordInput[]): number[];
  /** Deletes records by rowid. */
  deleteRecords(collectionId: string, rowids: readonly number[]): void;
  /** Rowids matching the filter, in insertion order, paged; the array may be shared and must not be mutated. */
  selectRowids(collectionId: string, filter: RecordFilter, page: Page): readonly number[];
  /** Reads records by rowid, in the order given; fields not in `include` are left null. Missing rowids are skipped. */
  readRecords(rowids: readonly number[], include: readonly Include[]): StoredRecord[];
  count(collectionId: string): number;

  /**
   * Full-text search (BM25) over a collection's documents, best first; `allowed` restricts hits to those rowids.
   * Scores are higher-is-better and only comparable within one call; relevances are comparable across calls.
   */
  searchLexical(collectionId: string, query: string, k: number, allowed?: Iterable<number>): LexicalHit[];
  /** The lexical relevance (see {@link LexicalHit}) of `query` to each of these records; unknown rowids get 0. */
  lexicalRelevance(collectionId: string, query: string, rowids: readonly number[]): Map<number, number>;

  /** The collection's current sequence number (0 for a new collection). */
  currentSeq(collectionId: string): number;
  /** Changes after `seq`, for catching an index up. */
  changesSince(collectionId: string, seq: number): ChangeSet;

  /** Deletes every tenant, database, collection and record, and recreates the defaults. */
  reset(): void;
  close(): void;
}

/** A lexical hit: a record rowid, its BM25 score (higher is better) and its relevance to the query. */
export interface LexicalHit {
  rowid: number;
  score: number;
  /**
   * The share, from 0 to 1, of the query's informative words (weighted by inverse document frequency) that the
   * record matches in any form; unlike `score`, comparable across queries.
   */
  relevance: number;
}

/** Nearest-neighbour hits: parallel arrays sorted by ascending distance. */
export interface VectorHits {
  labels: number[];
  distances: number[];
}

/**
 * A per-collection vector index keyed by integer labels (the store's rowids).
 *
 * @remarks
 * A cache over the store: `appliedSeq` says which store sequence number it reflects.
 */
export interface VectorIndex {
  readonly dimension: number;
  readonly size: number;
  appliedSeq: number;
  /** Adds vectors, or replaces the vectors of labels already present. */
  upsert(labels: readonly number[], vectors: readonly Float32Array[]): void;
  /** Removes labels; unknown labels are ignored. */
  remove(labels: readonly number[]): void;
  /**
   * The k nearest labels to `query`; when `allowed` is given, only labels in it are returned.
   * An implementation may scan exactly when `allowed` is small.
   */
  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits;
  /** True when `label` has a vector in the index. */
  has(label: number): boolean;
  /** The exact distances from `query` to each of `vectors`, in the index's space (as `search` reports them). */
  distances(query: Float32Array, vectors: readonly Float32Array[]): number[];
  setEfSearch(ef: number): void;
  /** Persists the index (when it has a location); a no-op for memory-only indexes. */
  save(): void;
  close(): void;
}

/** Opens and drops per-collection vector indexes. */
export interface VectorIndexFactory {
  /** Opens the persisted index of a collection, or a new empty one; never trusts a damaged file. */
  open(collection: CollectionModel, dimension: number): VectorIndex;
  /** Deletes any persisted state of a collection's index. */
  drop(collectionId: string): void;
}

/**
 * Turns texts into vectors; documents and queries of one collection go through the same function.
 *
 * @remarks
 * Models trained for asymmetric retrieval (e5: `query: ` / `passage: `) embed a question differently from a
 * document: such a function implements `embedQuery`, and the engine uses it for query texts. Without it, query
 * texts go through `embed` too.
 */
export interface EmbeddingFunction {
  /** Registry name, e.g. `default`, `multilingual` or `openai:text-embedding-3-small`. */
  readonly name: string;
  /** Embeds documents; one vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Embeds query texts into the same space as the documents; one vector per text, in input order. */
  embedQuery?(texts: string[]): Promise<Float32Array[]>;
}
