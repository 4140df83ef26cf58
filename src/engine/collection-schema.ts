/** Chroma 1.x's collection `schema`: its JSON shape, validation, defaults and the merge of a client's schema. */
import { availableParallelism } from 'node:os';
import { invalidArgument } from './errors.js';
import type { Space } from './types.js';

/** An embedding function as Chroma records it: `legacy`, `unknown`, or `known` with a name and its config. */
export type EmbeddingFunctionConfig =
  { type: 'legacy' } | { type: 'unknown' } | { type: 'known'; name: string; config: unknown };

/** HNSW settings inside a schema's vector index config; absent fields take the defaults. */
export interface HnswIndexConfig {
  ef_construction?: number;
  max_neighbors?: number;
  ef_search?: number;
  num_threads?: number;
  batch_size?: number;
  sync_threshold?: number;
  resize_factor?: number;
}

/** The config of a vector index (`float_list.vector_index.config`). */
export interface VectorIndexConfig {
  space?: Space;
  embedding_function?: EmbeddingFunctionConfig;
  source_key?: string;
  hnsw?: HnswIndexConfig;
  spann?: Record<string, unknown>;
}

/** The config of a sparse vector index. */
export interface SparseVectorIndexConfig {
  embedding_function?: EmbeddingFunctionConfig;
  source_key?: string;
  bm25?: boolean;
}

/** An index of one value type: whether it is on, and its config. */
export interface IndexType<C> {
  enabled: boolean;
  config: C;
}

type Empty = Record<string, never>;

/** The indexes of each value type, for all keys (`defaults`) or one key. */
export interface ValueTypes {
  string?: { fts_index?: IndexType<Empty>; string_inverted_index?: IndexType<Empty> };
  float_list?: { vector_index?: IndexType<VectorIndexConfig> };
  sparse_vector?: { sparse_vector_index?: IndexType<SparseVectorIndexConfig> };
  int?: { int_inverted_index?: IndexType<Empty> };
  float?: { float_inverted_index?: IndexType<Empty> };
  bool?: { bool_inverted_index?: IndexType<Empty> };
}

/** A collection schema. */
export interface Schema {
  defaults: ValueTypes;
  keys: Record<string, ValueTypes>;
  cmek?: unknown;
}

/** The key of the document text and of the embedding in a schema. */
export const DOCUMENT_KEY = '#document';
export const EMBEDDING_KEY = '#embedding';

/** Chroma's HNSW defaults; `num_threads` is the machine's parallelism, as Chroma's. */
export function defaultHnswIndexConfig(): Required<HnswIndexConfig> {
  return {
    ef_construction: 100,
    max_neighbors: 16,
    ef_search: 100,
    num_threads: availableParallelism(),
    batch_size: 100,
    sync_threshold: 1000,
    resize_factor: 1.2,
  };
}

/** The schema of a collection with these vector index settings (Chroma's `Schema::try_from(config)`). */
export function schemaFor(
  space: Space,
  hnsw: Required<HnswIndexConfig>,
  embeddingFunction: EmbeddingFunctionConfig | null,
): Schema {
  const vector = (enabled: boolean, sourceKey?: string): IndexType<VectorIndexConfig> => ({
    enabled,
    config: {
      space,
      ...(embeddingFunction ? { embedding_function: embeddingFunction } : {}),
      ...(sourceKey ? { source_key: sourceKey } : {}),
      hnsw: { ...hnsw },
    },
  });
  return {
    defaults: {
      string: { fts_index: off(), string_inverted_index: on() },
      float_list: { vector_index: vector(false) },
      sparse_vector: {
        sparse_vector_index: {
          enabled: false,
          config: { embedding_function: { type: 'unknown' }, bm25: false },
        },
      },
      int: { int_inverted_index: on() },
      float: { float_inverted_index: on() },
      bool: { bool_inverted_index: on() },
    },
    keys: {
      [DOCUMENT_KEY]: { string: { fts_index: on(), string_inverted_index: off() } },
      [EMBEDDING_KEY]: { float_list: { vector_index: vector(true, DOCUMENT_KEY) } },
    },
  };
}

/** The vector index config that governs the embedding: the `#embedding` key's, else the defaults'. */
export function embeddingVectorConfig(schema: Schema): VectorIndexConfig {
  return (
    schema.keys[EMBEDDING_KEY]?.float_list?.vector_index?.config ??
    schema.defaults.float_list?.vector_index?.config ??
    {}
  );
}

/**
 * Merges a client's schema over the defaults, as Chroma's `reconcile_with_defaults`: index by index, the
 * client's `enabled` and every config field it sets win; keys the defaults lack are taken as given. SPANN
 * settings are dropped (a single node builds HNSW).
 */
export function mergeWithDefaults(user: Schema, defaults: Schema): Schema {
  const keys: Record<string, ValueTypes> = { ...defaults.keys };
  for (const [key, types] of Object.entries(user.keys)) {
    const base = Object.hasOwn(defaults.keys, key) ? defaults.keys[key] : undefined;
    keys[key] = base ? mergeValueTypes(base, types) : dropSpann(types);
  }
  const merged: Schema = { defaults: mergeValueTypes(defaults.defaults, user.defaults), keys };
  if (user.cmek !== undefined) merged.cmek = user.cmek;
  return merged;
}

