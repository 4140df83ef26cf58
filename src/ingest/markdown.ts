/** Markdown and MDX source to a flat list of heading sections whose blocks are verbatim source slices. */
import GithubSlugger from 'github-slugger';
import type { Heading, Nodes, Root, RootContent } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Metadata } from '../engine/types.js';
import { parseFrontmatter } from './frontmatter.js';

/** The kind of a block: its mdast node type (`mdx` for JSX text that survived as a block). */
export type BlockKind =
  | 'paragraph'
  | 'code'
  | 'table'
  | 'list'
  | 'blockquote'
  | 'html'
  | 'thematicBreak'
  | 'definition'
  | 'footnoteDefinition'
  | 'math'
  | 'other';

/** One list item of a list block. */
export interface ListItem {
  text: string;
  startLine: number;
  endLine: number;
}

/** One block of a section: its source text exactly as written (minus dropped MDX and comments). */
export interface Block {
  kind: BlockKind;
  text: string;
  /** 1-based first line in the file (frontmatter lines included). */
  startLine: number;
  /** 1-based last line in the file. */
  endLine: number;
  /** For `list` blocks: the items, so a long list can be split between items. */
  items?: ListItem[];
  /** For `list` blocks: whether items are separated by blank lines. */
  spread?: boolean;
}

/** A heading and the blocks up to the next heading; the part before the first heading has depth 0. */
export interface Section {
  /** Heading texts from the outermost enclosing heading down to this one; empty before the first heading. */
  headingPath: string[];
  /** This section's heading text; empty before the first heading. */
  heading: string;
  /** Heading depth 1..6, or 0 before the first heading. */
  depth: number;
  /** GitHub's anchor slug, de-duplicated within the document (`foo`, `foo-1`); empty before the first heading. */
  anchor: string;
  /** The heading's source line (`## Foo`), empty before the first heading. */
  headingSource: string;
  startLine: number;
  endLine: number;
  blocks: Block[];
}

/** A parsed document: title, flat frontmatter metadata and sections. */
export interface ParsedDocument {
  /** Frontmatter title, else the first h1, else the file name without extension. */
  title: string;
  description: string | null;
  tags: string[];
  /** Every usable frontmatter field, flattened (title, description and tags included). */
  frontmatter: Metadata;
  sections: Section[];
  /** Problems that did not stop parsing (invalid frontmatter, MDX parsed as Markdown). */
  warnings: string[];
  /** For paged documents (PDF): the 1-based line each page starts on, page 1 first. */
  pageStarts?: number[];
  /** False when line numbers are those of Markdown converted from the file, which are not worth citing. */
  sourceLines?: boolean;
}

/** Options of {@link parseMarkdown}. */
export interface ParseOptions {
  /** Parse as MDX (imports, exports, expressions and JSX tags dropped); falls back to Markdown on errors. */
  mdx?: boolean;
  /** The file's name or path, for the title fallback. */
  fileName?: string;
}

const MARKDOWN = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm);
const MDX = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkMdx).use(remarkGfm);
const COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const DROPPED_FLOW = new Set(['yaml', 'toml', 'mdxjsEsm', 'mdxFlowExpression']);
const BLOCK_KINDS = new Set<string>([
  'paragraph',
  'code',
  'table',
  'list',
  'blockquote',
  'html',
  'thematicBreak',
  'definition',
  'footnoteDefinition',
  'math',
]);

/** Parses Markdown (or MDX) into title, frontmatter metadata and heading sections. */
export function parseMarkdown(source: string, options: ParseOptions = {}): ParsedDocument {
  const warnings: string[] = [];
  const tree = parseTree(source, options.mdx === true, warnings);
  const yamlNode = tree.children.find((node) => node.type === 'yaml');
  const front = parseFrontmatter(yamlNode?.type === 'yaml' ? yamlNode.value : null, warnings);
  const sections = buildSections(source, flattenFlow(tree.children));
  const firstH1 = sections.find((section) => section.depth === 1)?.heading;
  const title = front.title ?? (firstH1 || fileStem(options.fileName));
  return {
    title,
    description: front.description,
    tags: front.tags,
    frontmatter: front.metadata,
    sections,
    warnings,
  };
}

function parseTree(source: string, mdx: boolean, warnings: string[]): Root {
  if (!mdx) return MARKDOWN.parse(source);
  try {
    return MDX.parse(source);
  } catch (error) {
    warnings.push(`MDX could not be parsed, read as Markdown instead: ${(error as Error).message}`);
    return MARKDOWN.parse(source);
  }
}

/** The file name without folders and extension: the title of a document without one. */
export function fileStem(fileName: string | undefined): string {
  if (!fileName) return '';
  const base = fileName.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.[^.]*$/, '');
}

