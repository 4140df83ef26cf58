import { describe, expect, it } from 'vitest';
import {
  blocksOf,
  bodySize,
  dropRunningLines,
  headingLevels,
  joinLines,
  linesOf,
  type TextLine,
  type TextRun,
} from './pdf-layout.js';

const run = (text: string, x: number, y: number, size = 10, eol = false): TextRun => ({
  text,
  x,
  y,
  width: text.length * size * 0.5,
  size,
  eol,
});
const line = (text: string, y: number, size = 10, page = 1): TextLine => ({ text, y, size, page });

describe('linesOf', () => {
  it('should join runs of a baseline, with a space only where there is a gap, and break at line ends', () => {
    const lines = linesOf(
      [run('Back', 50, 700), run('ups', 70, 700), run('run', 100, 700.5, 10, true), run('nightly.', 50, 686)],
      3,
    );
    expect(lines).toEqual([
      { text: 'Backups run', size: 10, y: 700, page: 3 },
      { text: 'nightly.', size: 10, y: 686, page: 3 },
    ]);
  });
});

describe('joinLines', () => {
  it('should undo hyphenation, keep CJK and Thai unspaced and space everything else', () => {
    expect(joinLines('the restore proce-', 'dure')).toBe('the restore procedure');
    expect(joinLines('well-', 'Known')).toBe('well- Known');
    expect(joinLines('知识库', '检索')).toBe('知识库检索');
    expect(joinLines('การสำรอง', 'ข้อมูล')).toBe('การสำรองข้อมูล');
    expect(joinLines('backups', 'run')).toBe('backups run');
  });
});

describe('dropRunningLines', () => {
  it('should drop headers and page numbers repeated at the top or bottom of most pages, and nothing else', () => {
    const pages = [1, 2, 3, 4].map((n) => [
      line('ACME Manual', 800, 8, n),
      line(`Body of page ${n}.`, 700, 10, n),
      line('Same closing sentence.', 600, 10, n),
      line(`Page ${n} of 4`, 30, 8, n),
    ]);
    expect(dropRunningLines(pages).map((lines) => lines.map((l) => l.text))).toEqual(
      [1, 2, 3, 4].map((n) => [`Body of page ${n}.`, 'Same closing sentence.']),
    );
  });
});

describe('headings by font size', () => {
  it('should rank sizes larger than the body text as levels, largest first', () => {
    const lines = [
      line('Title', 800, 24),
      line('Chapter', 760, 16),
      line('body '.repeat(40), 740, 10),
      line('more body '.repeat(30), 720, 10),
      line('Footnote', 100, 8),
    ];
    expect(bodySize(lines)).toBe(10);
    expect([...headingLevels(lines, 10)]).toEqual([
      [24, 1],
      [16, 2],
    ]);
  });
});

describe('blocksOf', () => {
  it('should make one heading of a wrapped heading and paragraphs of body lines close together', () => {
    const lines = [
      line('A long chapter title', 800, 16),
      line('that wraps', 780, 16),
      line('First line', 740, 10),
      line('second line.', 727, 10),
      line('New paragraph after a gap.', 690, 10),
    ];
    const blocks = blocksOf(lines, (l) => (l.size === 16 ? { depth: 1, key: 'size:16' } : null));
    expect(blocks).toEqual([
      { kind: 'heading', depth: 1, text: 'A long chapter title that wraps', page: 1 },
      { kind: 'paragraph', depth: 0, text: 'First line second line.', page: 1 },
      { kind: 'paragraph', depth: 0, text: 'New paragraph after a gap.', page: 1 },
    ]);
  });
});
