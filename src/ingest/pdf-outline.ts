/** A PDF's outline (bookmarks) as a flat list of headings: title, level, page and height on the page. */
import type { getDocumentProxy } from 'unpdf';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/** One outline entry that leads to a page of the document. */
export interface OutlineEntry {
  title: string;
  /** Nesting level, from 1. */
  depth: number;
  /** 1-based page number. */
  page: number;
  /** The destination's top on the page (PDF units, y up), when the destination gives one. */
  y: number | null;
}

/** Most outline entries read; a hostile outline can be made huge or circular. */
export const MAX_OUTLINE_ENTRIES = 10_000;

interface OutlineNode {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineNode[];
}

/**
 * The outline's entries in document order, without those that lead nowhere in the document (links, broken
 * destinations); empty when the PDF has no outline or it cannot be read.
 */
export async function readOutline(pdf: PdfDocument): Promise<OutlineEntry[]> {
  const roots = ((await pdf.getOutline().catch(() => null)) ?? []) as OutlineNode[];
  const entries: OutlineEntry[] = [];
  const stack = roots.map((node) => ({ node, depth: 1 })).reverse();
  let visited = 0;
  for (let item = stack.pop(); item !== undefined && visited < MAX_OUTLINE_ENTRIES; item = stack.pop()) {
    visited += 1;
    const { node, depth } = item;
    const target = await resolve(pdf, node.dest);
    const title = String(node.title ?? '')
      .replace(/\s+/g, ' ')
      .trim();
    if (target !== null && title !== '') entries.push({ title, depth, ...target });
    for (let i = (node.items ?? []).length - 1; i >= 0; i--)
      stack.push({ node: node.items[i] as OutlineNode, depth: depth + 1 });
  }
  return entries;
}

async function resolve(
  pdf: PdfDocument,
  dest: OutlineNode['dest'],
): Promise<{ page: number; y: number | null } | null> {
  try {
    const explicit = typeof dest === 'string' ? await pdf.getDestination(dest) : dest;
    if (!Array.isArray(explicit) || explicit.length === 0) return null;
    const [ref, kind, first, second] = explicit as [unknown, { name?: string } | undefined, unknown, unknown];
    const index =
      typeof ref === 'number'
        ? ref
        : await pdf.getPageIndex(ref as Parameters<PdfDocument['getPageIndex']>[0]);
    // [page /XYZ left top zoom], [page /FitH top], [page /FitBH top]; other kinds give no height.
    const y = kind?.name === 'XYZ' ? second : kind?.name === 'FitH' || kind?.name === 'FitBH' ? first : null;
    return { page: index + 1, y: typeof y === 'number' ? y : null };
  } catch {
    return null;
  }
}
