/** A PDF page's positioned text runs to lines, paragraphs and headings; pure functions over plain data. */

/** One run of text as PDF.js reports it: string, position (PDF units, y up) and font size. */
export interface TextRun {
  text: string;
  x: number;
  y: number;
  width: number;
  size: number;
  /** The run ends a line. */
  eol: boolean;
}

/** One line of text on a page. */
export interface TextLine {
  text: string;
  /** Font size of the line's largest run. */
  size: number;
  y: number;
  page: number;
}

/** A paragraph or a heading of a page. */
export interface PageBlock {
  kind: 'paragraph' | 'heading';
  /** 1..6 for headings. */
  depth: number;
  text: string;
  page: number;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/** Joins a page's runs into lines: a new line where a run ends one or the baseline moves by half a font size. */
export function linesOf(runs: TextRun[], page: number): TextLine[] {
  const lines: TextLine[] = [];
  let current: { text: string; size: number; y: number; end: number } | null = null;
  let broke = false;
  for (const run of runs) {
    const sameLine =
      current !== null && !broke && Math.abs(run.y - current.y) <= Math.max(run.size, current.size) / 2;
    broke = run.eol;
    if (run.text.trim() === '') {
      if (sameLine && current !== null && run.text !== '') current.text += ' ';
      continue;
    }
    if (!sameLine || current === null) {
      if (current !== null) lines.push(toLine(current, page));
      current = { text: run.text, size: run.size, y: run.y, end: run.x + run.width };
      continue;
    }
    current.text += needsSpace(current.text, run.text, run.x - current.end, run.size)
      ? ` ${run.text}`
      : run.text;
    current.size = Math.max(current.size, run.size);
    current.end = run.x + run.width;
  }
  if (current !== null) lines.push(toLine(current, page));
  return lines.filter((line) => line.text !== '');
}

function toLine(line: { text: string; size: number; y: number }, page: number): TextLine {
  return { text: line.text.replace(/\s+/g, ' ').trim(), size: round(line.size), y: line.y, page };
}

function needsSpace(before: string, after: string, gap: number, size: number): boolean {
  if (/\s$/.test(before) || /^\s/.test(after)) return false;
  return gap > size * 0.15;
}

/**
 * Drops running headers and footers: a page's first or last line whose text, digits aside, recurs at the top or
 * bottom of at least half the pages (and of three or more), and bare page numbers there.
 */
export function dropRunningLines(pages: TextLine[][]): TextLine[][] {
  const counts = new Map<string, number>();
  for (const lines of pages) {
    for (const key of new Set(edgeLines(lines).map(runningKey))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const threshold = Math.max(3, pages.length / 2);
  return pages.map((lines) => {
    const edges = new Set(edgeLines(lines));
    return lines.filter(
      (line) =>
        !edges.has(line) ||
        !(
          /^(page\s*)?\d+(\s*(of|\/)\s*\d+)?$/i.test(line.text) ||
          (counts.get(runningKey(line)) ?? 0) >= threshold
        ),
    );
  });
}

/** The topmost and the bottommost line of a page, by position (content order need not be reading order). */
function edgeLines(lines: TextLine[]): TextLine[] {
  if (lines.length <= 2) return lines;
  let top = lines[0] as TextLine;
  let bottom = top;
  for (const line of lines) {
    if (line.y > top.y) top = line;
    if (line.y < bottom.y) bottom = line;
  }
  return [top, bottom];
}

function runningKey(line: TextLine): string {
  return line.text.replace(/\d+/g, '#').toLowerCase();
}

/** The font size most of the text is set in: the body text's. */
export function bodySize(lines: TextLine[]): number {
  const chars = new Map<number, number>();
  for (const line of lines) chars.set(line.size, (chars.get(line.size) ?? 0) + line.text.length);
  let best = 0;
  let most = -1;
  for (const [size, count] of chars)
    if (count > most || (count === most && size < best)) [best, most] = [size, count];
  return best;
}

/**
 * Heading levels by font size: each size at least 15% larger than the body text and set in short lines becomes a
 * level, the largest level 1, down to level 6.
 */
export function headingLevels(lines: TextLine[], body: number): Map<number, number> {
  const sizes = [...new Set(lines.filter((line) => isHeadingLike(line, body)).map((line) => line.size))];
  sizes.sort((a, b) => b - a);
  return new Map(sizes.slice(0, 6).map((size, i) => [size, i + 1]));
}

function isHeadingLike(line: TextLine, body: number): boolean {
  return line.size >= body * 1.15 && line.text.length <= 200 && /\p{L}/u.test(line.text);
}

/** A line's heading level and which heading it belongs to (lines of one heading share the key). */
export interface HeadingMark {
  depth: number;
  key: string;
}

/**
 * Groups lines into blocks: a heading per run of lines of the same heading (`headingOf`), a paragraph per run of
 * body lines of one size without a gap wider than about one and a half lines between them.
 */
export function blocksOf(lines: TextLine[], headingOf: (line: TextLine) => HeadingMark | null): PageBlock[] {
  const blocks: (PageBlock & { key: string })[] = [];
  let previous: TextLine | null = null;
  for (const line of lines) {
    const mark = headingOf(line);
    const last = blocks[blocks.length - 1];
    const continues =
      last !== undefined &&
      previous !== null &&
      previous.page === line.page &&
      last.key === (mark?.key ?? '') &&
      line.size === previous.size &&
      previous.y > line.y &&
      previous.y - line.y <= line.size * 1.8;
    if (continues) last.text = joinLines(last.text, line.text);
    else
      blocks.push({
        kind: mark ? 'heading' : 'paragraph',
        depth: mark?.depth ?? 0,
        text: line.text,
        page: line.page,
        key: mark?.key ?? '',
      });
    previous = line;
  }
  return blocks.map(({ kind, depth, text, page }) => ({ kind, depth, text, page }));
}

/** Joins two lines of a paragraph: no space between CJK or Thai characters, a hyphen at a line end removed. */
export function joinLines(before: string, after: string): string {
  if (/\p{L}-$/u.test(before) && /^\p{Ll}/u.test(after)) return before.slice(0, -1) + after;
  if (CJK.test(before.slice(-1)) && CJK.test(after.charAt(0))) return before + after;
  return `${before} ${after}`;
}

function round(size: number): number {
  return Math.round(size * 2) / 2;
}
