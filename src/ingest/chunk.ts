/** Heading sections to retrieval-sized chunks: merged when small, split at safe boundaries when big. */
import type { ParsedDocument, Section } from './markdown.js';
import { countNewlines, splitBlock, tailText, type Piece } from './split-block.js';

/** Size targets of {@link chunkDocument}, in characters (UTF-16 code units) of raw text. */
export interface ChunkOptions {
  /** The size chunks are packed up to. */
  targetChars?: number;
  /** The hard limit, exceeded only by one block that cannot be cut (a code line, table row, list item...). */
  maxChars?: number;
  /** How much tail prose of the previous chunk of the same section opens the next one. */
  overlapChars?: number;
}

/** One chunk of a document, ready to be embedded and stored. */
export interface Chunk {
  /** Position of the chunk within its file, from 0. */
  index: number;
  /** What is embedded and indexed: the context line (`Title > Section > Sub`), a blank line, then `rawText`. */
  text: string;
  /** The Markdown source of the chunk, verbatim apart from dropped MDX and comments. */
  rawText: string;
  /** Heading texts of the section the chunk starts in, outermost first; empty before the first heading. */
  headingPath: string[];
  heading: string;
  /** GitHub anchor slug of that heading (empty before the first heading). */
  anchor: string;
  /** Every section whose text is in the chunk, in order (several when small sections were merged). */
  sections: CoveredSection[];
  /** 1-based first line of the chunk's own content (a section's first chunk starts at its heading). */
  startLine: number;
  endLine: number;
}

/** A section a chunk covers, for citing it. */
export interface CoveredSection {
  heading: string;
  anchor: string;
  headingPath: string[];
}

/** Defaults: about 300 tokens per chunk, well inside a 512-token embedding window. */
export const DEFAULT_CHUNK_OPTIONS: Required<ChunkOptions> = {
  targetChars: 1200,
  maxChars: 2000,
  overlapChars: 150,
};

const CONTEXT_SEPARATOR = ' > ';

interface Group {
  sections: Section[];
  pieces: Piece[];
  size: number;
}

/**
 * Cuts a parsed document into chunks.
 *
 * @remarks Adjacent sections under the same parent are merged while they fit `targetChars` (later
 * sections keep their heading line in the text); a bigger section is packed block by block, its blocks cut
 * only as {@link splitBlock} allows, and each continuation chunk opens with up to `overlapChars` of the
 * previous chunk's closing sentences when that chunk ended in prose; its `startLine` is where that repeated text
 * begins, so the cited lines hold all of the chunk's text. A chunk lists every section it covers in `sections`.
 */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = {}): Chunk[] {
  const settings = { ...DEFAULT_CHUNK_OPTIONS, ...options };
  const chunks: Chunk[] = [];
  for (const group of groupSections(doc.sections, settings)) {
    if (!group.sections.some((section) => section.blocks.length > 0)) continue;
    const first = group.sections[0] as Section;
    packPieces(group.pieces, settings).forEach((pieces, i) => {
      const startLine = i === 0 ? first.startLine : (pieces[0]?.startLine ?? first.startLine);
      const chunk = toChunk(doc.title, first, pieces, chunks.length, startLine);
      chunk.sections = coveredSections(group.sections, chunk);
      chunks.push(chunk);
    });
  }
  return chunks.length > 0 ? chunks : headingOnlyChunks(doc, settings);
}

/** A document of headings and nothing else is still text worth finding: its heading lines make its chunks. */
function headingOnlyChunks(doc: ParsedDocument, settings: Required<ChunkOptions>): Chunk[] {
  const headed = doc.sections.filter((section) => section.headingSource !== '');
  const first = headed[0];
  if (first === undefined) return [];
  return packPieces(headed.flatMap(headingPieces), settings).map((pieces, i) => {
    const chunk = toChunk(doc.title, first, pieces, i, pieces[0]?.startLine ?? first.startLine);
    chunk.sections = coveredSections(headed, chunk);
    return chunk;
  });
}

function sectionPieces(section: Section, settings: Required<ChunkOptions>): Piece[] {
  return section.blocks.flatMap((block) => splitBlock(block, settings.maxChars, settings.targetChars));
}

function piecesSize(pieces: Piece[]): number {
  return pieces.reduce((sum, piece) => sum + piece.glue.length + piece.text.length, 0);
}

