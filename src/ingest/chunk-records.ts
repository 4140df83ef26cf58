/** A file's chunks as records: stable ids and the citation metadata sync owns. */
import type { Metadata } from '../engine/types.js';
import type { Chunk } from './chunk.js';
import type { ParsedDocument } from './markdown.js';
import { pageAt } from './parse-document.js';

/** Metadata keys sync owns; frontmatter fields of the same name are overridden. */
export const RESERVED_KEYS = [
  'source',
  'title',
  'heading',
  'heading_path',
  'anchor',
  'headings',
  'anchors',
  'start_line',
  'end_line',
  'page',
  'page_end',
  'file_hash',
  'chunk_index',
  'chunk_count',
] as const;

/** A chunk as it is stored: id, embedded text and citation metadata. */
export interface ChunkRecord {
  id: string;
  document: string;
  metadata: Metadata;
}

/** The chunk's stable id: the source path and the chunk's position in it. */
export function chunkId(source: string, index: number): string {
  return `${source}#${index}`;
}

/**
 * The records of a file's chunks: frontmatter plus the keys sync owns ({@link RESERVED_KEYS}).
 *
 * @remarks Chunks of paged documents (PDF) carry `page` and `page_end`, and their anchor is the `page=N` fragment
 * PDF viewers open; chunks of converted documents carry no line numbers, which would be those of the Markdown made
 * from the file rather than the file's own.
 */
export function toRecords(source: string, hash: string, doc: ParsedDocument, chunks: Chunk[]): ChunkRecord[] {
  return chunks.map((chunk) => ({
    id: chunkId(source, chunk.index),
    document: chunk.text,
    metadata: {
      ...doc.frontmatter,
      source,
      title: doc.title,
      heading: chunk.heading,
      heading_path: chunk.headingPath.join(' > '),
      anchor: chunk.anchor,
      ...coveredHeadings(chunk),
      ...(doc.sourceLines === false ? {} : { start_line: chunk.startLine, end_line: chunk.endLine }),
      ...(doc.pageStarts ? pages(doc.pageStarts, chunk) : {}),
      file_hash: hash,
      chunk_index: chunk.index,
      chunk_count: chunks.length,
    },
  }));
}

/** `page`, `page_end` and the `page=N` anchor of a chunk of a paged document. */
function pages(pageStarts: readonly number[], chunk: Chunk): Metadata {
  const page = pageAt(pageStarts, chunk.startLine);
  return { anchor: `page=${page}`, page, page_end: pageAt(pageStarts, chunk.endLine) };
}

/** `headings` and `anchors`: every section the chunk covers (several when small sections were merged), for citing. */
function coveredHeadings(chunk: Chunk): Metadata {
  const sections = chunk.sections.filter((section) => section.heading !== '');
  if (sections.length === 0) return {};
  return { headings: sections.map((s) => s.heading), anchors: sections.map((s) => s.anchor) };
}
