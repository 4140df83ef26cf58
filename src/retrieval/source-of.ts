/** Citations: where a passage comes from, read from the chunk metadata the ingester writes. */
import type { Metadata, MetadataValue } from '../engine/types.js';
import type { SearchSource } from './hybrid-search.js';

/**
 * Reads a passage's source from its metadata (`source`, `title`, `heading`, `heading_path`, `anchor`,
 * `start_line`, `end_line`, and `page` for PDFs); every field missing or of the wrong type becomes null (`page` is
 * left out).
 *
 * @remarks `heading` falls back to the last entry of `heading_path` (an array, or a string joined with ` > `).
 */
export function sourceOf(metadata: Metadata | null): SearchSource {
  const m = metadata ?? {};
  const start = positiveInt(m.start_line);
  const end = positiveInt(m.end_line);
  const page = positiveInt(m.page);
  return {
    path: text(m.source),
    title: text(m.title),
    heading: text(m.heading) ?? lastHeading(m.heading_path),
    anchor: text(m.anchor),
    lines: start !== null && end !== null && end >= start ? [start, end] : null,
    ...(page !== null ? { page } : {}),
  };
}

function text(value: MetadataValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function positiveInt(value: MetadataValue | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : null;
}

function lastHeading(path: MetadataValue | undefined): string | null {
  if (Array.isArray(path)) return text(path.at(-1));
  const joined = text(path);
  return joined === null ? null : text(joined.split(' > ').at(-1)?.trim());
}