/** Runs of adjacent sections that fit the target together and share the first one's parent. */
function groupSections(sections: Section[], settings: Required<ChunkOptions>): Group[] {
  const groups: Group[] = [];
  let current: Group | null = null;
  for (const section of sections) {
    const pieces = sectionPieces(section, settings);
    if (current && current.size === 0) {
      // A heading-only section adds nothing its children's heading paths do not already carry.
      groups.pop();
    } else if (current && canJoin(current, section)) {
      const joined = [...headingPieces(section), ...pieces];
      if (current.size + piecesSize(joined) <= settings.targetChars) {
        current.sections.push(section);
        current.pieces.push(...joined);
        current.size += piecesSize(joined);
        continue;
      }
    }
    current = { sections: [section], pieces, size: piecesSize(pieces) };
    groups.push(current);
  }
  return groups;
}

/** A merged-in section's heading line, kept in the text so the chunk still shows where it starts. */
function headingPieces(section: Section): Piece[] {
  if (!section.headingSource) return [];
  const line = section.startLine;
  return [{ text: section.headingSource, glue: '\n\n', startLine: line, endLine: line, prose: false }];
}

/** A section may join a group when it lies under the parent of the group's first section. */
function canJoin(group: Group, section: Section): boolean {
  const parent = (group.sections[0] as Section).headingPath.slice(0, -1);
  return (
    parent.every((heading, i) => section.headingPath[i] === heading) &&
    section.headingPath.length > parent.length
  );
}

/** Packs pieces into chunks up to the target, flushing early only when the chunk is at least half full. */
function packPieces(pieces: Piece[], settings: Required<ChunkOptions>): Piece[][] {
  const chunks: Piece[][] = [];
  let current: Piece[] = [];
  let size = 0;
  for (const piece of pieces) {
    const added = (current.length === 0 ? 0 : piece.glue.length) + piece.text.length;
    const overTarget = size + added > settings.targetChars;
    if (
      current.length > 0 &&
      overTarget &&
      (size >= settings.targetChars / 2 || size + added > settings.maxChars)
    ) {
      chunks.push(current);
      current = openWithOverlap(current, piece, settings);
      size = piecesSize(current) - (current[0]?.glue.length ?? 0);
    }
    size += (current.length === 0 ? 0 : piece.glue.length) + piece.text.length;
    current.push(piece);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The start of the next chunk: the previous chunk's closing prose, if it fits alongside `next`. */
function openWithOverlap(previous: Piece[], next: Piece, settings: Required<ChunkOptions>): Piece[] {
  if (settings.overlapChars <= 0) return [];
  const tail = tailText(trailingProse(previous), settings.overlapChars);
  if (tail.trim() === '' || tail.length + next.glue.length + next.text.length > settings.maxChars) return [];
  // The prose ends on the last piece's end line, so the tail starts as many lines earlier as it spans.
  const endLine = (previous[previous.length - 1] as Piece).endLine;
  const startLine = endLine - countNewlines(tail.trimEnd());
  return [{ text: tail, glue: '', startLine, endLine, prose: true }];
}

/** The text of the paragraph a chunk ends in, as far as the chunk holds it; empty if it ends in anything else. */
function trailingProse(pieces: Piece[]): string {
  let text = '';
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i] as Piece;
    if (!piece.prose) break;
    text = piece.text + text;
    if (piece.glue !== '') break;
  }
  return text;
}

function toChunk(title: string, section: Section, pieces: Piece[], index: number, startLine: number): Chunk {
  const rawText = pieces
    .map((piece, i) => (i === 0 ? piece.text.trimStart() : piece.glue + piece.text))
    .join('')
    .trimEnd();
  const context = contextLine(title, section.headingPath);
  return {
    index,
    text: context ? `${context}\n\n${rawText}` : rawText,
    rawText,
    headingPath: section.headingPath,
    heading: section.heading,
    anchor: section.anchor,
    sections: [],
    startLine,
    endLine: pieces[pieces.length - 1]?.endLine ?? section.endLine,
  };
}

/** The sections of a group whose lines the chunk spans; the group's first when none does. */
function coveredSections(sections: Section[], chunk: Chunk): CoveredSection[] {
  const spanned = sections.filter(
    (section) => section.startLine <= chunk.endLine && section.endLine >= chunk.startLine,
  );
  return (spanned.length > 0 ? spanned : sections.slice(0, 1)).map(({ heading, anchor, headingPath }) => ({
    heading,
    anchor,
    headingPath,
  }));
}

/** `Title > Section > Sub`, without repeating the title when the first heading is the title. */
export function contextLine(title: string, headingPath: string[]): string {
  const path = headingPath[0] === title ? headingPath : [title, ...headingPath];
  return path.filter((part) => part !== '').join(CONTEXT_SEPARATOR);
}
