/** The embedded engine's retrievers: its HNSW vector index and its FTS5 lexical index. */
import { Engine } from '../engine/database.js';
import type {
  LexicalPassage,
  RetrievedPassage,
  RetrieverQuery,
  SearchableCollection,
  SearchIndex,
  VectorPassage,
} from './search-index.js';

/** {@link SearchIndex} over an in-process {@link Engine}. */
export class EngineSearchIndex implements SearchIndex {
  readonly #engine: Engine;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async describe(tenant: string, database: string, name: string): Promise<SearchableCollection> {
    const model = this.#engine.getCollection(tenant, database, name);
    return { id: model.id, name: model.name, embedding: model.embedding, space: model.hnsw.space };
  }

  async vector(collection: SearchableCollection, query: RetrieverQuery): Promise<VectorPassage[]> {
    const result = await this.#engine.query(collection.id, {
      queryTexts: [query.text],
      nResults: query.k,
      where: query.where,
      include: ['documents', 'metadatas', 'distances'],
    });
    return (result.ids[0] ?? []).map((id, i) => ({
      id,
      text: result.documents?.[0]?.[i] ?? '',
      metadata: result.metadatas?.[0]?.[i] ?? null,
      distance: result.distances?.[0]?.[i] ?? null,
    }));
  }

  async lexical(collection: SearchableCollection, query: RetrieverQuery): Promise<LexicalPassage[]> {
    const result = await this.#engine.lexicalQuery(collection.id, {
      queryText: query.text,
      nResults: query.k,
      where: query.where,
      include: ['documents', 'metadatas'],
    });
    return result.ids.map((id, i) => ({
      id,
      text: result.documents?.[i] ?? '',
      metadata: result.metadatas?.[i] ?? null,
      score: result.scores[i] ?? 0,
      relevance: result.relevances[i] ?? 0,
    }));
  }

  lexicalRelevance(
    collection: SearchableCollection,
    query: string,
    passages: RetrievedPassage[],
  ): Promise<number[]> {
    return this.#engine.lexicalRelevance(
      collection.id,
      query,
      passages.map((p) => p.id),
    );
  }
}

/** `source` as a {@link SearchIndex}: the engine wrapped, or the index itself. */
export function asSearchIndex(source: Engine | SearchIndex): SearchIndex {
  return source instanceof Engine ? new EngineSearchIndex(source) : source;
}
