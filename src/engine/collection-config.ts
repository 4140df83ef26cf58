/** Collection configuration: `configuration`, `schema` and the legacy `hnsw:*` metadata, reconciled as Chroma 1.x does. */
import {
  checkSupported,
  defaultHnswIndexConfig,
  embeddingVectorConfig,
  EMBEDDING_KEY,
  isDefaultEmbeddingFunction,
  isDefaultSchema,
  mergeWithDefaults,
  schemaFor,
  type EmbeddingFunctionConfig,
  type HnswIndexConfig,
  type Schema,
} from './collection-schema.js';
import { invalidArgument } from './errors.js';
import { parseCount, parseEmbeddingFunction, parseSchema, parseSpace } from './parse-schema.js';
import type { CollectionModel, HnswParams, Metadata, Space } from './types.js';

/** Chroma's defaults for a new collection's index. */
export const DEFAULT_HNSW: Readonly<HnswParams> = Object.freeze({
  space: 'l2',
  efConstruction: 100,
  efSearch: 100,
  maxNeighbors: 16,
});

/** Upper bound for ef and M values: beyond this hnswlib only burns memory. */
const MAX_HNSW_INT = 100_000;
const HNSW_FIELDS = [
  'ef_construction',
  'max_neighbors',
  'ef_search',
  'num_threads',
  'batch_size',
  'sync_threshold',
];
const UPDATABLE_HNSW_FIELDS = [
  'ef_search',
  'max_neighbors',
  'num_threads',
  'batch_size',
  'sync_threshold',
  'resize_factor',
];
const SPANN_FIELDS = [
  'search_nprobe',
  'write_nprobe',
  'space',
  'ef_construction',
  'ef_search',
  'max_neighbors',
  'reassign_neighbor_count',
  'split_threshold',
  'merge_threshold',
];
const LEGACY_KEYS: Record<string, keyof HnswIndexConfig> = {
  'hnsw:construction_ef': 'ef_construction',
  'hnsw:search_ef': 'ef_search',
  'hnsw:M': 'max_neighbors',
  'hnsw:num_threads': 'num_threads',
  'hnsw:batch_size': 'batch_size',
  'hnsw:sync_threshold': 'sync_threshold',
  'hnsw:resize_factor': 'resize_factor',
};

/** What a collection's configuration decides, in every form kbgate keeps it. */
export interface CollectionSettings {
  /** The vector index parameters kbgate builds with. */
  hnsw: HnswParams;
  /** Chroma's `configuration_json`: `hnsw` (six keys), `spann: null`, `embedding_function`. */
  configuration: Record<string, unknown>;
  schema: Schema;
}

/** The vector index settings behind all three forms. */
interface IndexSettings {
  space: Space;
  hnsw: Required<HnswIndexConfig>;
  embeddingFunction: EmbeddingFunctionConfig | null;
}

/**
 * Resolves a new collection's settings from the create body's `configuration`, `metadata` and `schema`.
 *
 * @remarks As Chroma 1.x: `configuration.hnsw` (or `spann`, whose space alone applies) decides unless it is all
 * defaults, in which case the legacy metadata keys `hnsw:space`, `hnsw:M`, `hnsw:construction_ef`, ... do. A
 * `schema` is merged over the default schema; it decides when the configuration is all defaults, and both
 * asking for something is an error. The resulting schema then fixes the space, HNSW parameters and embedding
 * function, and `configuration_json` is derived from it.
 */
export function resolveCollectionSettings(args: {
  configuration?: Record<string, unknown> | null;
  metadata?: Metadata | null;
  schema?: unknown;
}): CollectionSettings {
  const fromConfig = settingsFromConfiguration(args.configuration ?? {}, args.metadata ?? null);
  let schema = schemaOf(fromConfig);
  if (args.schema !== undefined && args.schema !== null) {
    const user = parseSchema(args.schema);
    const configIsDefault = isDefaultSettings(fromConfig);
    if (!configIsDefault && !isDefaultSchema(user)) {
      throw invalidArgument('Cannot set both collection config and schema simultaneously');
    }
    const merged = mergeWithDefaults(user, schemaOf(defaultSettings()));
    checkSupported(merged);
    if (configIsDefault && !isDefaultSchema(merged)) schema = merged;
  }
  return toCollectionSettings(schema);
}

/**
 * Applies a `modify` configuration: HNSW `ef_search` and the tuning knobs kbgate records (`num_threads`,
 * `batch_size`, `sync_threshold`, `resize_factor`), and the `embedding_function`; `spann` is accepted and ignored.
 *
 * @remarks `max_neighbors` cannot change (Chroma records the new value, but an HNSW graph is built with it).
 */
