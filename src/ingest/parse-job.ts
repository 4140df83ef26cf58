/** One file's text to its parsed document and chunks: the work the parser worker does, file by file. */
import type { Chunk, ChunkOptions } from './chunk.js';
import { chunkDocument } from './chunk.js';
import type { ConversionFailure, ConvertedDocument } from './converted-document.js';
import { ConversionError } from './converted-document.js';
import { decodeText, describeDecoding } from './decode-text.js';
import { parseMarkdown, type ParsedDocument } from './markdown.js';
import { fromConverted } from './parse-document.js';
import { parsePlainText } from './plain-text.js';

/** A file to parse: the bytes of a text format, or what a converter made of an HTML, Word or PDF file. */
export type ParseJob = { source: string; chunking?: ChunkOptions } & (
  | { kind: 'markdown' | 'mdx' | 'text'; bytes: Uint8Array }
  | { kind: 'converted'; converted: ConvertedDocument }
);

/** A parsed file: its document, its chunks and what is worth reporting. */
export interface ParsedFile {
  doc: ParsedDocument;
  chunks: Chunk[];
  warnings: string[];
}

/** The outcome of parsing one file: the parsed file, or why it failed. */
export type ParseOutcome =
  ({ ok: true } & ParsedFile) | { ok: false; reason: ConversionFailure; message: string };

/**
 * Decodes, parses and chunks one file.
 *
 * @remarks Runs in the parser worker, where a file that takes too long or too much memory is stopped; any error is
 * that file's failure: too deep to parse (the stack) is `over-limit`, anything else `corrupt`.
 */
export function runParseJob(job: ParseJob): ParseOutcome {
  try {
    const { doc, warnings } = parseJob(job);
    return { ok: true, doc, chunks: chunkDocument(doc, job.chunking), warnings };
  } catch (error) {
    if (error instanceof ConversionError) return { ok: false, reason: error.reason, message: error.message };
    if (error instanceof RangeError)
      return { ok: false, reason: 'over-limit', message: `too deeply nested to parse (${error.message})` };
    return { ok: false, reason: 'corrupt', message: `could not be parsed: ${(error as Error).message}` };
  }
}

function parseJob(job: ParseJob): { doc: ParsedDocument; warnings: string[] } {
  if (job.kind === 'converted') {
    const doc = fromConverted(job.converted, job.source);
    return { doc, warnings: [...job.converted.warnings, ...doc.warnings] };
  }
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const decoded = decodeText(bytes);
  if (!decoded.ok) throw new ConversionError(decoded.reason, decoded.message);
  const doc =
    job.kind === 'text'
      ? parsePlainText(decoded.text, { fileName: job.source })
      : parseMarkdown(decoded.text, { mdx: job.kind === 'mdx', fileName: job.source });
  return { doc, warnings: [...describeDecoding(decoded), ...doc.warnings] };
}
