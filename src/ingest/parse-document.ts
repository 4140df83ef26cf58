/** A file's bytes to a parsed document, whatever its format: every format ends as the Markdown path's sections. */
import type { Metadata } from '../engine/types.js';
import type { ConversionFailure, ConvertedDocument } from './converted-document.js';
import { decodeText, describeDecoding } from './decode-text.js';
import type { DocumentConverter } from './document-converter.js';
import type { DocumentFormat } from './formats.js';
import { parseMarkdown, type ParsedDocument } from './markdown.js';
import { parsePlainText } from './plain-text.js';

/** The outcome of {@link parseDocument}: the document and what is worth reporting, or why the file failed. */
export type ParseResult =
  | { ok: true; doc: ParsedDocument; warnings: string[] }
  | { ok: false; reason: ConversionFailure; message: string };

/**
 * Parses a file of any format.
 *
 * @remarks Markdown, MDX and plain text are decoded here (any encoding, see `decodeText`); HTML, Word and PDF go
 * to the converter's worker and come back as Markdown, which is parsed like any Markdown file. Converted
 * documents are titled by the title they state reliably, else their first top-level heading, else the title they
 * declare, else the file name.
 */
export async function parseDocument(
  format: DocumentFormat,
  bytes: Buffer,
  source: string,
  converter: DocumentConverter,
): Promise<ParseResult> {
  if (format === 'markdown' || format === 'mdx' || format === 'text') {
    const decoded = decodeText(bytes);
    if (!decoded.ok) return decoded;
    const doc =
      format === 'text'
        ? parsePlainText(decoded.text, { fileName: source })
        : parseMarkdown(decoded.text, { mdx: format === 'mdx', fileName: source });
    return { ok: true, doc, warnings: [...describeDecoding(decoded), ...doc.warnings] };
  }
  const converted = await converter.convert(format, bytes);
  if (!converted.ok) return converted;
  const doc = fromConverted(converted.document, source);
  return { ok: true, doc, warnings: [...converted.document.warnings, ...doc.warnings] };
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