export function applyConfigurationUpdate(current: CollectionModel, update: unknown): CollectionSettings {
  const config = object(update, 'configuration');
  const hnswIn = config['hnsw'];
  const spannIn = config['spann'];
  if (present(hnswIn) && present(spannIn))
    throw invalidArgument('Multiple vector index configurations provided');
  if (present(spannIn))
    checkFields(object(spannIn, 'configuration.spann'), ['search_nprobe', 'ef_search'], 'spann');
  const schema = structuredClone(collectionSchema(current));
  const vectorConfigs = [
    schema.defaults.float_list?.vector_index?.config,
    schema.keys[EMBEDDING_KEY]?.float_list?.vector_index?.config,
  ].filter((c) => c !== undefined);
  if (present(hnswIn)) {
    const hnsw = hnswFields(object(hnswIn, 'configuration.hnsw'), UPDATABLE_HNSW_FIELDS, true);
    if (hnsw.max_neighbors !== undefined && hnsw.max_neighbors !== current.hnsw.maxNeighbors) {
      throw invalidArgument(
        'HNSW configuration "max_neighbors" cannot be changed after a collection is created',
      );
    }
    for (const c of vectorConfigs) if (c.hnsw) Object.assign(c.hnsw, hnsw);
  }
  if (present(config['embedding_function'])) {
    const ef = parseEmbeddingFunction(config['embedding_function'], 'configuration.embedding_function');
    for (const c of vectorConfigs) c.embedding_function = ef;
  }
  return toCollectionSettings(schema);
}

/** A collection's `configuration_json`, also for collections stored before it carried every key. */
export function collectionConfiguration(model: CollectionModel): Record<string, unknown> {
  return configurationJson(storedSettings(model));
}

/** A collection's schema; collections stored before schemas existed get the one their configuration implies. */
export function collectionSchema(model: CollectionModel): Schema {
  return model.schema ?? schemaOf(storedSettings(model));
}

function toCollectionSettings(schema: Schema): CollectionSettings {
  const settings = settingsFromSchema(schema);
  const { hnsw } = settings;
  checkRange('ef_construction', hnsw.ef_construction, 1);
  checkRange('max_neighbors', hnsw.max_neighbors, 1);
  checkRange('ef_search', hnsw.ef_search, 0);
  return {
    hnsw: {
      space: settings.space,
      efConstruction: hnsw.ef_construction,
      efSearch: hnsw.ef_search,
      maxNeighbors: hnsw.max_neighbors,
    },
    configuration: configurationJson(settings),
    schema,
  };
}

function settingsFromConfiguration(configuration: unknown, metadata: Metadata | null): IndexSettings {
  const config = object(configuration, 'configuration');
  const hnswIn = config['hnsw'];
  const spannIn = config['spann'];
  const embeddingFunction = present(config['embedding_function'])
    ? parseEmbeddingFunction(config['embedding_function'], 'configuration.embedding_function')
    : null;
  if (present(hnswIn) && present(spannIn))
    throw invalidArgument('Multiple vector index configurations provided');
  if (present(spannIn)) {
    const spann = object(spannIn, 'configuration.spann');
    checkFields(spann, SPANN_FIELDS, 'spann');
    const space = present(spann['space']) ? parseSpace(spann['space'], 'configuration.spann.space') : 'l2';
    return { ...defaultSettings(), space, embeddingFunction };
  }
  const hnsw = present(hnswIn) ? object(hnswIn, 'configuration.hnsw') : {};
  const given: IndexSettings = {
    space: present(hnsw['space']) ? parseSpace(hnsw['space'], 'configuration.hnsw.space') : 'l2',
    hnsw: { ...defaultHnswIndexConfig(), ...hnswFields(hnsw, [...HNSW_FIELDS, 'resize_factor'], false) },
    embeddingFunction,
  };
  const legacy = legacySettings(metadata);
  return sameIndex(given, defaultSettings()) && legacy ? { ...legacy, embeddingFunction } : given;
}