/** Rejects what a single node cannot index: vector indexes off `#embedding`, sparse vector indexes. */
export function checkSupported(schema: Schema): void {
  for (const [key, types] of Object.entries(schema.keys)) {
    if (key !== EMBEDDING_KEY && types.float_list?.vector_index?.enabled) {
      throw invalidArgument(`Vector index can only be enabled on #embedding field: ${key}`);
    }
  }
  for (const types of [schema.defaults, ...Object.values(schema.keys)]) {
    if (types.sparse_vector?.sparse_vector_index?.enabled) {
      throw invalidArgument('Sparse vector indexing is not supported by a single-node server');
    }
    const hnsw = types.float_list?.vector_index?.config.hnsw;
    for (const field of ['batch_size', 'sync_threshold'] as const) {
      const value = hnsw?.[field];
      if (value !== undefined && value < 2) {
        throw invalidArgument(`Invalid HNSW configuration: ${field} must be at least 2, got ${value}`);
      }
    }
  }
}

/**
 * True when a client's schema asks for nothing but the defaults (Chroma's `Schema::is_default`): then a
 * non-default `configuration` may decide instead. The JS client's `new Schema()` is not default: it names the
 * `legacy` embedding function.
 */
export function isDefaultSchema(schema: Schema): boolean {
  if (schema.cmek !== undefined || !areDefaultDefaults(schema.defaults)) return false;
  if (Object.keys(schema.keys).some((key) => key !== EMBEDDING_KEY && key !== DOCUMENT_KEY)) return false;
  const embedding = schema.keys[EMBEDDING_KEY];
  if (embedding && !isDefaultEmbeddingKey(embedding)) return false;
  const document = schema.keys[DOCUMENT_KEY];
  return !document || isDefaultDocumentKey(document);
}

/** True for no embedding function, `unknown`, or the known `default` one (Chroma's `is_default`). */
export function isDefaultEmbeddingFunction(ef: EmbeddingFunctionConfig | null | undefined): boolean {
  return !ef || ef.type === 'unknown' || (ef.type === 'known' && ef.name === 'default');
}

function on(): IndexType<Empty> {
  return { enabled: true, config: {} };
}

function off(): IndexType<Empty> {
  return { enabled: false, config: {} };
}

function mergeValueTypes(base: ValueTypes, user: ValueTypes): ValueTypes {
  const out: ValueTypes = structuredClone(base);
  for (const [type, indexes] of Object.entries(user) as [
    keyof ValueTypes,
    Record<string, IndexType<object>>,
  ][]) {
    const target = ((out as Record<string, Record<string, IndexType<object>>>)[type] ??= {});
    for (const [name, index] of Object.entries(indexes)) {
      const current = target[name];
      target[name] = current
        ? { enabled: index.enabled, config: mergeConfig(name, current.config, index.config) }
        : structuredClone(index);
    }
  }
  return dropSpann(out);
}

function mergeConfig(index: string, base: object, user: object): object {
  const merged: Record<string, unknown> = { ...base };
  for (const [field, value] of Object.entries(user)) {
    if (value === undefined) continue;
    merged[field] =
      index === 'vector_index' && field === 'hnsw' ? { ...(merged['hnsw'] as object), ...value } : value;
  }
  return merged;
}

function dropSpann(types: ValueTypes): ValueTypes {
  const config = types.float_list?.vector_index?.config;
  if (config?.spann !== undefined) delete config.spann;
  return types;
}

function areDefaultDefaults(types: ValueTypes): boolean {
  const vector = types.float_list?.vector_index;
  const sparse = types.sparse_vector?.sparse_vector_index;
  return (
    types.string?.string_inverted_index?.enabled !== false &&
    types.string?.fts_index?.enabled !== true &&
    types.float?.float_inverted_index?.enabled !== false &&
    types.int?.int_inverted_index?.enabled !== false &&
    types.bool?.bool_inverted_index?.enabled !== false &&
    (!vector || (!vector.enabled && isDefaultVectorConfig(vector.config) && !vector.config.source_key)) &&
    (!sparse ||
      (!sparse.enabled &&
        isDefaultEmbeddingFunction(sparse.config.embedding_function) &&
        !sparse.config.source_key &&
        !sparse.config.bm25))
  );
}

function isDefaultEmbeddingKey(types: ValueTypes): boolean {
  if (types.string || types.float || types.int || types.bool || types.sparse_vector) return false;
  const vector = types.float_list?.vector_index;
  return (
    !vector ||
    (vector.enabled && isDefaultVectorConfig(vector.config) && vector.config.source_key === DOCUMENT_KEY)
  );
}

function isDefaultDocumentKey(types: ValueTypes): boolean {
  if (types.float_list || types.float || types.int || types.bool || types.sparse_vector) return false;
  return types.string?.fts_index?.enabled !== false && types.string?.string_inverted_index?.enabled !== true;
}

function isDefaultVectorConfig(config: VectorIndexConfig): boolean {
  if (!isDefaultEmbeddingFunction(config.embedding_function)) return false;
  if (config.space !== undefined && config.space !== 'l2') return false;
  if (config.hnsw && config.spann) return false;
  if (config.spann) return Object.keys(config.spann).length === 0;
  const defaults = defaultHnswIndexConfig();
  return Object.entries(config.hnsw ?? {}).every(
    ([field, value]) => field === 'num_threads' || value === defaults[field as keyof HnswIndexConfig],
  );
}
