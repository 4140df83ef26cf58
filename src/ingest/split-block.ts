/** Splitting one oversize block into pieces at safe boundaries: sentences, words, lines, rows or list items. */
import type { Block } from './markdown.js';
import { segmentWordsBounded } from '../text/tokenize.js';

/** A unit the chunker packs: a whole block or a safe part of one. */
export interface Piece {
  text: string;
  /** What goes between the previous piece and this one when both land in the same chunk. */
  glue: string;
  startLine: number;
  endLine: number;
  /** Prose (paragraph text): may be cut at sentence boundaries and lend its tail as overlap. */
  prose: boolean;
}

const BLOCK_GLUE = '\n\n';
/** Sentence ends: Latin punctuation before whitespace, CJK/Thai-safe full-width punctuation anywhere, newlines. */
const SENTENCE_END = /[.!?]+["'”’)\]]*\s+|[。！？；…]+[」』”’）)]*\s*|\n+/gu;
const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})/;

/**
 * Turns a block into pieces, splitting it only when it is longer than `maxChars`.
 *
 * @remarks Paragraphs split into sentences (then words, then characters); fenced code splits between lines,
 * each part re-fenced with the original opening line; tables split between rows, each part repeating the
 * header; lists split between items. Anything else (and any single line, row or item) is never cut.
 */
export function splitBlock(block: Block, maxChars: number, targetChars: number): Piece[] {
  const whole: Piece = {
    text: block.text,
    glue: BLOCK_GLUE,
    startLine: block.startLine,
    endLine: block.endLine,
    prose: block.kind === 'paragraph',
  };
  if (block.text.length <= maxChars) return [whole];
  switch (block.kind) {
    case 'paragraph':
      return splitProse(block.text, block.startLine, targetChars);
    case 'code':
      return splitCode(block, targetChars);
    case 'table':
      return splitTable(block, targetChars);
    case 'list':
      return splitList(block);
    default:
      return [whole];
  }
}

/** Splits text after each sentence end; the parts concatenate back to the input. */
export function splitSentences(text: string): string[] {
  const parts: string[] = [];
  let cursor = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = (match.index ?? 0) + match[0].length;
    if (end > cursor) parts.push(text.slice(cursor, end));
    cursor = end;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  return parts;
}

/** The longest tail of whole sentences (else whole words) of `text` no longer than `maxChars`. */
export function tailText(text: string, maxChars: number): string {
  const byWords = () =>
    collectTail(
      [...segmentWordsBounded(text)].map((s) => s.segment),
      maxChars,
    );
  return collectTail(splitSentences(text), maxChars) || byWords();
}

function collectTail(parts: string[], maxChars: number): string {
  let tail = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const next = (parts[i] ?? '') + tail;
    if (next.length > maxChars) break;
    tail = next;
  }
  return tail.trimStart();
}

/** Prose pieces: sentences, and for a sentence longer than `limit`, short runs of words (or characters). */
function splitProse(text: string, firstLine: number, limit: number): Piece[] {
  const pieces: Piece[] = [];
  let line = firstLine;
  for (const sentence of splitSentences(text)) {
    const parts = sentence.length <= limit ? [sentence] : packRuns(wordsOf(sentence, limit), runLimit(limit));
    for (const part of parts) {
      const glue = pieces.length === 0 ? BLOCK_GLUE : '';
      pieces.push({
        text: part,
        glue,
        startLine: line,
        endLine: line + countNewlines(part.trimEnd()),
        prose: true,
      });
      line += countNewlines(part);
    }
  }
  return pieces;
}

/** Runs of words stand in for sentences in unpunctuated text (Thai), so keep them sentence-sized. */
function runLimit(limit: number): number {
  return Math.max(1, Math.floor(limit / 8));
}

/** Word segments (Intl.Segmenter handles Thai and Chinese), with any word over `limit` cut by code points. */
function wordsOf(text: string, limit: number): string[] {
  const words: string[] = [];
  for (const { segment } of segmentWordsBounded(text)) {
    if (segment.length <= runLimit(limit)) words.push(segment);
    else words.push(...packRuns(Array.from(segment), runLimit(limit)));
  }
  return words;
}

/** Greedily joins consecutive strings into runs no longer than `limit` (a longer single string stays alone). */
function packRuns(parts: string[], limit: number): string[] {
  const runs: string[] = [];
  let run = '';
  for (const part of parts) {
    if (run !== '' && run.length + part.length > limit) {
      runs.push(run);
      run = '';
    }
    run += part;
  }
  if (run !== '') runs.push(run);
  return runs;
}

/** How many line feeds `text` holds: the lines it spans, minus one. */
export function countNewlines(text: string): number {
  let count = 0;
  for (const char of text) if (char === '\n') count++;
  return count;
}

/** Groups of whole lines, each wrapped in `before`/`after`, sized to `limit` where lines allow. */
function lineGroups(
  lines: string[],
  firstLine: number,
  before: string[],
  after: string[],
  limit: number,
): Piece[] {
  const frame = [...before, ...after].reduce((sum, line) => sum + line.length + 1, 0);
  const pieces: Piece[] = [];
  let group: string[] = [];
  let size = frame;
  let groupStart = firstLine;
  const flush = (nextLine: number) => {
    if (group.length === 0) return;
    const text = [...before, ...group, ...after].join('\n');
    pieces.push({ text, glue: BLOCK_GLUE, startLine: groupStart, endLine: nextLine - 1, prose: false });
    group = [];
    size = frame;
    groupStart = nextLine;
  };
  lines.forEach((line, i) => {
    if (group.length > 0 && size + line.length + 1 > limit) flush(firstLine + i);
    group.push(line);
    size += line.length + 1;
  });
  flush(firstLine + lines.length);
  return pieces;
}

/** Fenced code re-fenced per part with the original opening line (language kept); indented code split bare. */
function splitCode(block: Block, limit: number): Piece[] {
  const lines = block.text.split('\n');
  const open = FENCE_OPEN.exec(lines[0] ?? '');
  if (!open) return lineGroups(lines, block.startLine, [], [], limit);
  const marker = open[2] ?? '```';
  const closing = new RegExp(`^\\s*${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
  const last = lines[lines.length - 1] ?? '';
  const closed = lines.length > 1 && closing.test(last);
  const body = lines.slice(1, closed ? -1 : undefined);
  const fenceClose = closed ? last : `${open[1] ?? ''}${marker}`;
  return lineGroups(body, block.startLine + 1, [lines[0] ?? marker], [fenceClose], limit);
}

/** Tables split between rows, every part starting with the header and delimiter rows. */
function splitTable(block: Block, limit: number): Piece[] {
  const lines = block.text.split('\n');
  if (lines.length <= 3)
    return [
      {
        text: block.text,
        glue: BLOCK_GLUE,
        startLine: block.startLine,
        endLine: block.endLine,
        prose: false,
      },
    ];
  return lineGroups(lines.slice(2), block.startLine + 2, lines.slice(0, 2), [], limit);
}

/** Lists split between top-level items; an item (with its nested lists and code) is never cut. */
function splitList(block: Block): Piece[] {
  const itemGlue = block.spread ? '\n\n' : '\n';
  return (block.items ?? []).map((item, i) => ({
    text: item.text,
    glue: i === 0 ? BLOCK_GLUE : itemGlue,
    startLine: item.startLine,
    endLine: item.endLine,
    prose: false,
  }));
}
