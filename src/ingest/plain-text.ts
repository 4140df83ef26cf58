/** Plain text files as documents: paragraphs between blank lines, cited by their own line numbers. */
import type { Paragraph } from 'mdast';
import { buildSections, fileStem, type ParsedDocument } from './markdown.js';

/**
 * Parses plain text into one untitled section of paragraphs (runs of lines between blank lines, or form feeds),
 * kept verbatim; the title is the file name.
 */
export function parsePlainText(source: string, options: { fileName?: string } = {}): ParsedDocument {
  return {
    title: fileStem(options.fileName),
    description: null,
    tags: [],
    frontmatter: {},
    sections: buildSections(source, paragraphs(source)),
    warnings: [],
  };
}

function paragraphs(source: string): Paragraph[] {
  const nodes: Paragraph[] = [];
  const lines = source.split('\n');
  let offset = 0;
  let start: { line: number; offset: number } | null = null;
  let end = { line: 0, offset: 0 };
  lines.forEach((text, i) => {
    const blank = /^[\s\f]*$/.test(text);
    if (!blank) {
      start ??= { line: i + 1, offset };
      end = { line: i + 1, offset: offset + text.replace(/\r$/, '').length };
    } else if (start !== null) {
      nodes.push(paragraph(start, end));
      start = null;
    }
    offset += text.length + 1;
  });
  if (start !== null) nodes.push(paragraph(start, end));
  return nodes;
}

function paragraph(
  start: { line: number; offset: number },
  end: { line: number; offset: number },
): Paragraph {
  return {
    type: 'paragraph',
    children: [],
    position: {
      start: { line: start.line, column: 1, offset: start.offset },
      end: { line: end.line, column: 1, offset: end.offset },
    },
  };
}
