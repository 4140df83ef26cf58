/** PDF to Markdown with PDF.js (through unpdf): text by page, headings from the outline or from font sizes. */
import type { RootContent, Root } from 'mdast';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { getDocumentProxy } from 'unpdf';
import { ConversionError, type ConvertedDocument } from './converted-document.js';
import {
  blocksOf,
  bodySize,
  dropRunningLines,
  headingLevels,
  linesOf,
  type HeadingMark,
  type PageBlock,
  type TextLine,
  type TextRun,
} from './pdf-layout.js';
import { readOutline, type OutlineEntry } from './pdf-outline.js';

/** Limits of {@link convertPdf}. */
export interface PdfLimits {
  maxPages: number;
  /** Most characters of text extracted from the whole document. */
  maxChars: number;
}

/** Defaults: a long manual fits; a hostile file fails early. */
export const DEFAULT_PDF_LIMITS: PdfLimits = { maxPages: 2000, maxChars: 10_000_000 };

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

const STRINGIFY = unified().use(remarkStringify);
/** Titles that PDF producers fill in by themselves: the source file's name, "Untitled", "Microsoft Word - x". */
const PLACEHOLDER_TITLE =
  /^(untitled|microsoft (word|powerpoint) - .*|.*\.(docx?|pptx?|pdf|tex|dvi|indd|rtf|odt))$/i;

/**
 * Converts a PDF to Markdown, one page after another, and says on which Markdown line each page starts.
 *
 * @remarks Headings come from the document outline (bookmarks) when it has one, matched to the line that shows
 * each entry's title on its page (or added there when no line does); otherwise lines set noticeably larger than
 * the body text become headings, by size. Running headers, footers and page numbers are dropped. Scanned pages
 * without a text layer yield nothing (no OCR).
 *
 * @throws {ConversionError} `encrypted` (a password is needed), `corrupt` or `over-limit` (pages, characters).
 */
export async function convertPdf(
  bytes: Buffer,
  limits: PdfLimits = DEFAULT_PDF_LIMITS,
): Promise<ConvertedDocument> {
  const pdf = await openPdf(bytes);
  try {
    if (pdf.numPages > limits.maxPages)
      throw new ConversionError('over-limit', `${pdf.numPages} pages, over the limit of ${limits.maxPages}`);
    const info = await readInfo(pdf);
    const outline = await readOutline(pdf);
    const read = await readLines(pdf, limits);
    const title = info.title ?? titlePageHeading(read[0] ?? [], bodySize(read.flat()));
    const pages = dropRunningLines(read);
    const headingOf = outline.length > 0 ? markOutline(pages, outline) : markBySize(pages.flat());
    const warnings: string[] = [];
    if (pages.every((lines) => lines.length === 0))
      warnings.push('no text layer (a scanned PDF?): nothing to index, as kbgate does no OCR');
    return {
      ...toMarkdown(pages, headingOf),
      ...info,
      title,
      fallbackTitle: null,
      headingAnchors: null,
      warnings,
    };
  } finally {
    await pdf.destroy();
  }
}

