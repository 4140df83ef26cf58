/** `POST /search` and `GET /search`: the plugin's one capability, with the OpenAPI annotations that describe it. */
import { fileURLToPath } from 'node:url';
import type { Response, Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { SearchIndex } from '../../retrieval/search-index.js';
import { fitResponse } from '../../retrieval/fit-response.js';
import { toWireResponse } from './search-output.js';
import {
  hybridSearch,
  SEARCH_MODES,
  type SearchMode,
  type SearchRequest,
} from '../../retrieval/hybrid-search.js';
import { HttpError } from '../error-handler.js';

/** This module's own file (`.ts` under tsx and vitest, `.js` when compiled): swagger-jsdoc reads its annotations. */
export const SEARCH_ROUTE_FILE = fileURLToPath(import.meta.url);

/** Most passages one search returns. */
export const MAX_PLUGIN_TOP_K = 50;
/** Passages returned when `top_k` is not given. */
export const DEFAULT_PLUGIN_TOP_K = 5;
/** Characters of each passage's text returned when `max_chars` is not given: five hits fit in about 4 KB. */
export const DEFAULT_PLUGIN_MAX_CHARS = 600;
/** Largest `max_chars`. */
export const MAX_PLUGIN_MAX_CHARS = 20_000;
const MAX_QUERY_CHARS = 4_000;

/** What the search routes need. */
export interface SearchRouteDeps {
  /** What `/search` searches: the embedded engine's indexes or a Chroma server's. */
  index: SearchIndex;
  config: Config;
}

/** Whole numbers may arrive as strings (query strings, or models that quote numbers). */
const wholeNumber = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z
    .number({ invalid_type_error: 'top_k must be a whole number' })
    .int('top_k must be a whole number')
    .min(1, `top_k must be from 1 to ${MAX_PLUGIN_TOP_K}`)
    .max(MAX_PLUGIN_TOP_K, `top_k must be from 1 to ${MAX_PLUGIN_TOP_K}`),
);

const searchParams = z.object({
  query: z
    .string({ required_error: 'query is required', invalid_type_error: 'query must be a string' })
    .max(MAX_QUERY_CHARS, `query must be at most ${MAX_QUERY_CHARS} characters`)
    .refine((q) => q.trim() !== '', 'query must not be empty'),
  top_k: wholeNumber.nullish(),
  collection: z.string({ invalid_type_error: 'collection must be a string' }).min(1).nullish(),
  mode: z
    .enum(SEARCH_MODES as [SearchMode, ...SearchMode[]], {
      errorMap: () => ({ message: `mode must be one of ${SEARCH_MODES.join(', ')}` }),
    })
    .nullish(),
  where: z.record(z.unknown(), { invalid_type_error: 'where must be an object' }).nullish(),
  include_metadata: z
    .preprocess(
      (v) => (v === 'true' ? true : v === 'false' ? false : v),
      z.boolean({ invalid_type_error: 'include_metadata must be true or false' }),
    )
    .nullish(),
  max_chars: z
    .preprocess(
      (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
      z
        .number({ invalid_type_error: 'max_chars must be a whole number' })
        .int('max_chars must be a whole number')
        .min(50, `max_chars must be from 50 to ${MAX_PLUGIN_MAX_CHARS}`)
        .max(MAX_PLUGIN_MAX_CHARS, `max_chars must be from 50 to ${MAX_PLUGIN_MAX_CHARS}`),
    )
    .nullish(),
  min_relevance: z
    .preprocess(
      (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
      z
        .number({ invalid_type_error: 'min_relevance must be a number from 0 to 1' })
        .min(0, 'min_relevance must be a number from 0 to 1')
        .max(1, 'min_relevance must be a number from 0 to 1'),
    )
    .nullish(),
});

/** How a search's results are shaped for the wire. */
export interface SearchOutput {
  includeMetadata: boolean;
  maxChars: number;
  minRelevance: number;
}

/** Adds both search routes to `router` (authentication and body parsing are the caller's). */
export function registerSearchRoutes(router: Router, deps: SearchRouteDeps): void {
  /**
   * @openapi
   * /search:
   *   post:
   *     operationId: searchKnowledgeBase
   *     summary: Search the knowledge base
   *     description: Finds the passages of the user's knowledge base that best match a question or keywords, best first, each with its source (file, heading, lines) to cite.
   *     tags: [search]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             $ref: '#/components/schemas/SearchRequest'
   *     responses:
   *       '200':
   *         $ref: '#/components/responses/SearchResults'
   *       '400':
   *         $ref: '#/components/responses/BadRequest'
   *       '401':
   *         $ref: '#/components/responses/Unauthorized'
   *       '404':
   *         $ref: '#/components/responses/NotFound'
   */
  router.post('/search', (req, res) => search(deps, req.body, res));

  // GET /search takes the same parameters in the query string, for curl and simple clients. It is left out of the
  // OpenAPI document on purpose: NextChat makes one tool per operation, and two tools with one purpose (it offered
  // the GET one first) only confuse the model.
  router.get('/search', (req, res) => search(deps, req.query, res));
}

async function search(deps: SearchRouteDeps, wire: unknown, res: Response): Promise<void> {
  const { request, output } = parseSearch(wire, deps.config.collection);
  res.locals.operation = 'plugin.search';
  const response = await hybridSearch(deps.index, request);
  res.json(fitResponse(toWireResponse(response, request.query, output)));
}

/** Parses wire parameters (snake_case) into a {@link SearchRequest} and output options; a bad parameter is a 400. */
export function parseSearch(
  wire: unknown,
  defaultCollection: string,
): { request: SearchRequest; output: SearchOutput } {
  const parsed = searchParams.safeParse(wire ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    throw new HttpError(
      'INVALID_ARGUMENT',
      `Invalid search parameter ${field}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const { query, top_k, collection, mode, where, include_metadata, max_chars, min_relevance } = parsed.data;
  const request: SearchRequest = {
    collection: collection ?? defaultCollection,
    query,
    topK: top_k ?? DEFAULT_PLUGIN_TOP_K,
  };
  if (mode) request.mode = mode;
  if (where && Object.keys(where).length > 0) request.where = where;
  const output: SearchOutput = {
    includeMetadata: include_metadata ?? false,
    maxChars: max_chars ?? DEFAULT_PLUGIN_MAX_CHARS,
    minRelevance: min_relevance ?? 0,
  };
  return { request, output };
}
