/** Searches the proxy's collection for a chat turn and keeps the hits worth adding. */
import type { Engine } from '../../engine/database.js';
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
 * A missing collection is not an error here: the proxy then forwards the chat unchanged.
 */
export async function retrievePassages(
  engine: Engine,
  settings: RetrievalSettings,
  query: string,
): Promise<SearchHit[]> {
  if (settings.topK === 0) return [];
  try {
    const { results } = await hybridSearch(engine, {
      collection: settings.collection,
      query,
      topK: settings.topK,
    });
    return results.filter((hit) => hit.score > settings.minScore);
  } catch (err) {
    if (isEngineError(err, 'NOT_FOUND')) return [];
    throw err;
  }
}
