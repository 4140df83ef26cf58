/** Collection configuration: `configuration`, `schema` and the legacy `hnsw:*` metadata, reconciled as Chroma 1.x does. */
import {
  checkSupported,
  EMBEDDING_KEY,
  isDefaultSchema,
  mergeWithDefaults,
  type Schema,
} from './collection-schema.js';
import { invalidArgument } from './errors.js';
import {
  checkFields,
  configurationJson,
  defaultSettings,
  hnswFields,
  isDefaultSettings,
  present,
  requireObject,
  schemaOf,
  settingsFromConfiguration,
  settingsFromSchema,
  storedSettings,
} from './index-settings.js';
import { parseEmbeddingFunction, parseSchema } from './parse-schema.js';
import type { CollectionModel, HnswParams, Metadata } from './types.js';

export { isPlainObject } from './index-settings.js';

/** Chroma's defaults for a new collection's index. */
export const DEFAULT_HNSW: Readonly<HnswParams> = Object.freeze({
  space: 'l2',
  efConstruction: 100,
  efSearch: 100,
  maxNeighbors: 16,
});

/** Upper bound for ef and M values: beyond this hnswlib only burns memory. */
const MAX_HNSW_INT = 100_000;
const UPDATABLE_HNSW_FIELDS = [
  'ef_search',
  'max_neighbors',
  'num_threads',
  'batch_size',
  'sync_threshold',
  'resize_factor',
];

/** What a collection's configuration decides, in every form kbgate keeps it. */
export interface CollectionSettings {
  /** The vector index parameters kbgate builds with. */
  hnsw: HnswParams;
  /** Chroma's `configuration_json`: `hnsw` (six keys), `spann: null`, `embedding_function`. */
  configuration: Record<string, unknown>;
  schema: Schema;
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
  const config = requireObject(update, 'configuration');
  const hnswIn = config['hnsw'];
  const spannIn = config['spann'];
  if (present(hnswIn) && present(spannIn)) {
    throw invalidArgument('Multiple vector index configurations provided');
  }
  if (present(spannIn)) {
    checkFields(requireObject(spannIn, 'configuration.spann'), ['search_nprobe', 'ef_search'], 'spann');
  }
  const schema = structuredClone(collectionSchema(current));
  const vectorConfigs = [
    schema.defaults.float_list?.vector_index?.config,
    schema.keys[EMBEDDING_KEY]?.float_list?.vector_index?.config,
  ].filter((c) => c !== undefined);
  if (present(hnswIn)) {
    const hnsw = hnswFields(requireObject(hnswIn, 'configuration.hnsw'), UPDATABLE_HNSW_FIELDS, true);
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

function checkRange(name: string, value: number, min: number): void {
  if (value < min || value > MAX_HNSW_INT) {
    throw invalidArgument(`HNSW parameter "${name}" must be an integer from ${min} to ${MAX_HNSW_INT}`);
  }
}
