/** The wire shape of `/search` results: compact by default (text, source, relevance), metadata on request. */
import { excerpt } from '../../retrieval/excerpt.js';
import type { SearchHit, SearchResponse, SearchScores, SearchSource } from '../../retrieval/hybrid-search.js';
import type { Metadata } from '../../engine/types.js';
import type { SearchOutput } from './search-route.js';

/** One passage as `/search` returns it. */
export interface WireHit {
  id: string;
  text: string;
  relevance: number;
  scores: SearchScores;
  /** Only the source fields that are known. */
  source: Partial<SearchSource>;
  /** Present with `include_metadata: true`: the ranking score and every metadata field stored. */
  score?: number;
  metadata?: Metadata | null;
}

/** A `/search` response body. */
export interface WireResponse {
  results: WireHit[];
  modes: SearchResponse['modes'];
  truncated?: boolean;
}

/**
 * Shapes a search response for the wire: hits below `minRelevance` dropped, each text cut to `maxChars` around
 * the query's words, null source fields left out, and metadata only when asked for.
 */
export function toWireResponse(response: SearchResponse, query: string, output: SearchOutput): WireResponse {
  let truncated = response.truncated ?? false;
  const results = response.results
    .filter((hit) => hit.relevance >= output.minRelevance)
    .map((hit) => {
      const text = excerpt(hit.text, query, output.maxChars);
      if (text !== hit.text) truncated = true;
      return toWireHit(hit, text, output.includeMetadata);
    });
  return { results, modes: response.modes, ...(truncated ? { truncated } : {}) };
}

function toWireHit(hit: SearchHit, text: string, includeMetadata: boolean): WireHit {
  const source: Partial<SearchSource> = {};
  for (const [key, value] of Object.entries(hit.source) as [keyof SearchSource, never][]) {
    if (value !== null) source[key] = value;
  }
  const wire: WireHit = {
    id: hit.id,
    text,
    relevance: hit.relevance,
    scores: { lexical: round(hit.scores.lexical), vector: round(hit.scores.vector) },
    source,
  };
  if (includeMetadata) {
    wire.score = hit.score;
    wire.metadata = hit.metadata;
  }
  return wire;
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}
