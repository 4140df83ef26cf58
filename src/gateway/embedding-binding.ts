/**
 * How a collection's embedding binding is recorded on a Chroma server: kbgate's name in the collection metadata,
 * and the closest Chroma embedding function in `configuration.embedding_function`, which Chroma's clients read.
 */
import { parseEmbeddingName } from '../embed/registry.js';
import type { Metadata } from '../engine/types.js';

/** Collection metadata key holding kbgate's binding name (`default`, `multilingual`, `openai:<model>`, `none`). */
export const BINDING_KEY = 'kbgate:embedding';

/** Chroma's description of an embedding function, as its clients write it into a collection's configuration. */
export type ChromaEmbeddingConfig =
  { type: 'known'; name: string; config: Record<string, unknown> } | { type: 'legacy' } | { type: 'unknown' };

/** Where the embedding function for OpenAI-compatible bindings is served (KBGATE_EMBEDDING_URL). */
export interface BindingContext {
  openaiUrl: string | null;
}

/**
 * The Chroma embedding function that computes what `binding` computes, for Chroma's own clients.
 *
 * @remarks
 * `default` is all-MiniLM-L6-v2, which is Chroma's `default` function too, so a Python or JavaScript Chroma client
 * querying with `query_texts` gets vectors of the same model. `openai:<model>` becomes Chroma's `openai` function
 * with the model and base URL (the key stays in the environment variable Chroma's clients read). `multilingual`
 * becomes `sentence_transformer` with intfloat/multilingual-e5-small: the same model, but those clients do not add
 * e5's `query: ` prefix, so their similarities come out a little lower. `none` is `legacy`: no function.
 */
export function chromaEmbeddingConfig(binding: string, context: BindingContext): ChromaEmbeddingConfig {
  const parsed = parseEmbeddingName(binding);
  switch (parsed.kind) {
    case 'default':
      return { type: 'known', name: 'default', config: {} };
    case 'multilingual':
      return {
        type: 'known',
        name: 'sentence_transformer',
        config: {
          model_name: 'intfloat/multilingual-e5-small',
          device: 'cpu',
          normalize_embeddings: true,
          kwargs: {},
        },
      };
    case 'openai':
      return {
        type: 'known',
        name: 'openai',
        config: {
          model_name: parsed.model,
          api_key_env_var: 'CHROMA_OPENAI_API_KEY',
          ...(context.openaiUrl === null ? {} : { api_base: context.openaiUrl }),
        },
      };
    case 'none':
      return { type: 'legacy' };
  }
}

/**
 * The binding kbgate embeds a remote collection with: its own record in the metadata when present, else read back
 * from Chroma's `configuration.embedding_function` (collections made by Chroma's clients); null when neither says.
 */
export function bindingOf(metadata: Metadata | null | undefined, configuration: unknown): string | null {
  const recorded = metadata?.[BINDING_KEY];
  if (typeof recorded === 'string') {
    try {
      parseEmbeddingName(recorded);
      return recorded;
    } catch {
      return null;
    }
  }
  const ef = (configuration as { embedding_function?: unknown; embeddingFunction?: unknown } | null) ?? null;
  return bindingFromChroma(ef?.embedding_function ?? ef?.embeddingFunction ?? null);
}

function bindingFromChroma(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const ef = value as { type?: unknown; name?: unknown; config?: Record<string, unknown> | null };
  if (ef.type !== 'known') return null;
  const model = ef.config?.['model_name'];
  if (ef.name === 'default') return 'default';
  if (ef.name === 'sentence_transformer' && model === 'intfloat/multilingual-e5-small') return 'multilingual';
  if (ef.name === 'sentence_transformer' && model === 'all-MiniLM-L6-v2') return 'default';
  if (ef.name === 'openai' && typeof model === 'string') {
    try {
      return parseEmbeddingName(`openai:${model}`).kind === 'openai' ? `openai:${model}` : null;
    } catch {
      return null;
    }
  }
  return null;
}
