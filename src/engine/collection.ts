/** Record operations of one collection: add / upsert / update / delete / get / query / count over the ports. */
import { collectionSchema } from './collection-config.js';
import { EngineError, invalidArgument, notFound } from './errors.js';
import { learnMetadataKeys } from './schema-keys.js';
import type { IndexCache } from './index-cache.js';
import type {
  AddArgs,
  DeleteArgs,
  GetArgs,
  LexicalQueryArgs,
  QueryArgs,
  UpdateArgs,
  UpsertArgs,
} from './inputs.js';
import type { EmbeddingFunction, RecordStore } from './ports.js';
import type {
  CollectionModel,
  GetResult,
  Include,
  LexicalResult,
  QueryResult,
  StoredRecord,
} from './types.js';
import { mergeRecord, type RecordPatch } from './merge-record.js';
import { buildQueryResult, searchOne, toArray } from './query-results.js';
import {
  checkDimension,
  parseFilter,
  parseIndexedFilter,
  toDelta,
  toLabelSet,
  validateSparseEmbeddings,
  type IndexDelta,
} from './record-writes.js';
import {
  checkLength,
  validateCount,
  validateEmbeddings,
  validateIds,
  validateInclude,
  validateMetadata,
  validateOptionalString,
  validateUpdateMetadata,
} from './validate-records.js';

const GET_DEFAULT_INCLUDE: Include[] = ['documents', 'metadatas'];
const QUERY_DEFAULT_INCLUDE: Include[] = ['documents', 'metadatas', 'distances'];
const ALL_FIELDS: Include[] = ['documents', 'embeddings', 'metadatas', 'uris'];

/** What record operations need: the store, the index cache, and the collection's embedding function. */
export interface CollectionContext {
  store: RecordStore;
  indexes: IndexCache;
  /** The function a collection embeds documents and query texts with, or null when it has none. */
  embeddingFor(collection: CollectionModel): EmbeddingFunction | null;
}

/** Implements the record operations of every collection over one {@link CollectionContext}. */
export class CollectionOps {
  readonly #ctx: CollectionContext;

  constructor(ctx: CollectionContext) {
    this.#ctx = ctx;
  }

