/** HTML to Markdown through the unified syntax trees: rehype-parse, page chrome dropped, rehype-remark, remark-stringify. */
import type { Element, ElementContent, Nodes as HastNodes, Root as HastRoot } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import rehypeParse from 'rehype-parse';
import rehypeRemark from 'rehype-remark';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { ConversionError, type ConvertedDocument } from './converted-document.js';

/** Deepest element nesting converted; Chromium's HTML parser stops nesting at the same depth. */
export const MAX_HTML_DEPTH = 512;

/** Elements that are never content: scripts, styles, navigation, forms and embedded objects. */
const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'iframe',
  'object',
  'embed',
  'svg',
  'canvas',
  'form',
  'button',
  'select',
  'input',
  'textarea',
  'dialog',
  'link',
  'meta',
]);
/** ARIA roles of page chrome. */
const DROPPED_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'menu',
  'menubar',
  'toolbar',
]);
/** Elements inside which a header or footer belongs to the content (an article's byline), not to the site. */
const CONTENT_SECTIONS = new Set(['article', 'section', 'main']);

const PARSE = unified().use(rehypeParse);
const TO_MDAST = unified().use(rehypeRemark);
const STRINGIFY = unified().use(remarkGfm).use(remarkStringify, { bullet: '-', fences: true, rule: '-' });

/**
 * Converts an HTML page to Markdown: its main content (the `<main>` element or lone `<article>` when there is
 * one, else the body), without scripts, styles, navigation, forms, hidden elements and the site's header and
 * footer. Headings keep their `id` as their anchor; images become their alt text.
 *
 * @throws {ConversionError} `over-limit` when elements nest deeper than {@link MAX_HTML_DEPTH}.
 */
export function convertHtml(html: string): ConvertedDocument {
  const tree = parseHtml(html);
  const head = readHead(tree);
  const content = contentRoot(tree);
  const anchors = new Map<number, string>();
  clean(content, anchors, false);
  const mdast = TO_MDAST.runSync(content) as unknown as MdastRoot;
  const headingAnchors = mdast.children
    .filter((node) => node.type === 'heading')
    .map((node) => anchors.get(node.position?.start.offset ?? -1) ?? null);
  return {
    markdown: STRINGIFY.stringify(mdast),
    title: null,
    fallbackTitle: head.title,
    metadata: head.metadata,
    headingAnchors,
    pageStarts: null,
    warnings: [],
  };
}

function parseHtml(html: string): HastRoot {
  let tree: HastRoot;
  try {
    tree = PARSE.parse(html);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(`more than ${MAX_HTML_DEPTH}`);
    throw error;
  }
  const depth = maxDepth(tree);
  if (depth > MAX_HTML_DEPTH) throw tooDeep(String(depth));
  return tree;
}

function tooDeep(depth: string): ConversionError {
  return new ConversionError(
    'over-limit',
    `HTML elements nest ${depth} levels deep, over the limit of ${MAX_HTML_DEPTH}`,
  );
}

