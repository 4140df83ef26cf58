/** The metadata keys of a collection's schema: learned from written records, and checked by filters, as in Chroma. */
import type { IndexType, Schema, ValueTypes } from './collection-schema.js';
import { DOCUMENT_KEY } from './collection-schema.js';
import { invalidArgument } from './errors.js';
import type { RecordFilter } from './ports.js';
import type { Metadata, MetadataScalar, Where } from './types.js';

/** The schema value type of a metadata scalar, its inverted index, and Chroma's name for it in messages. */
type ScalarType = { type: 'string' | 'int' | 'float' | 'bool'; index: string; label: string };

const STRING: ScalarType = { type: 'string', index: 'string_inverted_index', label: 'Str' };
const INT: ScalarType = { type: 'int', index: 'int_inverted_index', label: 'Int' };
const FLOAT: ScalarType = { type: 'float', index: 'float_inverted_index', label: 'Float' };
const BOOL: ScalarType = { type: 'bool', index: 'bool_inverted_index', label: 'Bool' };

/**
 * Most metadata keys a collection's schema learns (with its defaults' few): every write reads the schema, so its
 * size is a cost every later write pays.
 */
export const MAX_SCHEMA_KEYS = 4_096;

/** Keys Chroma keeps out of the schema. */
const RESERVED_PREFIX = 'chroma:';

/**
 * The schema after records with these metadatas were written, or null when it already knows every key and type.
 *
 * @remarks Chroma's `ensure_key_from_metadata`: a key seen with a value type its entry lacks gets the defaults'
 * indexes for that type (a list counts as its elements' type). JSON cannot tell `1.0` from `1`: whole numbers are
 * integers here.
 */
export function learnMetadataKeys(schema: Schema, metadatas: readonly (Metadata | null)[]): Schema | null {
  let next: Schema | null = null;
  for (const metadata of metadatas) {
    for (const [key, value] of Object.entries(metadata ?? {})) {
      if (key.startsWith(RESERVED_PREFIX)) continue;
      const { type } = typeOf(Array.isArray(value) ? value : [value]);
      const known = ownEntry((next ?? schema).keys, key);
      if (known?.[type]) continue;
      next ??= structuredClone(schema);
      if (!Object.hasOwn(next.keys, key)) {
        if (Object.keys(next.keys).length >= MAX_SCHEMA_KEYS) {
          throw invalidArgument(
            `The collection already has ${MAX_SCHEMA_KEYS} metadata keys, the limit; "${key}" would be one more`,
          );
        }
        next.keys[key] = {};
      }
      const entry = next.keys[key] as Record<string, unknown>;
      entry[type] = structuredClone(next.defaults[type]);
    }
  }
  return next;
}

/**
 * Throws INVALID_ARGUMENT when a filter needs an index the schema disables: an inverted index of a metadata key
 * and value type, or the full-text index for document tests.
 */
export function checkFilterIndexes(schema: Schema, filter: RecordFilter): void {
  if (filter.whereDocument) checkFullText(schema);
  if (filter.where) checkWhere(schema, filter.where);
}

function checkWhere(schema: Schema, where: Where): void {
  switch (where.kind) {
    case 'and':
    case 'or':
      for (const child of where.children) checkWhere(schema, child);
      return;
    case 'document':
      checkFullText(schema);
      return;
    case 'in':
      checkKey(schema, where.key, typeOf(where.values));
      return;
    case 'compare':
    case 'contains':
      checkKey(schema, where.key, typeOf([where.value]));
  }
}

function checkKey(schema: Schema, key: string, scalar: ScalarType): void {
  const index = (types: ValueTypes | undefined): IndexType<object> | undefined =>
    (types?.[scalar.type] as Record<string, IndexType<object>> | undefined)?.[scalar.index];
  const found = index(ownEntry(schema.keys, key)) ?? index(schema.defaults);
  if (found && !found.enabled) {
    throw invalidArgument(
      `Cannot filter using metadata key '${key}' with type '${scalar.label}' because indexing is disabled`,
    );
  }
}

function checkFullText(schema: Schema): void {
  const fts = schema.keys[DOCUMENT_KEY]?.string?.fts_index ?? schema.defaults.string?.fts_index;
  if (fts && !fts.enabled) {
    throw invalidArgument('Cannot filter using full-text search because FTS indexing is disabled');
  }
}

function typeOf(values: readonly MetadataScalar[]): ScalarType {
  const first = values[0];
  if (typeof first === 'string') return STRING;
  if (typeof first === 'boolean') return BOOL;
  return values.every((v) => Number.isInteger(v)) ? INT : FLOAT;
}

/** The schema entry of a key the schema itself holds (never one inherited from `Object.prototype`). */
function ownEntry(keys: Schema['keys'], key: string): ValueTypes | undefined {
  return Object.hasOwn(keys, key) ? keys[key] : undefined;
}
