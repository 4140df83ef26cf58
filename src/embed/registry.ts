/** Named embedding functions: what a collection's binding (`default`, `openai:<model>`, `none`) resolves to. */
import { EngineError } from '../engine/errors.js';
import { OpenAICompatibleEmbedding, type OpenAICompatibleEmbeddingOptions } from './openai-compatible.js';
import { TransformersEmbedding, type TransformersEmbeddingOptions } from './transformers.js';
import type { EmbeddingResolver } from '../engine/database.js';

/** The name of the local all-MiniLM-L6-v2 function. */
export const DEFAULT_EMBEDDING = 'default';
/** The name of "no embedding function": the collection is searched lexically only. */
export const NO_EMBEDDING = 'none';
/** Prefix of OpenAI-compatible function names: `openai:<model>`. */
export const OPENAI_PREFIX = 'openai:';

// Model ids as servers spell them: `text-embedding-3-small`, `nomic-ai/nomic-embed-text-v1.5`, `bge-m3:latest`.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

/** A parsed embedding function name. */
export type EmbeddingName = { kind: 'default' } | { kind: 'none' } | { kind: 'openai'; model: string };

/** Parses and validates an embedding function name; throws INVALID_ARGUMENT for anything else. */
export function parseEmbeddingName(name: string): EmbeddingName {
  if (name === DEFAULT_EMBEDDING) return { kind: 'default' };
  if (name === NO_EMBEDDING) return { kind: 'none' };
  if (typeof name === 'string' && name.startsWith(OPENAI_PREFIX)) {
    const model = name.slice(OPENAI_PREFIX.length);
    if (MODEL_ID.test(model)) return { kind: 'openai', model };
  }
  throw new EngineError(
    'INVALID_ARGUMENT',
    `unknown embedding function ${JSON.stringify(name)}: expected "default", "none" or "openai:<model>"`,
  );
}

/** Start-up settings the resolver builds functions from (from `loadConfig`). */
export interface EmbeddingResolverOptions {
  /** KBGATE_MODEL_DIR. */
  modelDir?: string | null;
  /** KBGATE_OFFLINE. */
  offline?: boolean;
  /** KBGATE_EMBEDDING_URL: OpenAI-compatible base URL ending in `/v1`. */
  openaiUrl?: string | null;
  /** KBGATE_EMBEDDING_API_KEY; held here only, never stored with a collection. */
  openaiApiKey?: string | null;
  /** Tuning of the local function (model, quantization, batch size). */
  transformers?: Omit<TransformersEmbeddingOptions, 'modelDir' | 'offline'>;
  /** Tuning of OpenAI-compatible functions (batch size, timeout, retries). */
  openai?: Omit<OpenAICompatibleEmbeddingOptions, 'baseUrl' | 'model' | 'apiKey'>;
}

/**
 * Creates the resolver the engine uses to embed a collection's documents and queries.
 *
 * @remarks
 * Functions are created on first use and reused: one local model per process, one client per OpenAI model.
 * Creating one does not load or call anything, so resolving never fails for lack of a model or a network.
 */
export function createEmbeddingResolver(options: EmbeddingResolverOptions = {}): EmbeddingResolver {
  let local: TransformersEmbedding | undefined;
  const remote = new Map<string, OpenAICompatibleEmbedding>();
  return (name) => {
    const parsed = parseEmbeddingName(name);
    switch (parsed.kind) {
      case 'default':
        local ??= new TransformersEmbedding({
          ...options.transformers,
          modelDir: options.modelDir ?? undefined,
          offline: options.offline,
        });
        return local;
      case 'none':
        throw new EngineError(
          'FAILED_PRECONDITION',
          'the collection is lexical-only (embedding function "none"): supply embeddings yourself or search by text',
        );
      case 'openai': {
        const existing = remote.get(parsed.model) ?? createOpenAI(options, parsed.model);
        remote.set(parsed.model, existing);
        return existing;
      }
    }
  };
}

function createOpenAI(options: EmbeddingResolverOptions, model: string): OpenAICompatibleEmbedding {
  if (!options.openaiUrl) {
    throw new EngineError(
      'FAILED_PRECONDITION',
      `embedding function "openai:${model}" needs KBGATE_EMBEDDING_URL, the OpenAI-compatible base URL ` +
        '(e.g. http://fastchat-api-server:8000/v1)',
    );
  }
  return new OpenAICompatibleEmbedding({
    ...options.openai,
    baseUrl: options.openaiUrl,
    model,
    apiKey: options.openaiApiKey ?? undefined,
  });
}