/** The deepest nesting of the tree, walked without recursion. */
function maxDepth(tree: HastRoot): number {
  let deepest = 0;
  const stack: [HastNodes, number][] = [[tree, 0]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    deepest = Math.max(deepest, depth);
    if ('children' in node) for (const child of node.children) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The `<title>` and the `<meta>` description, keywords and author. */
function readHead(tree: HastRoot): { title: string | null; metadata: Record<string, string | string[]> } {
  const metadata: Record<string, string | string[]> = {};
  let title: string | null = null;
  for (const element of elements(tree)) {
    if (element.tagName === 'title' && title === null) title = textOf(element).trim() || null;
    if (element.tagName !== 'meta') continue;
    const name = String(element.properties.name ?? '').toLowerCase();
    const content = String(element.properties.content ?? '').trim();
    if (content === '') continue;
    if (name === 'description' || name === 'author') metadata[name] = content;
    if (name === 'keywords') {
      const tags = content
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean);
      if (tags.length > 0) metadata.tags = tags;
    }
  }
  return { title, metadata };
}

/** The element holding the page's content: `<main>` (or role=main), a lone `<article>`, else the whole page. */
function contentRoot(tree: HastRoot): HastRoot {
  const all = elements(tree);
  const main = all.find((el) => el.tagName === 'main' || el.properties.role === 'main');
  const articles = all.filter((el) => el.tagName === 'article');
  const chosen = main ?? (articles.length === 1 ? articles[0] : undefined);
  return chosen ? { type: 'root', children: [chosen] } : tree;
}

/** Drops what is not content, in place; records each heading's anchor by its source offset. */
function clean(parent: HastRoot | Element, anchors: Map<number, string>, inContent: boolean): void {
  const kept: (typeof parent.children)[number][] = [];
  for (const child of parent.children) {
    if (child.type === 'comment' || child.type === 'doctype') continue;
    if (child.type !== 'element') {
      kept.push(child);
      continue;
    }
    if (isChrome(child, inContent)) continue;
    if (child.tagName === 'a' && isEmpty(child)) continue;
    if (child.tagName === 'img') {
      const alt = String(child.properties.alt ?? '').trim();
      if (alt !== '') kept.push({ type: 'text', value: alt });
      continue;
    }
    recordAnchor(child, anchors);
    if (child.tagName === 'table') promoteHeaderRow(child);
    clean(child, anchors, inContent || CONTENT_SECTIONS.has(child.tagName));
    // A link within the page (a heading's self-link) means nothing once the passage is out of the page.
    if (child.tagName === 'a' && String(child.properties.href ?? '').startsWith('#'))
      kept.push(...child.children);
    else kept.push(child);
  }
  parent.children = kept as ElementContent[];
}

/** Makes a table without header cells (as Word writes them) use its first row as the header row. */
function promoteHeaderRow(table: Element): void {
  const all = elements({ type: 'root', children: [table] });
  if (all.some((el) => el.tagName === 'th')) return;
  const firstRow = all.find((el) => el.tagName === 'tr');
  for (const cell of firstRow?.children ?? [])
    if (cell.type === 'element' && cell.tagName === 'td') cell.tagName = 'th';
}

/** An element with no text and no elements inside: a bare `<a name>` target. */
function isEmpty(element: Element): boolean {
  return element.children.every((child) => child.type === 'text' && child.value.trim() === '');
}

function isChrome(element: Element, inContent: boolean): boolean {
  if (DROPPED.has(element.tagName)) return true;
  if (DROPPED_ROLES.has(String(element.properties.role ?? ''))) return true;
  if (element.properties.hidden !== undefined && element.properties.hidden !== false) return true;
  if (String(element.properties.ariaHidden ?? '') === 'true') return true;
  return (
    !inContent &&
    (element.tagName === 'header' || element.tagName === 'footer' || element.tagName === 'aside')
  );
}

/** A heading's anchor: its own `id`, else that of a leading `<a id>` or `<a name>` inside it. */
function recordAnchor(element: Element, anchors: Map<number, string>): void {
  if (!/^h[1-6]$/.test(element.tagName)) return;
  const offset = element.position?.start.offset;
  if (offset === undefined) return;
  const inner = element.children.find(
    (child): child is Element => child.type === 'element' && child.tagName === 'a',
  );
  const id = element.properties.id ?? inner?.properties.id ?? inner?.properties.name;
  if (typeof id === 'string' && id !== '') anchors.set(offset, id);
}

function elements(tree: HastRoot): Element[] {
  const found: Element[] = [];
  const stack: HastNodes[] = [tree];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.type === 'element') found.push(node);
    if ('children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as HastNodes);
  }
  return found;
}

function textOf(node: HastNodes): string {
  if (node.type === 'text') return node.value;
  return 'children' in node ? node.children.map((child) => textOf(child as HastNodes)).join('') : '';
}

/**
 * The encoding an HTML file declares in its first 1,024 bytes (`<meta charset>` or `http-equiv`), as browsers
 * look for it; null when it declares none.
 */
export function declaredCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const match =
    /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head) ??
    /<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)/i.exec(head);
  return match?.[1] ?? null;
}
