/** What a converter makes of an HTML, Word or PDF file: Markdown and what the citations need besides. */
import type { Metadata } from '../engine/types.js';

/** A document converted to Markdown, the one syntax every format is chunked from. */
export interface ConvertedDocument {
  markdown: string;
  /** The document's title where the file states it reliably (a PDF's properties or title page): it wins over the first top-level heading. */
  title: string | null;
  /**
   * A title the file declares that names the site or template as often as the document (HTML `<title>`, Word's
   * properties): used only when the document has no top-level heading.
   */
  fallbackTitle: string | null;
  /** Other metadata the file declares: `description`, `author`, `tags`. */
  metadata: Metadata;
  /**
   * The file's own anchor of each top-level heading of the Markdown, in order (an HTML `id`); null entries and a
   * null list mean the GitHub slug of the heading text is used.
   */
  headingAnchors: (string | null)[] | null;
  /** For paged formats (PDF): the 1-based Markdown line each page starts on, page 1 first. */
  pageStarts: number[] | null;
  /** What the converter noticed and worked around. */
  warnings: string[];
}

/** Why a file could not be converted. */
export type ConversionFailure = 'binary' | 'encrypted' | 'corrupt' | 'over-limit' | 'timeout';

/** A file that cannot be converted, with a reason that names the file's problem (not the converter's). */
export class ConversionError extends Error {
  constructor(
    readonly reason: ConversionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}