/** Top-level flow nodes with MDX ESM/expressions dropped and JSX flow elements replaced by their children. */
function flattenFlow(nodes: RootContent[]): RootContent[] {
  const flat: RootContent[] = [];
  for (const node of nodes) {
    if (DROPPED_FLOW.has(node.type)) continue;
    if (node.type === 'mdxJsxFlowElement') flat.push(...flattenFlow(node.children as RootContent[]));
    else flat.push(node);
  }
  return flat;
}

/** Heading sections of top-level flow nodes whose positions point into `source`. */
export function buildSections(source: string, nodes: RootContent[]): Section[] {
  const slugger = new GithubSlugger();
  const sections: Section[] = [];
  const stack: Section[] = [];
  let current: Section | null = null;
  for (const node of nodes) {
    if (node.type === 'heading') {
      current = openSection(source, node, stack, slugger);
      sections.push(current);
      continue;
    }
    const block = toBlock(source, node);
    if (!block) continue;
    if (!current) {
      current = emptySection(block.startLine);
      sections.push(current);
    }
    current.blocks.push(block);
    current.endLine = Math.max(current.endLine, block.endLine);
  }
  return sections;
}

function emptySection(line: number): Section {
  return {
    headingPath: [],
    heading: '',
    depth: 0,
    anchor: '',
    headingSource: '',
    startLine: line,
    endLine: line,
    blocks: [],
  };
}

function openSection(source: string, node: Heading, stack: Section[], slugger: GithubSlugger): Section {
  while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) >= node.depth) stack.pop();
  const heading = plainText(node).trim();
  const span = lineSpan(node);
  const section: Section = {
    headingPath: [...stack.map((parent) => parent.heading), heading],
    heading,
    depth: node.depth,
    anchor: slugger.slug(heading),
    headingSource: sliceClean(source, node).trim(),
    startLine: span.start,
    endLine: span.end,
    blocks: [],
  };
  stack.push(section);
  return section;
}

function toBlock(source: string, node: RootContent): Block | null {
  const text = sliceClean(source, node);
  if (text.trim() === '') return null;
  const kind = (BLOCK_KINDS.has(node.type) ? node.type : 'other') as BlockKind;
  const span = lineSpan(node);
  const block: Block = { kind, text, startLine: span.start, endLine: span.end };
  if (node.type === 'list') {
    block.spread = node.spread === true;
    block.items = node.children.map((item) => ({ text: sliceClean(source, item), ...startEnd(item) }));
  }
  return block;
}

function startEnd(node: Nodes): { startLine: number; endLine: number } {
  const span = lineSpan(node);
  return { startLine: span.start, endLine: span.end };
}

function lineSpan(node: Nodes): { start: number; end: number } {
  return { start: node.position?.start.line ?? 1, end: node.position?.end.line ?? 1 };
}

/** The text of a heading without MDX expressions, JSX tags or HTML. */
function plainText(node: Nodes): string {
  if (node.type === 'mdxTextExpression' || node.type === 'mdxFlowExpression' || node.type === 'html')
    return '';
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return 'value' in node && typeof node.value === 'string' ? node.value : '';
}

/** The node's source text with MDX expressions, JSX tags and HTML comments cut out. */
function sliceClean(source: string, node: Nodes): string {
  const start = node.position?.start.offset ?? 0;
  const end = node.position?.end.offset ?? start;
  const cuts: Array<[number, number]> = [];
  collectCuts(node, cuts);
  cuts.sort((a, b) => a[0] - b[0]);
  let text = '';
  let cursor = start;
  for (const [from, to] of cuts) {
    if (from > cursor) text += source.slice(cursor, from);
    cursor = Math.max(cursor, to);
  }
  text += source.slice(cursor, end);
  return node.type === 'html' ? text.replace(COMMENT, '') : text;
}

function collectCuts(node: Nodes, cuts: Array<[number, number]>): void {
  if (!('children' in node)) return;
  for (const child of node.children as Nodes[]) {
    const start = child.position?.start.offset;
    const end = child.position?.end.offset;
    if (start === undefined || end === undefined) continue;
    if (isDroppedInline(child)) cuts.push([start, end]);
    else if (child.type === 'mdxJsxTextElement' || child.type === 'mdxJsxFlowElement')
      cutTags(child, start, end, cuts);
    if (child.type !== 'code' && child.type !== 'inlineCode') collectCuts(child, cuts);
  }
}

function isDroppedInline(node: Nodes): boolean {
  if (node.type === 'mdxTextExpression' || node.type === 'mdxFlowExpression' || node.type === 'mdxjsEsm')
    return true;
  return node.type === 'html' && node.value.replace(COMMENT, '').trim() === '';
}

/** Cuts a JSX element's opening and closing tags, keeping what lies between them. */
function cutTags(
  node: Nodes & { children: Nodes[] },
  start: number,
  end: number,
  cuts: Array<[number, number]>,
): void {
  const first = node.children[0]?.position?.start.offset;
  const last = node.children[node.children.length - 1]?.position?.end.offset;
  if (first === undefined || last === undefined) {
    cuts.push([start, end]);
    return;
  }
  cuts.push([start, first], [last, end]);
}
