/** Validation of record arguments: the engine's guard against anything a caller can pass. */
import { isPlainObject } from './collection-config.js';
import { invalidArgument } from './errors.js';
import { isUnsafeKey } from './object-keys.js';
import type { EmbeddingLike } from './inputs.js';
import type { Include, Metadata, MetadataScalar, MetadataValue, UpdateMetadata } from './types.js';

/** Most records one write call may carry. */
export const MAX_BATCH_SIZE = 100_000;
/** Largest vector dimension accepted. */
export const MAX_DIMENSION = 65_536;
/** Longest id accepted. */
export const MAX_ID_LENGTH = 4_096;
/**
 * Longest document accepted, in UTF-16 code units: the lexical index analyzes about a million characters a second
 * on the event loop, so one document costs at most about a quarter of a second.
 */
export const MAX_DOCUMENT_LENGTH = 262_144;
/** Most metadata keys of one record (or collection): each is a row of the metadata index. */
export const MAX_METADATA_KEYS = 1_024;
/** Most metadata values of one record, every element of a list counted: each is a row of the metadata index. */
export const MAX_METADATA_VALUES = 4_096;
/** Longest metadata key and longest string metadata value, in UTF-16 code units. */
export const MAX_METADATA_KEY_LENGTH = 1_024;
export const MAX_METADATA_STRING_LENGTH = 65_536;

const INCLUDES: readonly Include[] = ['documents', 'embeddings', 'metadatas', 'distances', 'uris'];

