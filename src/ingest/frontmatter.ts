/** YAML frontmatter to flat metadata: scalars and same-typed scalar arrays kept, anything nested JSON-encoded. */
import { parseDocument } from 'yaml';
import { isUnsafeKey } from '../engine/object-keys.js';
import type { Metadata, MetadataScalar, MetadataValue } from '../engine/types.js';

/** Frontmatter fields the ingester understands, plus every field as flat metadata. */
export interface Frontmatter {
  title: string | null;
  description: string | null;
  tags: string[];
  metadata: Metadata;
}

/**
 * Parses YAML frontmatter; invalid YAML or a non-mapping is reported in `warnings` and yields no metadata.
 *
 * @remarks Nested objects and mixed arrays are kept as JSON strings; nulls, empty arrays and non-finite
 * numbers are dropped, since stored metadata must be flat.
 */
export function parseFrontmatter(yamlText: string | null, warnings: string[]): Frontmatter {
  const empty: Frontmatter = { title: null, description: null, tags: [], metadata: {} };
  if (yamlText === null || yamlText.trim() === '') return empty;
  const document = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: false });
  if (document.errors.length > 0) {
    warnings.push(`invalid YAML frontmatter: ${document.errors[0]?.message ?? 'parse error'}`);
    return empty;
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias bomb ("Excessive alias count") or a value too deep to build: the document is still read.
    warnings.push(`YAML frontmatter ignored: ${(error as Error).message}`);
    return empty;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    warnings.push('frontmatter is not a YAML mapping; ignored');
    return empty;
  }
  return fromMapping(data as Record<string, unknown>, warnings);
}

function fromMapping(data: Record<string, unknown>, warnings: string[]): Frontmatter {
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(data)) {
    if (isUnsafeKey(key)) {
      warnings.push(`frontmatter field "${key}" ignored: not allowed as a metadata key`);
      continue;
    }
    const flat = key === 'tags' ? toTags(value) : toMetadataValue(value);
    if (flat !== undefined) metadata[key] = flat;
  }
  const tags = Array.isArray(metadata.tags) ? (metadata.tags as string[]) : [];
  return {
    title: scalarText(data.title),
    description: scalarText(data.description),
    tags,
    metadata,
  };
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** Tags as a list of strings: a YAML list, or one comma-separated string. */
function toTags(value: unknown): string[] | undefined {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  const tags = raw
    .filter(isScalar)
    .map((tag) => String(tag).trim())
    .filter((tag) => tag !== '');
  return tags.length > 0 ? [...new Set(tags)] : undefined;
}

function toMetadataValue(value: unknown): MetadataValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return toScalarArray(value);
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

function toScalarArray(values: unknown[]): MetadataValue | undefined {
  if (values.length === 0) return undefined;
  const first = values[0];
  const sameType = values.every((item) => isScalar(item) && typeof item === typeof first);
  if (!sameType) return JSON.stringify(values);
  return values as MetadataScalar[];
}

function isScalar(value: unknown): value is MetadataScalar {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    typeof value === 'boolean'
  );
}
