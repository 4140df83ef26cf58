import { describe, expect, it } from 'vitest';
import { parseMarkdown } from './markdown.js';

const lines = (...rows: string[]): string => rows.join('\n') + '\n';

describe('parseMarkdown frontmatter', () => {
  it('should read title, description, tags and flat scalar fields into metadata', () => {
    const doc = parseMarkdown(
      lines(
        '---',
        'title: Install guide',
        'description: How to install',
        'tags: [setup, linux]',
        'version: 3',
        'draft: false',
        'owner: {name: ops, team: infra}',
        'mixed: [1, two]',
        'empty:',
        '---',
        '',
        '# Heading',
      ),
    );
    expect(doc.title).toBe('Install guide');
    expect(doc.description).toBe('How to install');
    expect(doc.tags).toEqual(['setup', 'linux']);
    expect(doc.frontmatter).toEqual({
      title: 'Install guide',
      description: 'How to install',
      tags: ['setup', 'linux'],
      version: 3,
      draft: false,
      owner: '{"name":"ops","team":"infra"}',
      mixed: '[1,"two"]',
    });
    expect(doc.warnings).toEqual([]);
  });

  it('should accept tags written as one comma-separated string', () => {
    const doc = parseMarkdown(lines('---', 'tags: alpha, beta', '---', 'text'));
    expect(doc.tags).toEqual(['alpha', 'beta']);
  });

  it('should report invalid YAML and still parse the body', () => {
    const doc = parseMarkdown(
      lines('---', 'title: [unclosed', 'tags: :::', '---', '', '# Body title', '', 'text'),
    );
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/frontmatter/);
    expect(doc.frontmatter).toEqual({});
    expect(doc.title).toBe('Body title');
    expect(doc.sections[0]?.blocks[0]?.text).toBe('text');
  });

  it('should report frontmatter that is not a mapping', () => {
    const doc = parseMarkdown(lines('---', '- a', '- b', '---', 'text'));
    expect(doc.warnings).toHaveLength(1);
    expect(doc.frontmatter).toEqual({});
  });
});

describe('parseMarkdown title', () => {
  it('should fall back to the first h1, then to the file name', () => {
    expect(parseMarkdown(lines('## Sub', '', '# Main')).title).toBe('Main');
    expect(parseMarkdown(lines('## Only sub'), { fileName: 'guides/getting-started.md' }).title).toBe(
      'getting-started',
    );
  });
});

describe('parseMarkdown sections', () => {
  const source = lines(
    'Preamble text.',
    '',
    '# Guide',
    '',
    'Intro.',
    '',
    '## Setup',
    '',
    '### Linux',
    '',
    'Apt.',
    '',
    '## Setup',
    '',
    '### Linux',
    '',
    'Again.',
    '',
    '# Guide',
  );
  const doc = parseMarkdown(source);

  it('should keep text before the first heading in a depth-0 section', () => {
    expect(doc.sections[0]).toMatchObject({
      headingPath: [],
      depth: 0,
      anchor: '',
      startLine: 1,
      endLine: 1,
    });
  });

  it('should give each section its heading path from h1 down', () => {
    expect(doc.sections.map((section) => section.headingPath)).toEqual([
      [],
      ['Guide'],
      ['Guide', 'Setup'],
      ['Guide', 'Setup', 'Linux'],
      ['Guide', 'Setup'],
      ['Guide', 'Setup', 'Linux'],
      ['Guide'],
    ]);
  });

  it('should de-duplicate anchors the way GitHub does', () => {
    expect(doc.sections.map((section) => section.anchor)).toEqual([
      '',
      'guide',
      'setup',
      'linux',
      'setup-1',
      'linux-1',
      'guide-1',
    ]);
  });

  it('should report 1-based start and end lines from the heading to its last block', () => {
    const linux = doc.sections[3];
    expect(linux).toMatchObject({ startLine: 9, endLine: 11, depth: 3 });
    expect(linux?.blocks[0]).toMatchObject({ kind: 'paragraph', text: 'Apt.', startLine: 11, endLine: 11 });
  });

  it('should slug punctuation and non-Latin headings like GitHub', () => {
    const slugs = parseMarkdown(lines('# What’s new in v2.0?', '# 安装 指南', '# การติดตั้ง')).sections.map(
      (section) => section.anchor,
    );
    expect(slugs).toEqual(['whats-new-in-v20', '安装-指南', 'การติดตั้ง']);
  });

  it('should count frontmatter lines in line numbers', () => {
    const withFront = parseMarkdown(lines('---', 'title: t', '---', '# A', '', 'body'));
    expect(withFront.sections[0]).toMatchObject({ startLine: 4, endLine: 6 });
  });
});

describe('parseMarkdown blocks', () => {
  it('should not treat # lines inside fenced code as headings and keep the code verbatim', () => {
    const code = ['```bash', '# install it', 'npm i  kbgate', '```'].join('\n');
    const doc = parseMarkdown(lines('# Real', '', code));
    expect(doc.sections).toHaveLength(1);
    expect(doc.sections[0]?.blocks).toEqual([{ kind: 'code', text: code, startLine: 3, endLine: 6 }]);
  });

  it('should keep tables and lists as verbatim source with their kinds', () => {
    const table = ['| a | b |', '|:--|--:|', '| `x` | **y** |'].join('\n');
    const list = ['1. one', '   - nested', '2. two'].join('\n');
    const blocks = parseMarkdown(lines(table, '', list, '', '> quoted', '', '---')).sections[0]?.blocks;
    expect(blocks?.map((block) => [block.kind, block.text])).toEqual([
      ['table', table],
      ['list', list],
      ['blockquote', '> quoted'],
      ['thematicBreak', '---'],
    ]);
    expect(blocks?.[1]?.items?.map((item) => item.text)).toEqual(['1. one\n   - nested', '2. two']);
  });

  it('should drop HTML comments, whole or inline, but keep other HTML', () => {
    const doc = parseMarkdown(
      lines('<!-- hidden -->', '', 'Shown <!-- inline --> text.', '', '<div>kept<!-- x --></div>'),
    );
    const texts = doc.sections[0]?.blocks.map((block) => block.text);
    expect(texts).toEqual(['Shown  text.', '<div>kept</div>']);
  });
});

describe('parseMarkdown MDX', () => {
  const source = lines(
    "import { Note } from './note.js'",
    'export const meta = { a: 1 }',
    '',
    '# Hello {props.name}',
    '',
    '<Note type="info">',
    '  Inside **note**.',
    '</Note>',
    '',
    'Press <Kbd>Ctrl</Kbd> now.{/* comment */}',
    '',
    '<Chart data={[1, 2]} />',
  );

  it('should drop imports, exports, expressions and JSX tags but keep their text', () => {
    const doc = parseMarkdown(source, { mdx: true });
    expect(doc.warnings).toEqual([]);
    expect(doc.sections).toHaveLength(1);
    expect(doc.sections[0]?.heading).toBe('Hello');
    expect(doc.sections[0]?.blocks.map((block) => block.text)).toEqual([
      'Inside **note**.',
      'Press Ctrl now.',
    ]);
  });

  it('should fall back to Markdown with a warning when MDX does not parse', () => {
    const doc = parseMarkdown(lines('# T', '', 'a < b and {unclosed', '', '<!-- note -->'), { mdx: true });
    expect(doc.warnings).toHaveLength(1);
    expect(doc.sections[0]?.blocks.map((block) => block.text)).toEqual(['a < b and {unclosed']);
  });
});
