/** Collection configuration: HNSW parameters from `configuration.hnsw` or the legacy `hnsw:*` metadata keys. */
import { invalidArgument } from './errors.js';
import type { HnswParams, Metadata, Space } from './types.js';

/** Chroma's defaults for a new collection. */
export const DEFAULT_HNSW: Readonly<HnswParams> = Object.freeze({
  space: 'l2',
  efConstruction: 100,
  efSearch: 100,
  maxNeighbors: 16,
});

const SPACES: readonly Space[] = ['l2', 'ip', 'cosine'];
/** Upper bound for ef and M values: beyond this hnswlib only burns memory. */
const MAX_HNSW_INT = 100_000;

const CREATE_KEYS = new Set([
  'space',
  'ef_construction',
  'ef_search',
  'max_neighbors',
  'num_threads',
  'batch_size',
  'sync_threshold',
  'resize_factor',
]);
const MODIFIABLE_KEYS = new Set([
  'ef_search',
  'num_threads',
  'batch_size',
  'sync_threshold',
  'resize_factor',
]);

/** The resolved parameters and the configuration to store (as sent, with `hnsw` filled in). */
export interface ResolvedConfiguration {
  hnsw: HnswParams;
  configuration: Record<string, unknown>;
}

/**
 * Resolves HNSW parameters for a new collection.
 *
 * @remarks
 * `configuration.hnsw` wins over the legacy metadata keys `hnsw:space`, `hnsw:M`, `hnsw:construction_ef`,
 * `hnsw:search_ef`, which win over the defaults.
 */
export function resolveConfiguration(
  configuration: Record<string, unknown> | null | undefined,
  metadata: Metadata | null | undefined,
): ResolvedConfiguration {
  const config = configuration ?? {};
  if (!isPlainObject(config)) throw invalidArgument('configuration must be an object');
  const hnswIn = config['hnsw'] ?? {};
  if (!isPlainObject(hnswIn)) throw invalidArgument('configuration.hnsw must be an object');
  for (const key of Object.keys(hnswIn)) {
    if (!CREATE_KEYS.has(key)) throw invalidArgument(`Unknown HNSW configuration key "${key}"`);
  }
  const legacy = legacyParams(metadata ?? null);
  const hnsw: HnswParams = {
    space: pickSpace(hnswIn['space'], legacy.space),
    efConstruction: pickInt('ef_construction', hnswIn['ef_construction'], legacy.efConstruction),
    efSearch: pickInt('ef_search', hnswIn['ef_search'], legacy.efSearch),
    maxNeighbors: pickInt('max_neighbors', hnswIn['max_neighbors'], legacy.maxNeighbors),
  };
  validateOptionalNumbers(hnswIn);
  return { hnsw, configuration: { ...config, hnsw: { ...stripNulls(hnswIn), ...toWire(hnsw) } } };
}

/**
 * Applies a `modify` configuration: only `ef_search` (and tuning knobs kbgate stores but does not need) may change.
 */
export function applyConfigurationUpdate(
  current: ResolvedConfiguration,
  update: Record<string, unknown>,
): ResolvedConfiguration {
  if (!isPlainObject(update)) throw invalidArgument('configuration must be an object');
  const hnswIn = update['hnsw'];
  if (hnswIn === undefined || hnswIn === null) {
    const { hnsw: _ignored, ...rest } = update;
    return { hnsw: current.hnsw, configuration: { ...current.configuration, ...rest } };
  }
  if (!isPlainObject(hnswIn)) throw invalidArgument('configuration.hnsw must be an object');
  for (const key of Object.keys(hnswIn)) {
    if (hnswIn[key] === null || hnswIn[key] === undefined) continue;
    if (!MODIFIABLE_KEYS.has(key)) {
      throw invalidArgument(`HNSW configuration "${key}" cannot be changed after a collection is created`);
    }
  }
  validateOptionalNumbers(hnswIn);
  const hnsw = {
    ...current.hnsw,
    efSearch: pickInt('ef_search', hnswIn['ef_search'], current.hnsw.efSearch),
  };
  const previous = isPlainObject(current.configuration['hnsw']) ? current.configuration['hnsw'] : {};
  const configuration = {
    ...current.configuration,
    ...update,
    hnsw: { ...previous, ...stripNulls(hnswIn), ...toWire(hnsw) },
  };
  return { hnsw, configuration };
}

/** Rejects a metadata change that would alter the distance space of an existing collection. */
export function assertSpaceUnchanged(current: HnswParams, metadata: Metadata | null | undefined): void {
  const space = metadata?.['hnsw:space'];
  if (space !== undefined && space !== current.space) {
    throw invalidArgument('Changing the distance space of an existing collection is not supported');
  }
}

/** HNSW parameters in Chroma's wire spelling. */
export function toWire(hnsw: HnswParams): Record<string, unknown> {
  return {
    space: hnsw.space,
    ef_construction: hnsw.efConstruction,
    ef_search: hnsw.efSearch,
    max_neighbors: hnsw.maxNeighbors,
  };
}

function legacyParams(metadata: Metadata | null): HnswParams {
  return {
    space: pickSpace(metadata?.['hnsw:space'], DEFAULT_HNSW.space),
    efConstruction: pickInt(
      'hnsw:construction_ef',
      metadata?.['hnsw:construction_ef'],
      DEFAULT_HNSW.efConstruction,
    ),
    efSearch: pickInt('hnsw:search_ef', metadata?.['hnsw:search_ef'], DEFAULT_HNSW.efSearch),
    maxNeighbors: pickInt('hnsw:M', metadata?.['hnsw:M'], DEFAULT_HNSW.maxNeighbors),
  };
}

function pickSpace(value: unknown, fallback: Space): Space {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (SPACES as readonly string[]).includes(value)) return value as Space;
  throw invalidArgument(`Unknown distance space ${JSON.stringify(value)}: expected one of l2, ip, cosine`);
}

function pickInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_HNSW_INT) {
    throw invalidArgument(`HNSW parameter "${name}" must be an integer from 1 to ${MAX_HNSW_INT}`);
  }
  return value;
}

function validateOptionalNumbers(hnsw: Record<string, unknown>): void {
  for (const key of ['num_threads', 'batch_size', 'sync_threshold']) {
    if (hnsw[key] !== undefined && hnsw[key] !== null) pickInt(key, hnsw[key], 1);
  }
  const resize = hnsw['resize_factor'];
  if (resize !== undefined && resize !== null) {
    if (typeof resize !== 'number' || !Number.isFinite(resize) || resize < 1 || resize > 100) {
      throw invalidArgument('HNSW parameter "resize_factor" must be a number from 1 to 100');
    }
  }
}

function stripNulls(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined));
}

/** True for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
