import { describe, expect, it } from 'vitest';
import { chunkDocument, contextLine } from './chunk.js';
import { parseMarkdown } from './markdown.js';
import { mulberry32 } from '../../test/helpers/random-data.js';

const lines = (...rows: string[]): string => rows.join('\n') + '\n';

const sentence = (i: number): string => `Sentence number ${i} talks about topic ${i % 7}.`;
const paragraph = (from: number, count: number): string =>
  Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('chunkDocument merging', () => {
  it('should merge small sibling sections into one chunk that keeps the later headings', () => {
    const doc = parseMarkdown(
      lines('# Guide', '', 'Intro.', '', '## Install', '', 'Run it.', '', '## Use', '', 'Call it.'),
    );
    const chunks = chunkDocument(doc);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({
      index: 0,
      headingPath: ['Guide'],
      anchor: 'guide',
      startLine: 1,
      endLine: 11,
      rawText: 'Intro.\n\n## Install\n\nRun it.\n\n## Use\n\nCall it.',
      text: 'Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n## Use\n\nCall it.',
    });
  });

  it('should not merge a section into a group started under a different parent', () => {
    const doc = parseMarkdown(lines('# A', '', '## A1', '', 'one', '', '# B', '', 'two'));
    const chunks = chunkDocument(doc);
    expect(chunks.map((chunk) => chunk.headingPath)).toEqual([['A', 'A1'], ['B']]);
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1]);
  });

  it('should not merge sections whose total exceeds the target', () => {
    const doc = parseMarkdown(
      lines('# T', '', '## One', '', paragraph(0, 20), '', '## Two', '', paragraph(20, 20)),
    );
    const chunks = chunkDocument(doc, { targetChars: 1000, maxChars: 1500 });
    expect(chunks.map((chunk) => chunk.heading)).toEqual(['One', 'Two']);
    expect(chunks.map((chunk) => chunk.anchor)).toEqual(['one', 'two']);
  });

  it('should skip heading-only sections that found nothing to merge with', () => {
    const doc = parseMarkdown(lines('# Empty', '', '## Big', '', paragraph(0, 30)));
    const chunks = chunkDocument(doc, { targetChars: 600, maxChars: 1000 });
    expect(chunks.every((chunk) => chunk.heading === 'Big')).toBe(true);
  });
});

describe('chunkDocument splitting', () => {
  const doc = parseMarkdown(
    lines('# Doc', '', '## Big', '', paragraph(0, 10), '', paragraph(10, 10), '', paragraph(20, 10)),
  );
  const chunks = chunkDocument(doc, { targetChars: 500, maxChars: 1400, overlapChars: 100 });

  it('should split a big section at paragraph boundaries', () => {
    expect(chunks.length).toBe(3);
    expect(chunks.every((chunk) => chunk.rawText.length <= 1400)).toBe(true);
    expect(chunks.map((chunk) => chunk.startLine)).toEqual([3, 5, 7]);
  });

  it('should open each continuation chunk with whole closing sentences of the previous one', () => {
    expect(chunks[1]?.rawText.startsWith(`${sentence(8)} ${sentence(9)}\n\n${sentence(10)}`)).toBe(true);
    expect(chunks[2]?.rawText.startsWith(`${sentence(18)} ${sentence(19)}\n\n${sentence(20)}`)).toBe(true);
  });

  it('should prefix every chunk with the document title and heading path', () => {
    expect(chunks.every((chunk) => chunk.text === `Doc > Big\n\n${chunk.rawText}`)).toBe(true);
  });

  it('should split an oversize paragraph at sentence ends', () => {
    const long = parseMarkdown(lines('# P', '', paragraph(0, 60)));
    const parts = chunkDocument(long, { targetChars: 500, maxChars: 800, overlapChars: 0 });
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.every((chunk) => chunk.rawText.length <= 800 && chunk.rawText.endsWith('.'))).toBe(true);
    expect(parts.map((chunk) => chunk.rawText).join(' ')).toBe(paragraph(0, 60));
  });
});

