/** The console's collection browser: pages of records, and one record with its source and its file's other chunks. */
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../engine/database.js';
import type { Metadata } from '../../engine/types.js';
import { sourceOf } from '../../retrieval/source-of.js';
import type { SearchSource } from '../../retrieval/hybrid-search.js';

/** Records per page when the request names no limit, and at most. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Characters of each document a page shows. */
const PREVIEW_CHARS = 280;
/** Other chunks of the same file listed with a record, at most. */
const MAX_SIBLINGS = 200;

/** What page to read. */
export interface PageRequest {
  collection: string;
  offset: number;
  limit: number;
  /** Only records whose document contains this text (case-sensitive, as Chroma's `$contains`). */
  contains?: string;
  where?: Record<string, unknown>;
}

/** One record in a page: its id, the start of its document, its metadata and source. */
export interface RecordRow {
  id: string;
  preview: string;
  length: number;
  metadata: Metadata | null;
  source: SearchSource;
}

/** A page of records; `total` is known when nothing filters them. */
export interface RecordPage {
  collection: string;
  offset: number;
  limit: number;
  total: number | null;
  more: boolean;
  records: RecordRow[];
}

/** One record in full, with the ids of the chunks its file was split into. */
export interface RecordDetail {
  collection: string;
  id: string;
  document: string | null;
  metadata: Metadata | null;
  source: SearchSource;
  /** The embedding's dimension and first components, or null when the record has none. */
  embedding: { dimension: number; head: number[] } | null;
  siblings: { id: string; heading: string | null; lines: [number, number] | null }[];
}

/** Reads one page of a collection's records, in storage order. */
export async function readRecordPage(engine: Engine, request: PageRequest): Promise<RecordPage> {
  const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, request.collection);
  const filtered = request.contains !== undefined || request.where !== undefined;
  const got = await engine.get(model.id, {
    where: request.where,
    whereDocument: request.contains === undefined ? undefined : { $contains: request.contains },
    offset: request.offset,
    limit: request.limit + 1,
    include: ['documents', 'metadatas'],
  });
  const rows = got.ids.slice(0, request.limit).map((id, i) => {
    const document = got.documents?.[i] ?? '';
    const metadata = got.metadatas?.[i] ?? null;
    return { id, preview: preview(document), length: document.length, metadata, source: sourceOf(metadata) };
  });
  return {
    collection: model.name,
    offset: request.offset,
    limit: request.limit,
    total: filtered ? null : await engine.count(model.id),
    more: got.ids.length > request.limit,
    records: rows,
  };
}

/** Reads one record in full; NOT_FOUND when the collection or the record does not exist. */
export async function readRecord(
  engine: Engine,
  collection: string,
  id: string,
): Promise<RecordDetail | null> {
  const model = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, collection);
  const got = await engine.get(model.id, { ids: [id], include: ['documents', 'metadatas', 'embeddings'] });
  if (got.ids.length === 0) return null;
  const metadata = got.metadatas?.[0] ?? null;
  const vector = (got.embeddings?.[0] as number[] | null | undefined) ?? null;
  const source = sourceOf(metadata);
  return {
    collection: model.name,
    id,
    document: got.documents?.[0] ?? null,
    metadata,
    source,
    embedding:
      vector === null || vector.length === 0
        ? null
        : { dimension: vector.length, head: [...vector.slice(0, 8)].map(round) },
    siblings: source.path === null ? [] : await readSiblings(engine, model.id, source.path),
  };
}

async function readSiblings(
  engine: Engine,
  collectionId: string,
  path: string,
): Promise<RecordDetail['siblings']> {
  const got = await engine.get(collectionId, {
    where: { source: path },
    limit: MAX_SIBLINGS,
    include: ['metadatas'],
  });
  const siblings = got.ids.map((id, i) => {
    const source = sourceOf(got.metadatas?.[i] ?? null);
    return { id, heading: source.heading, lines: source.lines };
  });
  return siblings.sort((a, b) => (a.lines?.[0] ?? 0) - (b.lines?.[0] ?? 0));
}

function preview(document: string): string {
  const flat = document.replace(/\s+/gu, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