/** Validates a list of ids (possibly empty): non-empty strings, no duplicates, within the batch limit. */
export function validateIds(ids: unknown, what = 'ids'): string[] {
  if (!Array.isArray(ids)) throw invalidArgument(`${what} must be an array of strings`);
  if (ids.length > MAX_BATCH_SIZE)
    throw invalidArgument(`${what} has ${ids.length} items; the limit is ${MAX_BATCH_SIZE}`);
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
      throw invalidArgument(`Every id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
    }
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  if (duplicates.size > 0) {
    const list = [...duplicates].slice(0, 10).join(', ');
    throw invalidArgument(`Expected IDs to be unique, found duplicates of: ${list}`);
  }
  return ids as string[];
}

/** Checks that an optional parallel array has one entry per id. */
export function checkLength(
  name: string,
  values: readonly unknown[] | null | undefined,
  count: number,
): void {
  if (values === null || values === undefined) return;
  if (!Array.isArray(values)) throw invalidArgument(`${name} must be an array`);
  if (values.length !== count) {
    throw invalidArgument(`Expected ${name} to have ${count} items (one per id), got ${values.length}`);
  }
}

/**
 * Converts embeddings to Float32Array, checking numbers, finiteness and one shared dimension.
 *
 * @remarks The vectors are copies (callers may reuse what they passed), views of one block allocated for the whole
 * batch: thousands of small buffers would fragment the native heap that backs them.
 */
export function validateEmbeddings(
  embeddings: readonly unknown[],
  expectedDim: number | null,
): Float32Array[] {
  let dim = expectedDim;
  embeddings.forEach((raw, i) => {
    const length = checkVector(raw, i);
    if (length === 0 || length > MAX_DIMENSION) {
      throw invalidArgument(`Embedding ${i} has ${length} dimensions; expected 1 to ${MAX_DIMENSION}`);
    }
    if (dim === null) dim = length;
    else if (length !== dim) {
      throw invalidArgument(`Embedding dimension ${length} does not match collection dimensionality ${dim}`);
    }
  });
  const width = dim ?? 0;
  const block = new Float32Array(embeddings.length * width);
  return embeddings.map((raw, i) => {
    const vector = block.subarray(i * width, (i + 1) * width);
    vector.set(raw as EmbeddingLike);
    return vector;
  });
}

/** Checks one embedding's type and values (numbers, finite, within float32 range); returns its length. */
function checkVector(raw: unknown, index: number): number {
  if (!(raw instanceof Float32Array) && !Array.isArray(raw)) {
    throw invalidArgument(`Embedding ${index} must be an array of numbers`);
  }
  const values = raw as EmbeddingLike;
  for (let j = 0; j < values.length; j++) {
    const x = values[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw invalidArgument(`Embedding ${index} has a non-finite or non-numeric value at position ${j}`);
    }
    if (!Number.isFinite(Math.fround(x)))
      throw invalidArgument(`Embedding ${index} has a value out of float32 range at ${j}`);
  }
  return values.length;
}

/** Validates one record's metadata; `{}` becomes null, as Chroma stores it. */
export function validateMetadata(metadata: unknown, index: number): Metadata | null {
  if (metadata === null || metadata === undefined) return null;
  const out = validateMetadataObject(metadata, `metadatas[${index}]`, false) as Metadata;
  return Object.keys(out).length === 0 ? null : out;
}

/** Validates the metadata of an update or upsert, where a null value removes the key. */
export function validateUpdateMetadata(metadata: unknown, index: number): UpdateMetadata | null {
  if (metadata === null || metadata === undefined) return null;
  return validateMetadataObject(metadata, `metadatas[${index}]`, true);
}

/**
 * Validates collection metadata (same value rules as records); `{}` is rejected, as Chroma rejects it.
 *
 * @remarks Arrays are accepted, as on records (Chroma 1.x drops the connection on them: a panic).
 */
export function validateCollectionMetadata(metadata: unknown): Metadata | null {
  if (metadata === null || metadata === undefined) return null;
  if (isPlainObject(metadata) && Object.keys(metadata).length === 0) {
    throw invalidArgument('Collection metadata cannot be empty');
  }
  const out = validateMetadataObject(metadata, 'collection metadata', false) as Metadata;
  return Object.keys(out).length === 0 ? null : out;
}

/**
 * Validates a metadata map; with `allowNull` (update, upsert) a null value is kept to remove its key.
 *
 * @remarks An empty list has no element type to store: as in Chroma it is dropped, and in an update or upsert it
 * removes the key, like null.
 */
function validateMetadataObject(metadata: unknown, where: string, allowNull: boolean): UpdateMetadata {
  if (!isPlainObject(metadata)) throw invalidArgument(`${where} must be an object`);
  const keys = Object.keys(metadata);
  if (keys.length > MAX_METADATA_KEYS) {
    throw invalidArgument(`${where} has ${keys.length} keys; the limit is ${MAX_METADATA_KEYS}`);
  }
  const out: UpdateMetadata = {};
  let values = 0;
  for (const key of keys) {
    const value = metadata[key];
    checkMetadataKey(key, where);
    values += Array.isArray(value) ? value.length : 1;
    if (values > MAX_METADATA_VALUES) {
      throw invalidArgument(
        `${where} has more than ${MAX_METADATA_VALUES} values (list elements count each)`,
      );
    }
    const empty = value === null || (Array.isArray(value) && value.length === 0);
    if (empty && allowNull) out[key] = null;
    else if (Array.isArray(value) && value.length === 0) continue;
    else out[key] = validateMetadataValue(value, `${where}.${key}`);
  }
  return out;
}

/**
 * Refuses empty keys, keys of operators (`#`, `$`), keys too long, and the {@link isUnsafeKey} keys (`__proto__`,
 * `constructor`, `prototype`), which a JavaScript object would drop or misread: filters refuse them as well.
 */
function checkMetadataKey(key: string, where: string): void {
  if (key.length === 0) throw invalidArgument(`${where} has an empty key`);
  if (key.startsWith('#') || key.startsWith('$')) {
    throw invalidArgument(`${where}: metadata key cannot start with '#' or '$': ${key}`);
  }
  if (key.length > MAX_METADATA_KEY_LENGTH) {
    throw invalidArgument(
      `${where} has a key of ${key.length} characters; the limit is ${MAX_METADATA_KEY_LENGTH}`,
    );
  }
  if (isUnsafeKey(key)) throw invalidArgument(`${where}: "${key}" cannot be a metadata key`);
}

function validateMetadataValue(value: unknown, where: string): MetadataValue {
  if (isScalar(value)) return checkString(value, where);
  if (Array.isArray(value)) {
    const kind = scalarKind(value[0]);
    for (const item of value) {
      if (!isScalar(item) || scalarKind(item) !== kind) {
        throw invalidArgument(`${where}: metadata arrays must hold scalars of one type`);
      }
      checkString(item, where);
    }
    return value as MetadataScalar[];
  }
  throw invalidArgument(
    `${where}: metadata values must be a string, number, boolean or an array of one of those, got ${describe(value)}`,
  );
}

function checkString(value: MetadataScalar, where: string): MetadataScalar {
  if (typeof value === 'string' && value.length > MAX_METADATA_STRING_LENGTH) {
    throw invalidArgument(
      `${where}: a metadata string of ${value.length} characters; the limit is ${MAX_METADATA_STRING_LENGTH}`,
    );
  }
  return value;
}

function isScalar(value: unknown): value is MetadataScalar {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function scalarKind(value: unknown): string {
  return typeof value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/** Validates an optional document or uri entry; documents longer than {@link MAX_DOCUMENT_LENGTH} are refused. */
export function validateOptionalString(value: unknown, name: string, index: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw invalidArgument(`${name}[${index}] must be a string or null`);
  if (value.length > MAX_DOCUMENT_LENGTH) {
    throw invalidArgument(
      `${name}[${index}] has ${value.length} characters; the limit is ${MAX_DOCUMENT_LENGTH} (split it into chunks)`,
    );
  }
  return value;
}

/**
 * Validates an `include` list against the allowed fields.
 *
 * @remarks `distances` is accepted on `get` too, as Chroma accepts it there; it echoes in `include` and adds no field.
 */
export function validateInclude(include: unknown, fallback: Include[]): Include[] {
  if (include === undefined || include === null) return fallback;
  if (!Array.isArray(include)) throw invalidArgument('include must be an array');
  for (const item of include) {
    if (!INCLUDES.includes(item as Include))
      throw invalidArgument(`Invalid include item ${JSON.stringify(item)}`);
  }
  return [...new Set(include as Include[])];
}

/** Validates an optional non-negative integer (limit, offset). */
export function validateCount(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(`${name} must be an integer >= ${min}`);
  }
  return value;
}