describe('chunkDocument atomic blocks', () => {
  it('should keep a code block with # lines whole when it fits the limit', () => {
    const code = ['```sh', ...Array.from({ length: 30 }, (_, i) => `# step ${i}\necho ${i}`), '```'].join(
      '\n',
    );
    const doc = parseMarkdown(lines('# C', '', paragraph(0, 10), '', code, '', paragraph(10, 10)));
    const chunks = chunkDocument(doc, { targetChars: 700, maxChars: 1000 });
    expect(chunks.filter((chunk) => chunk.rawText.includes('```'))).toHaveLength(1);
    expect(chunks.filter((chunk) => chunk.rawText.includes(code))).toHaveLength(1);
  });

  it('should split an oversize fenced code block between lines, re-fencing every part', () => {
    const body = Array.from({ length: 120 }, (_, i) => `print(${i})  # comment ${i}`);
    const code = ['```python title="x"', ...body, '```'].join('\n');
    const chunks = chunkDocument(parseMarkdown(lines('# C', '', code)), { targetChars: 600, maxChars: 900 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      const rows = chunk.rawText.split('\n');
      expect(rows[0]).toBe('```python title="x"');
      expect(rows[rows.length - 1]).toBe('```');
      expect(chunk.rawText.length).toBeLessThanOrEqual(900);
    }
    const inner = chunks.flatMap((chunk) => chunk.rawText.split('\n').slice(1, -1));
    expect(inner).toEqual(body);
    expect(chunks[1]?.startLine).toBe(chunks[0]!.endLine + 1);
  });

  it('should split an oversize table between rows, repeating the header', () => {
    const header = ['| key | value |', '| --- | --- |'];
    const rows = Array.from({ length: 80 }, (_, i) => `| k${i} | ${'v'.repeat(20)} |`);
    const chunks = chunkDocument(parseMarkdown(lines('# T', '', [...header, ...rows].join('\n'))), {
      targetChars: 500,
      maxChars: 800,
    });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((chunk) => chunk.rawText.startsWith(header.join('\n') + '\n'))).toBe(true);
    expect(chunks.flatMap((chunk) => chunk.rawText.split('\n').slice(2))).toEqual(rows);
  });

  it('should split a long list only between items, never inside one', () => {
    const items = Array.from(
      { length: 40 },
      (_, i) => `- item ${i} ${'word '.repeat(8).trim()}\n  - nested ${i}`,
    );
    const chunks = chunkDocument(parseMarkdown(lines('# L', '', items.join('\n'))), {
      targetChars: 400,
      maxChars: 600,
    });
    expect(chunks.length).toBeGreaterThan(2);
    const kept = chunks.flatMap((chunk) => chunk.rawText.split(/\n(?=- )/));
    expect(kept).toEqual(items);
  });
});

describe('chunkDocument CJK and Thai', () => {
  it('should cut Chinese text at 。！？ and keep every sentence whole', () => {
    const sentences = Array.from(
      { length: 200 },
      (_, i) => `第${i}句讲的是知识库${i % 3 === 0 ? '！' : '。'}`,
    );
    const chunks = chunkDocument(parseMarkdown(lines('# 中文', '', sentences.join(''))), {
      targetChars: 300,
      maxChars: 500,
      overlapChars: 0,
    });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.rawText.length <= 500 && /[。！]$/.test(chunk.rawText))).toBe(true);
    expect(chunks.map((chunk) => chunk.rawText).join('')).toBe(sentences.join(''));
    expect(chunks[0]?.text.startsWith('中文\n\n')).toBe(true);
  });

  it('should cut unpunctuated Thai text between words', () => {
    const phrase = 'ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ';
    const text = phrase.repeat(60);
    const chunks = chunkDocument(parseMarkdown(lines('# ไทย', '', text)), {
      targetChars: 400,
      maxChars: 600,
      overlapChars: 0,
    });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((chunk) => chunk.rawText).join('')).toBe(text);
    const words = new Set(
      [...new Intl.Segmenter('th', { granularity: 'word' }).segment(phrase)].map((s) => s.segment),
    );
    for (const chunk of chunks) {
      expect(chunk.rawText.length).toBeLessThanOrEqual(600);
      const firstWord = [...new Intl.Segmenter('th', { granularity: 'word' }).segment(chunk.rawText)][0]
        ?.segment;
      expect(words.has(firstWord ?? '')).toBe(true);
    }
  });

  it('should overlap Chinese chunks by whole sentences', () => {
    const sentences = Array.from({ length: 100 }, (_, i) => `这是第${i}句。`);
    const chunks = chunkDocument(parseMarkdown(lines('# 中文', '', sentences.join(''))), {
      targetChars: 200,
      maxChars: 400,
      overlapChars: 30,
    });
    const previousEnd = chunks[0]!.rawText.slice(-7);
    expect(chunks[1]?.rawText.includes(previousEnd)).toBe(true);
    expect(chunks[1]?.rawText.startsWith('这是第')).toBe(true);
  });
});

