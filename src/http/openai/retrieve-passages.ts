/** Searches the proxy's collection for a chat turn and keeps the hits worth adding. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../engine/database.js';
import { isEngineError } from '../../engine/errors.js';
import { hybridSearch, type SearchHit } from '../../retrieval/hybrid-search.js';

/** What to search and how many hits to keep. */
export interface RetrievalSettings {
  collection: string;
  topK: number;
  /** Hits scoring at or below this are dropped. */
  minScore: number;
}

/**
 * The hits for `query` that score above the threshold, best first.
 *
 * @remarks
 * A collection without an embedding is searched in lexical mode, so the threshold applies to BM25 scores, which
 * say how well a passage matches; otherwise it applies to reciprocal-rank-fusion scores, where anything above
 * 1/61 was found by both retrievers. A missing collection is not an error: the chat then goes through unchanged.
 */
export async function retrievePassages(
  engine: Engine,
  settings: RetrievalSettings,
  query: string,
): Promise<SearchHit[]> {
  if (settings.topK === 0) return [];
  try {
    const { embedding } = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, settings.collection);
    const { results } = await hybridSearch(engine, {
      collection: settings.collection,
      query,
      topK: settings.topK,
      mode: embedding === null || embedding === 'none' ? 'lexical' : 'hybrid',
    });
    return results.filter((hit) => hit.score > settings.minScore);
  } catch (err) {
    if (isEngineError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}
