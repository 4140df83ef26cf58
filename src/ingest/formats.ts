/** The file formats ingest reads, told apart by file extension. */

/** A format ingest reads: each becomes the same Markdown syntax tree before it is chunked. */
export type DocumentFormat = 'markdown' | 'mdx' | 'text' | 'html' | 'docx' | 'pdf';

/** Every format, in the order the ingest summary lists them. */
export const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['markdown', 'mdx', 'text', 'html', 'docx', 'pdf'];

/** The file extensions of each format (lower case, without the dot). */
export const FORMAT_EXTENSIONS: Readonly<Record<DocumentFormat, readonly string[]>> = {
  markdown: ['md', 'markdown'],
  mdx: ['mdx'],
  text: ['txt', 'text'],
  html: ['html', 'htm', 'xhtml'],
  docx: ['docx'],
  pdf: ['pdf'],
};

/** How reports name each format. */
export const FORMAT_NAMES: Readonly<Record<DocumentFormat, string>> = {
  markdown: 'Markdown',
  mdx: 'MDX',
  text: 'text',
  html: 'HTML',
  docx: 'Word',
  pdf: 'PDF',
};

const BY_EXTENSION = new Map<string, DocumentFormat>(
  DOCUMENT_FORMATS.flatMap((format) => FORMAT_EXTENSIONS[format].map((ext) => [ext, format] as const)),
);

/** The default glob: every extension of every format, in any folder. */
export const DEFAULT_GLOB = `**/*.{${DOCUMENT_FORMATS.flatMap((format) => FORMAT_EXTENSIONS[format]).join(',')}}`;

/**
 * The format of a file, from its extension (case-insensitive); files of other extensions (picked by a custom
 * `--glob`) are read as Markdown, as they always were.
 */
export function formatOf(file: string): DocumentFormat {
  const match = /\.([^./\\]+)$/.exec(file);
  return BY_EXTENSION.get(match?.[1]?.toLowerCase() ?? '') ?? 'markdown';
}

/** Whether a format is converted from another syntax (its chunks cite headings and pages, not source lines). */
export function isConverted(format: DocumentFormat): boolean {
  return format === 'html' || format === 'docx' || format === 'pdf';
}