  /** Inserts records whose ids do not exist yet; existing ids are left untouched (first write wins). */
  async add(collection: CollectionModel, args: AddArgs): Promise<void> {
    const patches = await this.#preparePatches(collection, args, 'add');
    this.#write(collection, (store, current) => {
      checkDimension(current, patches);
      const existing = store.lookupRowids(
        current.id,
        patches.map((p) => p.id),
      );
      const fresh = patches.filter((p) => !existing.has(p.id)).map((p) => mergeRecord(null, p));
      return toDelta(store.putRecords(current.id, fresh), fresh);
    });
    await this.#ctx.indexes.caughtUp(collection.id);
  }

  /** Inserts new records and updates existing ones (metadata merged and `null` values removed, as Chroma does). */
  async upsert(collection: CollectionModel, args: UpsertArgs): Promise<void> {
    const patches = await this.#preparePatches(collection, args, 'upsert');
    this.#write(collection, (store, current) => {
      checkDimension(current, patches);
      const existing = this.#readExisting(current.id, patches);
      const records = patches.map((p) => mergeRecord(existing.get(p.id) ?? null, p));
      return toDelta(store.putRecords(current.id, records), records);
    });
    await this.#ctx.indexes.caughtUp(collection.id);
  }

  /** Updates existing records; ids that do not exist are ignored. */
  async update(collection: CollectionModel, args: UpdateArgs): Promise<void> {
    const patches = await this.#preparePatches(collection, args, 'update');
    this.#write(collection, (store, current) => {
      checkDimension(current, patches);
      const existing = this.#readExisting(current.id, patches);
      const present = patches.filter((p) => existing.has(p.id));
      const records = present.map((p) => mergeRecord(existing.get(p.id) ?? null, p));
      const changedVectors = present.map((p) => p.embedding !== undefined);
      return toDelta(store.putRecords(current.id, records), records, changedVectors);
    });
    await this.#ctx.indexes.caughtUp(collection.id);
  }

  /**
   * Atomically replaces the records matching `remove` with `records`: one transaction deletes the matches and
   * writes the new records whole (no metadata merge), so readers see either the old set or the new one.
   */
  async replace(collection: CollectionModel, remove: DeleteArgs, records: AddArgs): Promise<void> {
    const filter = parseFilter(remove);
    if (!filter.ids && !filter.where && !filter.whereDocument) {
      throw invalidArgument(
        'replace needs at least one of ids, where or whereDocument to select what it replaces',
      );
    }
    const patches = await this.#preparePatches(collection, records, 'add');
    this.#write(collection, (store, current) => {
      checkDimension(current, patches);
      const incoming = new Set(patches.map((p) => p.id));
      const matched = store.readRecords(store.selectRowids(current.id, filter, {}), []);
      const stale = matched.filter((r) => !incoming.has(r.id)).map((r) => r.rowid);
      store.deleteRecords(current.id, stale);
      const fresh = patches.map((p) => mergeRecord(null, p));
      const delta = toDelta(store.putRecords(current.id, fresh), fresh);
      return { ...delta, removed: [...delta.removed, ...stale] };
    });
    await this.#ctx.indexes.caughtUp(collection.id);
  }

  /**
   * Deletes the records matching ids and/or filters (at most `limit` of them); returns how many it deleted.
   *
   * @remarks As in Chroma: without ids or filters nothing is deleted, and an empty `ids` list without a filter is
   * an error.
   */
  async delete(collection: CollectionModel, args: DeleteArgs): Promise<number> {
    const filter = parseIndexedFilter(collection, args);
    if (!filter.where && !filter.whereDocument) {
      if (filter.ids?.length === 0)
        throw invalidArgument('delete needs ids or a where / whereDocument filter');
      if (!filter.ids) return 0;
    }
    const limit = validateCount(args.limit, 'limit');
    if ((filter.ids && filter.ids.length === 0) || limit === 0) return 0;
    let deleted = 0;
    this.#write(collection, (store, current) => {
      const rowids = store.selectRowids(current.id, filter, { limit });
      store.deleteRecords(current.id, rowids);
      deleted = rowids.length;
      return { labels: [], vectors: [], removed: rowids };
    });
    return deleted;
  }

  /** Reads records in insertion order. */
  async get(collection: CollectionModel, args: GetArgs = {}): Promise<GetResult> {
    const filter = parseIndexedFilter(collection, args);
    const include = validateInclude(args.include, GET_DEFAULT_INCLUDE);
    const page = { limit: validateCount(args.limit, 'limit'), offset: validateCount(args.offset, 'offset') };
    const { store } = this.#ctx;
    const rowids = filter.ids?.length === 0 ? [] : store.selectRowids(collection.id, filter, page);
    const records = store.readRecords(rowids, include);
    return {
      ids: records.map((r) => r.id),
      embeddings: include.includes('embeddings') ? records.map((r) => toArray(r.embedding)) : null,
      documents: include.includes('documents') ? records.map((r) => r.document) : null,
      metadatas: include.includes('metadatas') ? records.map((r) => r.metadata) : null,
      uris: include.includes('uris') ? records.map((r) => r.uri) : null,
      include,
    };
  }

  /** Finds the nearest records to each query, restricted by ids and filters first. */
  async query(collection: CollectionModel, args: QueryArgs): Promise<QueryResult> {
    const filter = parseIndexedFilter(collection, args);
    const include = validateInclude(args.include, QUERY_DEFAULT_INCLUDE);
    const nResults = validateCount(args.nResults, 'nResults') ?? 10;
    const queries = await this.#queryVectors(collection, args);
    if (queries.length === 0 || nResults === 0) {
      return buildQueryResult(
        queries.map(() => ({ labels: [], distances: [] })),
        new Map(),
        include,
      );
    }
    const { store, indexes } = this.#ctx;
    if (filter.ids) {
      const found = store.lookupRowids(collection.id, filter.ids);
      const missing = filter.ids.filter((id) => !found.has(id));
      if (missing.length > 0)
        throw notFound(`Records not found in collection: ${missing.slice(0, 10).join(', ')}`);
    }
    const index = indexes.acquire(collection);
    const restricted = Boolean(filter.ids || filter.where || filter.whereDocument);
    const allowed =
      index && restricted ? toLabelSet(store.selectRowids(collection.id, filter, {})) : undefined;
    const hits = queries.map((q) => searchOne(index, q, nResults, allowed));
    const fields = include.filter((f) => f !== 'distances');
    const byRowid = new Map<number, StoredRecord>();
    const wanted = [...new Set(hits.flatMap((h) => h.labels))];
    for (const record of store.readRecords(wanted, fields)) byRowid.set(record.rowid, record);
    return buildQueryResult(hits, byRowid, include);
  }

  /** Full-text search over documents, restricted by filters first; best first by BM25. */
  async lexicalQuery(collection: CollectionModel, args: LexicalQueryArgs): Promise<LexicalResult> {
    if (typeof args.queryText !== 'string') throw invalidArgument('queryText must be a string');
    const filter = parseFilter(args);
    const include = validateInclude(args.include, GET_DEFAULT_INCLUDE);
    const nResults = validateCount(args.nResults, 'nResults', 1) ?? 10;
    const { store } = this.#ctx;
    const restricted = Boolean(filter.ids || filter.where || filter.whereDocument);
    const allowed = restricted ? store.selectRowids(collection.id, filter, {}) : undefined;
    const hits =
      allowed?.length === 0 ? [] : store.searchLexical(collection.id, args.queryText, nResults, allowed);
    const byRowid = new Map(
      store
        .readRecords(
          hits.map((h) => h.rowid),
          include,
        )
        .map((r) => [r.rowid, r]),
    );
    const found = hits.filter((h) => byRowid.has(h.rowid));
    const records = found.map((h) => byRowid.get(h.rowid) as StoredRecord);
    return {
      ids: records.map((r) => r.id),
      scores: found.map((h) => h.score),
      relevances: found.map((h) => h.relevance),
      documents: include.includes('documents') ? records.map((r) => r.document) : null,
      metadatas: include.includes('metadatas') ? records.map((r) => r.metadata) : null,
      uris: include.includes('uris') ? records.map((r) => r.uri) : null,
    };
  }

  /** Lexical relevance of `queryText` to each record id, in order; unknown ids get 0. */
  async lexicalRelevance(collection: CollectionModel, queryText: string, ids: string[]): Promise<number[]> {
    if (typeof queryText !== 'string') throw invalidArgument('queryText must be a string');
    const { store } = this.#ctx;
    const rowids = store.lookupRowids(collection.id, ids);
    const relevance = store.lexicalRelevance(collection.id, queryText, [...rowids.values()]);
    return ids.map((id) => {
      const rowid = rowids.get(id);
      return rowid === undefined ? 0 : (relevance.get(rowid) ?? 0);
    });
  }

  /** Number of records in the collection. */
  async count(collection: CollectionModel): Promise<number> {
    return this.#ctx.store.count(collection.id);
  }

  /** Validates a write's arguments into per-record patches; an empty `ids` list is a no-op, as in Chroma. */
  async #preparePatches(
    collection: CollectionModel,
    args: AddArgs | UpsertArgs | UpdateArgs,
    kind: 'add' | 'upsert' | 'update',
  ): Promise<RecordPatch[]> {
    const ids = validateIds(args.ids);
    for (const name of ['embeddings', 'metadatas', 'documents', 'uris'] as const) {
      checkLength(name, args[name], ids.length);
    }
    if (ids.length === 0) return [];
    const isUpdate = kind === 'update';
    const documents = args.documents?.map((d, i) => validateOptionalString(d, 'documents', i));
    const uris = args.uris?.map((u, i) => validateOptionalString(u, 'uris', i));
    const metadatas = args.metadatas?.map((m, i) =>
      kind === 'add' ? validateMetadata(m, i) : validateUpdateMetadata(m, i),
    );
    let embeddings = args.embeddings
      ? validateSparseEmbeddings(args.embeddings, collection.dimension)
      : undefined;
    if (!isUpdate && embeddings?.includes(undefined)) {
      throw invalidArgument(
        'Every embedding must be given when adding records; a null embedding is only allowed in update',
      );
    }
    if (!embeddings && documents && documents.some((d) => d !== null)) {
      embeddings = await this.#embedDocuments(collection, documents, isUpdate);
    } else if (!embeddings && !isUpdate && !documents) {
      throw invalidArgument('Records need embeddings or documents');
    }
    return ids.map((id, i) => ({
      id,
      embedding: embeddings?.[i],
      document: documents?.[i] ?? undefined,
      metadata: metadatas?.[i] ?? undefined,
      uri: uris?.[i] ?? undefined,
    }));
  }

  async #embedDocuments(
    collection: CollectionModel,
    documents: (string | null)[],
    isUpdate: boolean,
  ): Promise<Float32Array[] | undefined> {
    const fn = this.#ctx.embeddingFor(collection);
    if (!fn) return undefined;
    if (documents.some((d) => d === null)) {
      if (isUpdate)
        throw invalidArgument('Give a document for every record, or embeddings, to re-embed on update');
      throw invalidArgument('Every record needs an embedding or a document to embed');
    }
    const vectors = await fn.embed(documents as string[]);
    return validateEmbeddings(vectors, collection.dimension);
  }

  /** The query vectors: `queryEmbeddings` as given (an empty list asks nothing), else the embedded `queryTexts`. */
  async #queryVectors(collection: CollectionModel, args: QueryArgs): Promise<Float32Array[]> {
    if (args.queryEmbeddings !== undefined && args.queryEmbeddings !== null) {
      if (!Array.isArray(args.queryEmbeddings)) {
        throw invalidArgument('queryEmbeddings must be an array of embeddings');
      }
      return validateEmbeddings(args.queryEmbeddings, collection.dimension);
    }
    if (!Array.isArray(args.queryTexts)) throw invalidArgument('query needs queryEmbeddings or queryTexts');
    if (args.queryTexts.length === 0) return [];
    const texts = args.queryTexts.map((t, i) => {
      if (typeof t !== 'string') throw invalidArgument(`queryTexts[${i}] must be a string`);
      return t;
    });
    const fn = this.#ctx.embeddingFor(collection);
    if (!fn) {
      throw new EngineError(
        'FAILED_PRECONDITION',
        `Collection "${collection.name}" has no embedding function; pass queryEmbeddings instead of queryTexts`,
      );
    }
    const vectors = fn.embedQuery ? await fn.embedQuery(texts) : await fn.embed(texts);
    return validateEmbeddings(vectors, collection.dimension);
  }

  #readExisting(collectionId: string, patches: RecordPatch[]): Map<string, StoredRecord> {
    const { store } = this.#ctx;
    const rowids = [
      ...store
        .lookupRowids(
          collectionId,
          patches.map((p) => p.id),
        )
        .values(),
    ];
    return new Map(store.readRecords(rowids, ALL_FIELDS).map((r) => [r.id, r]));
  }

  /** Runs a write in one store transaction against the freshest collection row, then updates the index. */
  #write(
    collection: CollectionModel,
    fn: (store: RecordStore, current: CollectionModel) => IndexDelta,
  ): void {
    const { store, indexes } = this.#ctx;
    indexes.prepare(collection);
    let seqBefore = 0;
    let seqAfter = 0;
    let delta: IndexDelta = { labels: [], vectors: [], removed: [] };
    let dimensionBefore: number | null = null;
    store.transaction(() => {
      const current = store.getCollectionById(collection.id);
      if (!current) throw notFound(`Collection ${collection.id} does not exist`);
      dimensionBefore = current.dimension;
      seqBefore = store.currentSeq(current.id);
      delta = fn(store, current);
      if (current.dimension === null && delta.vectors[0]) {
        store.updateCollection(current.id, { dimension: delta.vectors[0].length });
      }
      const metadatas = (delta.written ?? []).map((r) => r.metadata);
      const schema = learnMetadataKeys(collectionSchema(current), metadatas);
      if (schema) store.updateCollection(current.id, { schema });
      seqAfter = store.currentSeq(current.id);
    });
    if (seqAfter === seqBefore || dimensionBefore === null) return;
    indexes.applyLocalWrite(collection.id, seqBefore, seqAfter, delta);
  }
}
