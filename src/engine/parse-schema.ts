/** Parses a client's collection `schema` and embedding function configs from unknown JSON, as Chroma 1.x reads them. */
import type {
  EmbeddingFunctionConfig,
  HnswIndexConfig,
  IndexType,
  Schema,
  SparseVectorIndexConfig,
  ValueTypes,
  VectorIndexConfig,
} from './collection-schema.js';
import { invalidArgument } from './errors.js';
import { isUnsafeKey } from './object-keys.js';
import type { Space } from './types.js';

const SPACES: readonly string[] = ['l2', 'ip', 'cosine'];
const HNSW_INT_FIELDS = [
  'ef_construction',
  'max_neighbors',
  'ef_search',
  'num_threads',
  'batch_size',
  'sync_threshold',
] as const;
const SCALAR_INDEXES: Record<string, string[]> = {
  string: ['fts_index', 'string_inverted_index'],
  int: ['int_inverted_index'],
  float: ['float_inverted_index'],
  bool: ['bool_inverted_index'],
};

/**
 * Parses a schema: `defaults` and `keys` are required, each index needs `enabled` and `config`; unknown fields are
 * ignored as Chroma ignores them, except inside `hnsw`, whose fields are checked. Throws INVALID_ARGUMENT.
 */
export function parseSchema(input: unknown): Schema {
  const schema = object(input, 'schema');
  const defaults = valueTypes(required(schema, 'defaults', 'schema'), 'schema.defaults');
  const keysIn = object(required(schema, 'keys', 'schema'), 'schema.keys');
  const keys: Record<string, ValueTypes> = {};
  for (const [key, types] of Object.entries(keysIn)) {
    if (isUnsafeKey(key)) throw invalidArgument(`schema.keys: "${key}" cannot be a metadata key`);
    keys[key] = valueTypes(types, `schema.keys.${key}`);
  }
  const parsed: Schema = { defaults, keys };
  if (schema['cmek'] !== undefined && schema['cmek'] !== null) parsed.cmek = schema['cmek'];
  return parsed;
}

/** Parses an embedding function config: `{type: "legacy" | "unknown"}` or `{type: "known", name, config}`. */
export function parseEmbeddingFunction(input: unknown, at: string): EmbeddingFunctionConfig {
  const ef = object(input, at);
  const type = ef['type'];
  if (type === 'legacy' || type === 'unknown') return { type };
  if (type !== 'known') {
    throw invalidArgument(
      `${at}.type must be one of "legacy", "known", "unknown", got ${JSON.stringify(type)}`,
    );
  }
  if (typeof ef['name'] !== 'string') throw invalidArgument(`${at}.name must be a string`);
  if (ef['config'] === undefined) throw invalidArgument(`${at}.config is required`);
  return { type, name: ef['name'], config: ef['config'] };
}

/** Parses a distance space name. */
export function parseSpace(input: unknown, at: string): Space {
  if (typeof input === 'string' && SPACES.includes(input)) return input as Space;
  throw invalidArgument(`${at} must be one of l2, cosine, ip, got ${JSON.stringify(input)}`);
}

/** Parses a non-negative integer (Rust's `usize`). */
export function parseCount(input: unknown, at: string): number {
  if (typeof input === 'number' && Number.isSafeInteger(input) && input >= 0) return input;
  throw invalidArgument(`${at} must be a non-negative integer, got ${JSON.stringify(input)}`);
}

function valueTypes(input: unknown, at: string): ValueTypes {
  const types = object(input, at);
  const out: Record<string, unknown> = {};
  for (const [rawName, value] of Object.entries(types)) {
    const name = rawName.startsWith('#') ? rawName.slice(1) : rawName;
    const here = `${at}.${rawName}`;
    if (Object.hasOwn(SCALAR_INDEXES, name))
      out[name] = indexes(value, here, SCALAR_INDEXES[name] ?? [], () => ({}));
    else if (name === 'float_list') out[name] = indexes(value, here, ['vector_index'], vectorConfig);
    else if (name === 'sparse_vector')
      out[name] = indexes(value, here, ['sparse_vector_index'], sparseConfig);
  }
  return out as ValueTypes;
}

function indexes<C>(
  input: unknown,
  at: string,
  names: string[],
  parseConfig: (config: Record<string, unknown>, at: string) => C,
): Record<string, IndexType<C>> {
  const given = object(input, at);
  const out: Record<string, IndexType<C>> = {};
  for (const name of names) {
    if (given[name] === undefined || given[name] === null) continue;
    const index = object(given[name], `${at}.${name}`);
    const enabled = required(index, 'enabled', `${at}.${name}`);
    if (typeof enabled !== 'boolean') throw invalidArgument(`${at}.${name}.enabled must be a boolean`);
    const config = object(required(index, 'config', `${at}.${name}`), `${at}.${name}.config`);
    out[name] = { enabled, config: parseConfig(config, `${at}.${name}.config`) };
  }
  return out;
}

function vectorConfig(config: Record<string, unknown>, at: string): VectorIndexConfig {
  const out: VectorIndexConfig = {};
  if (present(config['space'])) out.space = parseSpace(config['space'], `${at}.space`);
  if (present(config['embedding_function'])) {
    out.embedding_function = parseEmbeddingFunction(config['embedding_function'], `${at}.embedding_function`);
  }
  if (present(config['source_key'])) out.source_key = string(config['source_key'], `${at}.source_key`);
  if (present(config['hnsw'])) out.hnsw = hnswConfig(config['hnsw'], `${at}.hnsw`);
  if (present(config['spann'])) out.spann = object(config['spann'], `${at}.spann`);
  return out;
}

function sparseConfig(config: Record<string, unknown>, at: string): SparseVectorIndexConfig {
  const out: SparseVectorIndexConfig = {};
  if (present(config['embedding_function'])) {
    out.embedding_function = parseEmbeddingFunction(config['embedding_function'], `${at}.embedding_function`);
  }
  if (present(config['source_key'])) out.source_key = string(config['source_key'], `${at}.source_key`);
  if (present(config['bm25'])) {
    if (typeof config['bm25'] !== 'boolean') throw invalidArgument(`${at}.bm25 must be a boolean`);
    out.bm25 = config['bm25'];
  }
  return out;
}

function hnswConfig(input: unknown, at: string): HnswIndexConfig {
  const hnsw = object(input, at);
  const out: HnswIndexConfig = {};
  for (const [field, value] of Object.entries(hnsw)) {
    if (!present(value)) continue;
    if (field === 'resize_factor') {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw invalidArgument(`${at}.resize_factor must be a number`);
      out.resize_factor = value;
    } else if ((HNSW_INT_FIELDS as readonly string[]).includes(field)) {
      out[field as (typeof HNSW_INT_FIELDS)[number]] = parseCount(value, `${at}.${field}`);
    } else {
      throw invalidArgument(`${at}: unknown field "${field}"`);
    }
  }
  return out;
}

function object(input: unknown, at: string): Record<string, unknown> {
  if (!isPlainObject(input)) throw invalidArgument(`${at} must be an object`);
  return input;
}

function required(input: Record<string, unknown>, field: string, at: string): unknown {
  if (!present(input[field])) throw invalidArgument(`${at}: missing field "${field}"`);
  return input[field];
}

function string(input: unknown, at: string): string {
  if (typeof input !== 'string') throw invalidArgument(`${at} must be a string`);
  return input;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}
