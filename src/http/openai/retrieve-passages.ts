/** Searches the proxy's collection for a chat turn and keeps the hits relevant enough to add. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../engine/database.js';
import { asSearchIndex } from '../../retrieval/engine-search-index.js';
import type { SearchIndex } from '../../retrieval/search-index.js';
import { isEngineError } from '../../engine/errors.js';
import { hybridSearch, type SearchHit } from '../../retrieval/hybrid-search.js';

/** What to search, how many hits to keep and how relevant they must be. */
export interface RetrievalSettings {
  collection: string;
  topK: number;
  /** Hits whose relevance (in [0, 1]) is below this are dropped. */
  minRelevance: number;
}

/** The relevant hits, and what the search found when there are none. */
export interface Retrieved {
  hits: SearchHit[];
  /** `found`: some hits passed; `below-threshold`: none was relevant enough; `no-collection`: nothing to search. */
  outcome: 'found' | 'below-threshold' | 'no-collection';
}

/**
 * The hits for `query` whose relevance reaches the threshold, best first.
 *
 * @remarks
 * Relevance is comparable across queries (the share of the query's informative terms a passage covers, or the
 * calibrated similarity of its embedding), unlike BM25 or fusion scores, so one threshold can tell a question the
 * knowledge base answers from one it does not. A collection without an embedding is searched lexically. A missing
 * collection is not an error: the chat then goes through unchanged.
 */
export async function retrievePassages(
  source: Engine | SearchIndex,
  settings: RetrievalSettings,
  query: string,
): Promise<Retrieved> {
  const engine = asSearchIndex(source);
  let hits: SearchHit[];
  try {
    const { embedding } = await engine.describe(DEFAULT_TENANT, DEFAULT_DATABASE, settings.collection);
    const { results } = await hybridSearch(engine, {
      collection: settings.collection,
      query,
      topK: settings.topK,
      mode: embedding === null || embedding === 'none' ? 'lexical' : 'hybrid',
    });
    hits = results;
  } catch (err) {
    if (isEngineError(err, 'NOT_FOUND')) return { hits: [], outcome: 'no-collection' };
    throw err;
  }
  const relevant = hits.filter((hit) => hit.relevance >= settings.minRelevance);
  return { hits: relevant, outcome: relevant.length > 0 ? 'found' : 'below-threshold' };
}

/**
 * The relevant hits for any of `queries` (each searched with {@link retrievePassages}), each passage once with its
 * highest relevance, most relevant first (the first query's order on ties), at most `topK`.
 */
export async function retrieveForQueries(
  engine: Engine | SearchIndex,
  settings: RetrievalSettings,
  queries: readonly string[],
): Promise<Retrieved> {
  if (queries.length === 1) return retrievePassages(engine, settings, queries[0] as string);
  const best = new Map<string, SearchHit>();
  let outcome: Retrieved['outcome'] = 'no-collection';
  for (const query of queries) {
    const retrieved = await retrievePassages(engine, settings, query);
    if (retrieved.outcome !== 'no-collection' && outcome !== 'found') outcome = retrieved.outcome;
    for (const hit of retrieved.hits) {
      const seen = best.get(hit.id);
      if (seen === undefined || hit.relevance > seen.relevance) best.set(hit.id, hit);
    }
  }
  const hits = [...best.values()].sort((a, b) => b.relevance - a.relevance).slice(0, settings.topK);
  return { hits, outcome };
}