async function openPdf(bytes: Buffer): Promise<PdfDocument> {
  try {
    return await getDocumentProxy(new Uint8Array(bytes), {
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException')
      throw new ConversionError('encrypted', 'an encrypted PDF that needs a password to open');
    throw new ConversionError('corrupt', `not a readable PDF: ${(error as Error).message}`);
  }
}

async function readInfo(
  pdf: PdfDocument,
): Promise<{ title: string | null; metadata: ConvertedDocument['metadata'] }> {
  const { info } = (await pdf.getMetadata().catch(() => ({ info: {} }))) as { info: Record<string, unknown> };
  const field = (key: string): string | null => {
    const value = info[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 1000) : null;
  };
  const metadata: Record<string, string | string[]> = {};
  const author = field('Author');
  const subject = field('Subject');
  const keywords = field('Keywords');
  if (author !== null) metadata.author = author;
  if (subject !== null) metadata.description = subject;
  if (keywords !== null) {
    const tags = keywords
      .split(/[,;]/)
      .map((tag) => tag.trim())
      .filter(Boolean);
    if (tags.length > 0) metadata.tags = tags;
  }
  const title = field('Title');
  return { title: title !== null && !PLACEHOLDER_TITLE.test(title) ? title : null, metadata };
}

/**
 * The title on the first page: its largest text, when noticeably larger than the body text (consecutive lines of
 * that size joined); a running header that repeats the title is dropped from the text, so it is read before that.
 */
function titlePageHeading(lines: TextLine[], body: number): string | null {
  const largest = Math.max(0, ...lines.map((line) => line.size));
  if (largest < body * 1.3) return null;
  const start = lines.findIndex((line) => line.size === largest && /\p{L}/u.test(line.text));
  if (start === -1) return null;
  const parts: string[] = [];
  for (let i = start; i < lines.length && lines[i]?.size === largest; i++)
    parts.push((lines[i] as TextLine).text);
  const title = parts.join(' ');
  return title.length <= 200 ? title : null;
}

interface PdfTextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

async function readLines(pdf: PdfDocument, limits: PdfLimits): Promise<TextLine[][]> {
  const pages: TextLine[][] = [];
  let chars = 0;
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const content = await page.getTextContent();
    const runs = (content.items as unknown[]).filter(isTextItem).map(toRun);
    page.cleanup();
    const lines = linesOf(runs, number);
    chars += lines.reduce((sum, line) => sum + line.text.length, 0);
    if (chars > limits.maxChars)
      throw new ConversionError(
        'over-limit',
        `more than ${limits.maxChars} characters of text by page ${number}, over the limit`,
      );
    pages.push(lines);
  }
  return pages;
}

function isTextItem(item: unknown): item is PdfTextItem {
  return typeof item === 'object' && item !== null && typeof (item as PdfTextItem).str === 'string';
}

function toRun(item: PdfTextItem): TextRun {
  const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform;
  const size = Math.hypot(c, d) || Math.hypot(a, b) || item.height;
  return { text: item.str, x, y, width: item.width, size, eol: item.hasEOL };
}

/** Headings by font size, for documents without an outline. */
function markBySize(lines: TextLine[]): (line: TextLine) => HeadingMark | null {
  const levels = headingLevels(lines, bodySize(lines));
  return (line) => {
    const depth = levels.get(line.size);
    return depth === undefined || !/\p{L}/u.test(line.text) || line.text.length > 200
      ? null
      : { depth, key: `size:${line.size}` };
  };
}

/**
 * Headings from the outline: each entry marks the lines of its page that spell its title (from its destination
 * down), or a line holding the title is added at that point when no line does.
 */
function markOutline(pages: TextLine[][], outline: OutlineEntry[]): (line: TextLine) => HeadingMark | null {
  const marks = new Map<TextLine, HeadingMark>();
  outline.forEach((entry, i) => {
    const lines = pages[entry.page - 1];
    if (lines === undefined) return;
    const mark = { depth: Math.min(6, entry.depth), key: `outline:${i}` };
    const matched = matchTitle(lines, entry, marks);
    if (matched.length > 0) for (const line of matched) marks.set(line, mark);
    else {
      const y = entry.y ?? Number.POSITIVE_INFINITY;
      const added: TextLine = { text: entry.title, size: 0, y, page: entry.page };
      const at = lines.findIndex((line) => line.y < y && !marks.has(line));
      lines.splice(at === -1 ? lines.length : at, 0, added);
      marks.set(added, mark);
    }
  });
  return (line) => marks.get(line) ?? null;
}

function matchTitle(lines: TextLine[], entry: OutlineEntry, marks: Map<TextLine, HeadingMark>): TextLine[] {
  const title = squash(entry.title);
  if (title === '') return [];
  const top = (entry.y ?? Number.POSITIVE_INFINITY) + 2 * (lines[0]?.size ?? 12);
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as TextLine;
    if (marks.has(first) || first.y > top || !title.startsWith(squash(first.text))) continue;
    const matched = [first];
    let spelled = squash(first.text);
    for (let j = i + 1; spelled !== title && j < lines.length; j++) {
      const next = squash((lines[j] as TextLine).text);
      if (!title.startsWith(spelled + next)) break;
      spelled += next;
      matched.push(lines[j] as TextLine);
    }
    if (spelled === title) return matched;
  }
  return [];
}

/** Text compared without case, spacing or compatibility variants (PDF spacing rarely matches the outline's). */
function squash(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/** Markdown of every page, and the Markdown line each page starts on. */
function toMarkdown(
  pages: TextLine[][],
  headingOf: (line: TextLine) => HeadingMark | null,
): Pick<ConvertedDocument, 'markdown' | 'pageStarts'> {
  const parts: string[] = [];
  const pageStarts: number[] = [];
  let line = 1;
  for (const lines of pages) {
    pageStarts.push(line);
    const nodes = blocksOf(lines, headingOf).map(toNode);
    if (nodes.length === 0) continue;
    const markdown = STRINGIFY.stringify({ type: 'root', children: nodes } satisfies Root);
    parts.push(markdown);
    line += markdown.split('\n').length;
  }
  return { markdown: parts.join('\n'), pageStarts };
}

function toNode(block: PageBlock): RootContent {
  const children = [{ type: 'text' as const, value: block.text }];
  if (block.kind === 'heading')
    return {
      type: 'heading',
      depth: Math.max(1, Math.min(6, block.depth)) as 1 | 2 | 3 | 4 | 5 | 6,
      children,
    };
  return { type: 'paragraph', children };
}