describe('chunkDocument invariants on random documents', () => {
  it('should keep fences balanced, tables headed and sizes within the limit', () => {
    const random = mulberry32(7);
    const pick = (n: number): number => Math.floor(random() * n);
    for (let docIndex = 0; docIndex < 6; docIndex++) {
      const rows: string[] = ['# Random'];
      for (let block = 0; block < 20; block++) {
        const kind = pick(5);
        if (kind === 0) rows.push(`## Section ${block}`);
        else if (kind === 1) rows.push(paragraph(block * 10, 1 + pick(25)));
        else if (kind === 2)
          rows.push(
            ['```js', ...Array.from({ length: 1 + pick(60) }, (_, i) => `f(${i});`), '```'].join('\n'),
          );
        else if (kind === 3)
          rows.push(
            [
              '| a | b |',
              '| - | - |',
              ...Array.from({ length: 1 + pick(30) }, (_, i) => `| ${i} | x |`),
            ].join('\n'),
          );
        else rows.push(Array.from({ length: 1 + pick(30) }, (_, i) => `- item ${i} of the list`).join('\n'));
      }
      const chunks = chunkDocument(parseMarkdown(rows.join('\n\n')), { targetChars: 500, maxChars: 800 });
      for (const chunk of chunks) {
        expect(chunk.rawText.length).toBeLessThanOrEqual(800);
        expect(chunk.rawText.split('\n').filter((row) => row.startsWith('```')).length % 2).toBe(0);
        const tableRows = chunk.rawText.split('\n\n').filter((part) => part.startsWith('|'));
        expect(tableRows.every((table) => table.startsWith('| a | b |\n| - | - |'))).toBe(true);
        expect(chunk.startLine).toBeLessThanOrEqual(chunk.endLine);
      }
      expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, i) => i));
    }
  });
});

describe('contextLine', () => {
  it('should not repeat a title that is also the first heading', () => {
    expect(contextLine('Guide', ['Guide', 'Setup'])).toBe('Guide > Setup');
    expect(contextLine('From frontmatter', ['Setup', 'Linux'])).toBe('From frontmatter > Setup > Linux');
    expect(contextLine('Only title', [])).toBe('Only title');
  });
});

describe('chunkDocument citations', () => {
  it('should start a chunk that opens with repeated text at the line where that text is', () => {
    // Hard-wrapped paragraphs, as in most Markdown: a sentence per line.
    const wrapped = (from: number) => Array.from({ length: 12 }, (_, i) => sentence(from + i)).join('\n');
    const source = lines('# Doc', '', wrapped(0), '', wrapped(12), '', wrapped(24));
    const chunks = chunkDocument(parseMarkdown(source), {
      targetChars: 500,
      maxChars: 900,
      overlapChars: 120,
    });
    const sourceLines = source.split('\n');
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks.slice(1)) {
      const firstLine = chunk.rawText.split('\n')[0] as string;
      expect(sourceLines[chunk.startLine - 1]).toContain(firstLine);
      const lastLine = chunk.rawText.split('\n').at(-1) as string;
      expect(sourceLines[chunk.endLine - 1]).toContain(lastLine);
    }
  });

  it('should cite every section merged into a chunk', () => {
    const doc = parseMarkdown(
      lines('# Guide', '', 'Intro.', '', '## Install', '', 'Run it.', '', '## Use', '', 'Call it.'),
    );
    const [chunk] = chunkDocument(doc);
    expect(chunk?.sections.map((s) => [s.heading, s.anchor])).toEqual([
      ['Guide', 'guide'],
      ['Install', 'install'],
      ['Use', 'use'],
    ]);
  });

  it('should cite only the section of a chunk cut from one big section', () => {
    const doc = parseMarkdown(lines('# T', '', '## Big', '', paragraph(0, 40)));
    const chunks = chunkDocument(doc, { targetChars: 500, maxChars: 900 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.sections.map((s) => s.heading).join() === 'Big')).toBe(true);
  });
});