/** The settings the legacy `hnsw:*` metadata keys ask for, or null when it has none. */
function legacySettings(metadata: Metadata | null): IndexSettings | null {
  if (!metadata || !Object.keys(metadata).some((key) => key.startsWith('hnsw:'))) return null;
  const settings = defaultSettings();
  try {
    if (metadata['hnsw:space'] !== undefined)
      settings.space = parseSpace(metadata['hnsw:space'], 'hnsw:space');
    for (const [key, field] of Object.entries(LEGACY_KEYS)) {
      const value = metadata[key];
      if (value === undefined) continue;
      if (field === 'resize_factor') {
        if (typeof value !== 'number') throw invalidArgument(`${key} must be a number`);
        settings.hnsw.resize_factor = value;
      } else settings.hnsw[field] = parseCount(value, key);
    }
    if (settings.hnsw.batch_size < 2 || settings.hnsw.sync_threshold < 2) {
      throw invalidArgument('hnsw:batch_size and hnsw:sync_threshold must be at least 2');
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalidArgument(`Failed to parse hnsw parameters from collection metadata: ${reason}`, err);
  }
  return settings;
}

function settingsFromSchema(schema: Schema): IndexSettings {
  const config = embeddingVectorConfig(schema);
  return {
    space: config.space ?? 'l2',
    hnsw: { ...defaultHnswIndexConfig(), ...config.hnsw },
    embeddingFunction: config.embedding_function ?? null,
  };
}

/** Settings of a stored collection: its schema when it has one, else its HNSW row and configuration. */
function storedSettings(model: CollectionModel): IndexSettings {
  if (model.schema) return settingsFromSchema(model.schema);
  const stored = isPlainObject(model.configuration['hnsw']) ? model.configuration['hnsw'] : {};
  const ef = model.configuration['embedding_function'];
  const known = HNSW_FIELDS.filter((f) => typeof stored[f] === 'number').map((f) => [f, stored[f]]);
  return {
    space: model.hnsw.space,
    hnsw: {
      ...defaultHnswIndexConfig(),
      ...(Object.fromEntries(known) as HnswIndexConfig),
      ...(typeof stored['resize_factor'] === 'number' ? { resize_factor: stored['resize_factor'] } : {}),
      ef_construction: model.hnsw.efConstruction,
      ef_search: model.hnsw.efSearch,
      max_neighbors: model.hnsw.maxNeighbors,
    },
    embeddingFunction:
      isPlainObject(ef) && typeof ef['type'] === 'string' ? (ef as EmbeddingFunctionConfig) : null,
  };
}

function schemaOf(settings: IndexSettings): Schema {
  return schemaFor(settings.space, settings.hnsw, settings.embeddingFunction);
}

function configurationJson(settings: IndexSettings): Record<string, unknown> {
  const { hnsw } = settings;
  return {
    hnsw: {
      space: settings.space,
      ef_construction: hnsw.ef_construction,
      ef_search: hnsw.ef_search,
      max_neighbors: hnsw.max_neighbors,
      resize_factor: hnsw.resize_factor,
      sync_threshold: hnsw.sync_threshold,
    },
    spann: null,
    embedding_function: settings.embeddingFunction,
  };
}

function defaultSettings(): IndexSettings {
  return { space: 'l2', hnsw: defaultHnswIndexConfig(), embeddingFunction: null };
}

function isDefaultSettings(settings: IndexSettings): boolean {
  return isDefaultEmbeddingFunction(settings.embeddingFunction) && sameIndex(settings, defaultSettings());
}

function sameIndex(a: IndexSettings, b: IndexSettings): boolean {
  return (
    a.space === b.space &&
    HNSW_FIELDS.concat('resize_factor').every((f) => a.hnsw[f as 'ef_search'] === b.hnsw[f as 'ef_search'])
  );
}

function hnswFields(hnsw: Record<string, unknown>, allowed: string[], updating: boolean): HnswIndexConfig {
  const out: HnswIndexConfig = {};
  for (const [field, value] of Object.entries(hnsw)) {
    if (field === 'space' && !updating) continue;
    if (!allowed.includes(field)) {
      throw invalidArgument(
        updating
          ? `HNSW configuration "${field}" cannot be changed after a collection is created`
          : `Unknown HNSW configuration key "${field}"`,
      );
    }
    if (!present(value)) continue;
    if (field === 'resize_factor') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalidArgument('HNSW parameter "resize_factor" must be a number');
      }
      out.resize_factor = value;
    } else out[field as 'ef_search'] = parseCount(value, `HNSW parameter "${field}"`);
  }
  return out;
}

function checkFields(config: Record<string, unknown>, allowed: string[], what: string): void {
  const unknown = Object.keys(config).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw invalidArgument(`Unknown ${what} configuration key "${unknown}"`);
}

function checkRange(name: string, value: number, min: number): void {
  if (value < min || value > MAX_HNSW_INT) {
    throw invalidArgument(`HNSW parameter "${name}" must be an integer from ${min} to ${MAX_HNSW_INT}`);
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidArgument(`${what} must be an object`);
  return value;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** True for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
