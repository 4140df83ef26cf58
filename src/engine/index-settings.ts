/** The vector index settings a collection's configuration, legacy metadata or schema decide, and their wire forms. */
import {
  defaultHnswIndexConfig,
  embeddingVectorConfig,
  isDefaultEmbeddingFunction,
  schemaFor,
  type EmbeddingFunctionConfig,
  type HnswIndexConfig,
  type Schema,
} from './collection-schema.js';
import { invalidArgument } from './errors.js';
import { parseCount, parseEmbeddingFunction, parseSpace } from './parse-schema.js';
import type { CollectionModel, Metadata, Space } from './types.js';

const HNSW_FIELDS = [
  'ef_construction',
  'max_neighbors',
  'ef_search',
  'num_threads',
  'batch_size',
  'sync_threshold',
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

/** The vector index settings behind all three forms. */
export interface IndexSettings {
  space: Space;
  hnsw: Required<HnswIndexConfig>;
  embeddingFunction: EmbeddingFunctionConfig | null;
}

/**
 * The settings a create body's `configuration` asks for; the legacy `hnsw:*` metadata keys decide when its HNSW
 * part is all defaults (Chroma's `try_from_config`), and `spann` contributes only its space.
 */
export function settingsFromConfiguration(configuration: unknown, metadata: Metadata | null): IndexSettings {
  const config = requireObject(configuration, 'configuration');
  const hnswIn = config['hnsw'];
  const spannIn = config['spann'];
  const embeddingFunction = present(config['embedding_function'])
    ? parseEmbeddingFunction(config['embedding_function'], 'configuration.embedding_function')
    : null;
  if (present(hnswIn) && present(spannIn))
    throw invalidArgument('Multiple vector index configurations provided');
  if (present(spannIn)) {
    const spann = requireObject(spannIn, 'configuration.spann');
    checkFields(spann, SPANN_FIELDS, 'spann');
    const space = present(spann['space']) ? parseSpace(spann['space'], 'configuration.spann.space') : 'l2';
    return { ...defaultSettings(), space, embeddingFunction };
  }
  const hnsw = present(hnswIn) ? requireObject(hnswIn, 'configuration.hnsw') : {};
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

/** The settings a schema fixes: its `#embedding` vector index config, else its defaults'. */
export function settingsFromSchema(schema: Schema): IndexSettings {
  const config = embeddingVectorConfig(schema);
  return {
    space: config.space ?? 'l2',
    hnsw: { ...defaultHnswIndexConfig(), ...config.hnsw },
    embeddingFunction: config.embedding_function ?? null,
  };
}

/** Settings of a stored collection: its schema when it has one, else its HNSW row and configuration. */
export function storedSettings(model: CollectionModel): IndexSettings {
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

/** The schema Chroma derives from these settings. */
export function schemaOf(settings: IndexSettings): Schema {
  return schemaFor(settings.space, settings.hnsw, settings.embeddingFunction);
}

/** Chroma's `configuration_json` for these settings. */
export function configurationJson(settings: IndexSettings): Record<string, unknown> {
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

/** Chroma's default settings: l2, the default HNSW parameters, no embedding function. */
export function defaultSettings(): IndexSettings {
  return { space: 'l2', hnsw: defaultHnswIndexConfig(), embeddingFunction: null };
}

/** True when the settings ask for nothing but the defaults (Chroma's `is_default` of a configuration). */
export function isDefaultSettings(settings: IndexSettings): boolean {
  return isDefaultEmbeddingFunction(settings.embeddingFunction) && sameIndex(settings, defaultSettings());
}

function sameIndex(a: IndexSettings, b: IndexSettings): boolean {
  return (
    a.space === b.space &&
    HNSW_FIELDS.concat('resize_factor').every((f) => a.hnsw[f as 'ef_search'] === b.hnsw[f as 'ef_search'])
  );
}

/** Reads HNSW fields (`space` is skipped on create), rejecting those not `allowed`. */
export function hnswFields(
  hnsw: Record<string, unknown>,
  allowed: string[],
  updating: boolean,
): HnswIndexConfig {
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

/** Rejects keys outside `allowed`. */
export function checkFields(config: Record<string, unknown>, allowed: string[], what: string): void {
  const unknown = Object.keys(config).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw invalidArgument(`Unknown ${what} configuration key "${unknown}"`);
}

/** The value as an object, else INVALID_ARGUMENT naming `what`. */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidArgument(`${what} must be an object`);
  return value;
}

/** True for a value that is neither undefined nor null. */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** True for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
