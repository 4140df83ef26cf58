/** A file's bytes to a parsed document, whatever its format: every format ends as the Markdown path's sections. */
import type { Metadata } from '../engine/types.js';
import type { ChunkOptions } from './chunk.js';
import type { ConvertedDocument } from './converted-document.js';
import type { DocumentConverter } from './document-converter.js';
import type { DocumentFormat } from './formats.js';
import type { IsolatedParser } from './isolated-parser.js';
import { parseMarkdown, type ParsedDocument } from './markdown.js';
import type { ParseOutcome } from './parse-job.js';

/**
 * Parses and chunks a file of any format.
 *
 * @remarks HTML, Word and PDF go to the converter's worker and come back as Markdown; then every format is decoded
 * (any encoding, see `decodeText`), parsed and chunked in the parser's worker, within its time and memory budget.
 * Converted documents are titled by the title they state reliably, else their first top-level heading, else the
 * title they declare, else the file name.
 */
export async function parseDocument(
  format: DocumentFormat,
  bytes: Buffer,
  source: string,
  workers: { converter: DocumentConverter; parser: IsolatedParser },
  chunking?: ChunkOptions,
): Promise<ParseOutcome> {
  if (format === 'markdown' || format === 'mdx' || format === 'text') {
    return workers.parser.parse({ kind: format, bytes, source, chunking });
  }
  const converted = await workers.converter.convert(format, bytes);
  if (!converted.ok) return converted;
  return workers.parser.parse({ kind: 'converted', converted: converted.document, source, chunking });
}

/** The parsed Markdown of a converted document, with its declared title and metadata, anchors and pages. */
export function fromConverted(converted: ConvertedDocument, source: string): ParsedDocument {
  const doc = parseMarkdown(converted.markdown, { fileName: source });
  const firstH1 = doc.sections.find((section) => section.depth === 1)?.heading;
  const metadata: Metadata = { ...converted.metadata };
  const headings = doc.sections.filter((section) => section.depth > 0);
  if (converted.headingAnchors?.length === headings.length)
    headings.forEach((section, i) => (section.anchor = converted.headingAnchors?.[i] ?? section.anchor));
  const pageStarts = converted.pageStarts ?? undefined;
  if (pageStarts)
    for (const section of headings) section.anchor = `page=${pageAt(pageStarts, section.startLine)}`;
  return {
    ...doc,
    title: converted.title || firstH1 || converted.fallbackTitle || doc.title,
    description: typeof metadata.description === 'string' ? metadata.description : null,
    tags: Array.isArray(metadata.tags) ? metadata.tags.filter((tag) => typeof tag === 'string') : [],
    frontmatter: metadata,
    pageStarts,
    sourceLines: false,
  };
}

/** The 1-based page that Markdown line `line` is on. */
export function pageAt(pageStarts: readonly number[], line: number): number {
  let page = 1;
  for (let i = 0; i < pageStarts.length; i++) if ((pageStarts[i] ?? Infinity) <= line) page = i + 1;
  return page;
}
