/** What hybrid search needs of a store of collections: one collection's description and its two retrievers. */
import type { Metadata } from '../engine/types.js';

/** The collection a search runs over, as the retrievers need it. */
export interface SearchableCollection {
  /** The store's id of the collection (passed back to the retrievers). */
  id: string;
  name: string;
  /** Embedding binding (`default`, `openai:<model>`, ...); null or `none` when there is none. */
  embedding: string | null;
  /** Distance space of its vectors (`l2`, `ip`, `cosine`). */
  space: string;
}

/** A passage a retriever found. */
export interface RetrievedPassage {
  id: string;
  text: string;
  metadata: Metadata | null;
}

/** A passage the vector retriever found, with its distance in the collection's space. */
export interface VectorPassage extends RetrievedPassage {
  distance: number | null;
}

/** A passage the lexical retriever found: its BM25(F) score and its lexical relevance in [0, 1]. */
export interface LexicalPassage extends RetrievedPassage {
  score: number;
  relevance: number;
}

/** One retriever's question: the query text, how many passages, and an optional `where` filter. */
export interface RetrieverQuery {
  text: string;
  k: number;
  where?: Record<string, unknown>;
}

/**
 * The retrievers of one kind of store: the embedded engine ({@link EngineSearchIndex}) or a Chroma server (gateway
 * mode).
 *
 * @remarks `describe` throws NOT_FOUND for a missing collection; `vector` throws FAILED_PRECONDITION when the
 * collection has no usable embedding function. Both retrievers rank best first.
 */
export interface SearchIndex {
  describe(tenant: string, database: string, name: string): Promise<SearchableCollection>;
  vector(collection: SearchableCollection, query: RetrieverQuery): Promise<VectorPassage[]>;
  lexical(collection: SearchableCollection, query: RetrieverQuery): Promise<LexicalPassage[]>;
  /** The lexical relevance of `query` to each passage, in order (for passages only the vector retriever found). */
  lexicalRelevance(
    collection: SearchableCollection,
    query: string,
    passages: RetrievedPassage[],
  ): Promise<number[]>;
}
