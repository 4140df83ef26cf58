/** Named embedding functions: what a binding (`default`, `multilingual`, `openai:<model>`, `none`) resolves to. */
import { EngineError } from '../engine/errors.js';
import { OpenAICompatibleEmbedding, type OpenAICompatibleEmbeddingOptions } from './openai-compatible.js';
import {
  TransformersEmbedding,
  type TransformersEmbeddingOptions,
  type TransformersPresetName,
} from './transformers.js';
import type { EmbeddingResolver } from '../engine/database.js';

/** The name of the local all-MiniLM-L6-v2 function. */
export const DEFAULT_EMBEDDING = 'default';
/** The name of the local multilingual-e5-small function (Thai, Chinese, Russian, ... and cross-language). */
export const MULTILINGUAL_EMBEDDING = 'multilingual';
/** The name of "no embedding function": the collection is searched lexically only. */
export const NO_EMBEDDING = 'none';
/** Prefix of OpenAI-compatible function names: `openai:<model>`. */
export const OPENAI_PREFIX = 'openai:';

// Model ids as servers spell them: `text-embedding-3-small`, `nomic-ai/nomic-embed-text-v1.5`, `bge-m3:latest`.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

/** A parsed embedding function name. */
export type EmbeddingName =
  { kind: 'default' } | { kind: 'multilingual' } | { kind: 'none' } | { kind: 'openai'; model: string };

/** Parses and validates an embedding function name; throws INVALID_ARGUMENT for anything else. */
export function parseEmbeddingName(name: string): EmbeddingName {
  if (name === DEFAULT_EMBEDDING) return { kind: 'default' };
  if (name === MULTILINGUAL_EMBEDDING) return { kind: 'multilingual' };
  if (name === NO_EMBEDDING) return { kind: 'none' };
  if (typeof name === 'string' && name.startsWith(OPENAI_PREFIX)) {
    const model = name.slice(OPENAI_PREFIX.length);
    if (MODEL_ID.test(model)) return { kind: 'openai', model };
  }
  throw new EngineError(
    'INVALID_ARGUMENT',
    `unknown embedding function ${JSON.stringify(name)}: expected "default", "multilingual", "none" or "openai:<model>"`,
  );
}

/** Settings of a local function a resolver may override; the preset and the model directory are its own. */
type LocalTuning = Omit<TransformersEmbeddingOptions, 'modelDir' | 'offline' | 'preset'>;

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
  /** Tuning of the local `default` function (model, quantization, batch size). */
  transformers?: LocalTuning;
  /** Tuning of the local `multilingual` function (model, quantization, batch size). */
  multilingual?: LocalTuning;
  /** Tuning of OpenAI-compatible functions (batch size, timeout, retries). */
  openai?: Omit<OpenAICompatibleEmbeddingOptions, 'baseUrl' | 'model' | 'apiKey'>;
}

/**
 * Creates the resolver the engine uses to embed a collection's documents and queries.
 *
 * @remarks
 * Functions are created on first use and reused: one function per local preset per process, one client per
 * OpenAI model. Creating one does not load or call anything, so resolving never fails for lack of a model or a
 * network.
 */
export function createEmbeddingResolver(options: EmbeddingResolverOptions = {}): EmbeddingResolver {
  const local = new Map<TransformersPresetName, TransformersEmbedding>();
  const remote = new Map<string, OpenAICompatibleEmbedding>();
  return (name) => {
    const parsed = parseEmbeddingName(name);
    switch (parsed.kind) {
      case 'default':
      case 'multilingual': {
        const existing = local.get(parsed.kind) ?? createLocal(options, parsed.kind);
        local.set(parsed.kind, existing);
        return existing;
      }
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

function createLocal(
  options: EmbeddingResolverOptions,
  preset: TransformersPresetName,
): TransformersEmbedding {
  return new TransformersEmbedding({
    ...(preset === 'default' ? options.transformers : options.multilingual),
    preset,
    modelDir: options.modelDir ?? undefined,
    offline: options.offline,
  });
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
