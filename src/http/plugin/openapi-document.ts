/** The plugin's OpenAPI 3 document: paths from the route annotations (swagger-jsdoc), components and servers here. */
import { createRequire } from 'node:module';
import type swaggerJsdocType from 'swagger-jsdoc';
import type { Config } from '../../config.js';
import {
  DEFAULT_PLUGIN_MAX_CHARS,
  DEFAULT_PLUGIN_TOP_K,
  MAX_PLUGIN_MAX_CHARS,
  MAX_PLUGIN_TOP_K,
  SEARCH_ROUTE_FILE,
} from './search-route.js';

/** An OpenAPI document as plain JSON. */
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, unknown> };

/** Version of the plugin API, reported in `info.version`. */
export const PLUGIN_API_VERSION = '1.0.0';

/** Name of the security scheme, present when a token (bearer) or an htpasswd file (basic) protects `/search`. */
export const SECURITY_SCHEME = 'kbgateAuth';

/**
 * Builds the document from the annotations beside the route handlers (callers keep it: this reads and parses them).
 *
 * @remarks `servers[0].url` is `KBGATE_PUBLIC_URL` without a trailing slash, because NextChat joins it with the
 * path itself (`${X-Base-URL}/search`). Throws when an annotation is not valid YAML or no path was found.
 */
export function buildOpenApiDocument(config: Config): OpenApiDocument {
  const scheme = securityScheme(config);
  const definition = {
    openapi: '3.0.3',
    info: {
      title: 'kbgate knowledge base',
      version: PLUGIN_API_VERSION,
      description: 'Search a private knowledge base and cite the passages found.',
    },
    servers: [{ url: config.publicUrl.replace(/\/+$/, '') }],
    components: { ...COMPONENTS, ...(scheme ? { securitySchemes: { [SECURITY_SCHEME]: scheme } } : {}) },
    ...(scheme ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}),
  };
  // Loaded here, not at start-up: a server whose document nobody asks for does not carry swagger-jsdoc (~6 MB).
  const swaggerJsdoc = createRequire(import.meta.url)('swagger-jsdoc') as typeof swaggerJsdocType;
  const document = swaggerJsdoc({
    definition,
    apis: [SEARCH_ROUTE_FILE],
    failOnErrors: true,
  }) as OpenApiDocument;
  if (Object.keys(document.paths ?? {}).length === 0) {
    throw new Error(`no @openapi path annotations found in ${SEARCH_ROUTE_FILE}`);
  }
  return document;
}

function securityScheme(config: Config): Record<string, string> | null {
  if (config.authToken !== null || config.readTokens.length > 0) {
    const description = 'A read-only token of KBGATE_READ_TOKEN (or the admin token, KBGATE_AUTH_TOKEN).';
    return { type: 'http', scheme: 'bearer', description };
  }
  if (config.htpasswdFile !== null) {
    return { type: 'http', scheme: 'basic', description: 'A user of the KBGATE_HTPASSWD_FILE file.' };
  }
  return null;
}

const optionalString = (description: string) => ({ type: 'string', description });

const SOURCE_SCHEMA = {
  type: 'object',
  description: 'Where the passage comes from; cite it. Unknown fields are left out.',
  properties: {
    path: optionalString('File path relative to the knowledge base folder.'),
    title: optionalString('Document title.'),
    heading: optionalString('Heading of the section holding the passage.'),
    anchor: optionalString('URL fragment of that heading.'),
    lines: {
      type: 'array',
      description: 'First and last line of the passage in the file.',
      items: { type: 'integer' },
      minItems: 2,
      maxItems: 2,
    },
    page: { type: 'integer', description: 'For PDFs: the page the passage starts on (anchor is page=N).' },
  },
};

const HIT_SCHEMA = {
  type: 'object',
  required: ['id', 'text', 'relevance', 'scores', 'source'],
  properties: {
    id: { type: 'string', description: 'Passage id.' },
    text: {
      type: 'string',
      description: 'Passage text (Markdown); a long one is cut to max_chars around the words of the query.',
    },
    relevance: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description:
        'How well the passage matches the query, 0 to 1, comparable across queries: below about 0.5 it is ' +
        'probably not about the question.',
    },
    scores: {
      type: 'object',
      description: "Each retriever's own score; null where it did not find the passage.",
      properties: {
        lexical: { type: 'number', nullable: true, description: 'BM25 keyword score.' },
        vector: { type: 'number', nullable: true, description: 'Cosine similarity, -1 to 1.' },
      },
    },
    source: { $ref: '#/components/schemas/Source' },
    score: { type: 'number', description: 'Ranking score (with include_metadata).' },
    metadata: {
      type: 'object',
      nullable: true,
      additionalProperties: true,
      description: 'All metadata stored with the passage (with include_metadata).',
    },
  },
};

const COMPONENTS = {
  schemas: {
    SearchRequest: {
      type: 'object',
      required: ['query'],
      properties: {
        query: {
          type: 'string',
          minLength: 1,
          maxLength: 4000,
          description: 'The question or keywords to search for, in any language.',
        },
        top_k: {
          type: 'integer',
          minimum: 1,
          maximum: MAX_PLUGIN_TOP_K,
          default: DEFAULT_PLUGIN_TOP_K,
          description: `How many passages to return, 1 to ${MAX_PLUGIN_TOP_K}.`,
        },
        mode: {
          type: 'string',
          enum: ['hybrid', 'vector', 'lexical'],
          default: 'hybrid',
          description: 'hybrid fuses keyword (BM25) and semantic search; vector or lexical use one alone.',
        },
        collection: {
          type: 'string',
          description: 'Collection to search; leave out for the default knowledge base.',
        },
        where: {
          type: 'object',
          additionalProperties: true,
          description: 'Optional metadata filter in Chroma syntax, e.g. {"source": "guide/install.md"}.',
        },
        max_chars: {
          type: 'integer',
          minimum: 50,
          maximum: MAX_PLUGIN_MAX_CHARS,
          default: DEFAULT_PLUGIN_MAX_CHARS,
          description: 'Most characters of text per passage; longer ones are cut around the query words.',
        },
        min_relevance: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0,
          description: 'Leave out passages less relevant than this (0 to 1).',
        },
        include_metadata: {
          type: 'boolean',
          default: false,
          description: "Also return each passage's stored metadata and ranking score.",
        },
      },
    },
    SearchResponse: {
      type: 'object',
      required: ['results', 'modes'],
      properties: {
        results: { type: 'array', items: { $ref: '#/components/schemas/SearchHit' } },
        modes: {
          type: 'array',
          items: { type: 'string', enum: ['vector', 'lexical'] },
          description:
            'The retrievers that ran (vector is skipped when the collection has no embedding model).',
        },
        truncated: {
          type: 'boolean',
          description: 'True when passage texts were shortened to fit the response.',
        },
      },
    },
    SearchHit: HIT_SCHEMA,
    Source: SOURCE_SCHEMA,
    Error: {
      type: 'object',
      required: ['error', 'message'],
      properties: { error: { type: 'string' }, message: { type: 'string' } },
    },
  },
  responses: {
    SearchResults: {
      description: 'Passages, best first.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchResponse' } } },
    },
    BadRequest: errorResponse('A parameter is missing or invalid.'),
    Unauthorized: errorResponse('The bearer token is missing or wrong.'),
    NotFound: errorResponse('The collection does not exist.'),
  },
};

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}
