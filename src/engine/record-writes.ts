/** Helpers of record writes and filters: argument checks, allowed-label sets and index deltas. */
import { collectionSchema } from './collection-config.js';
import { invalidArgument } from './errors.js';
import { checkFilterIndexes } from './schema-keys.js';
import type { RecordFilter } from './ports.js';
import type { RecordPatch } from './merge-record.js';
import type { CollectionModel, RecordInput } from './types.js';
import { validateEmbeddings, validateIds } from './validate-records.js';
import { parseWhere, parseWhereDocument } from './where/parse-where.js';

/** Vector changes a committed write implies for the index, and the records it wrote. */
export interface IndexDelta {
  labels: number[];
  vectors: Float32Array[];
  removed: readonly number[];
  /** The records written whole (their metadata teaches the collection's schema new keys). */
  written?: readonly RecordInput[];
}

/** Validates embeddings where a null entry means "keep the stored one" (update), leaving those undefined. */
export function validateSparseEmbeddings(
  embeddings: readonly unknown[],
  dimension: number | null,
): (Float32Array | undefined)[] {
  const given = embeddings.filter((e) => e !== null && e !== undefined);
  const vectors = validateEmbeddings(given, dimension);
  let next = 0;
  return embeddings.map((e) => (e === null || e === undefined ? undefined : vectors[next++]));
}

/** Sets of labels already built for a rowid list the store handed out (it caches lists between commits). */
const LABEL_SETS = new WeakMap<readonly number[], Set<number>>();

/** The label set of a rowid list, built once per list the store hands out. */
export function toLabelSet(rowids: readonly number[]): Set<number> {
  let set = LABEL_SETS.get(rowids);
  if (!set) {
    set = new Set(rowids);
    LABEL_SETS.set(rowids, set);
  }
  return set;
}

/** Parses the ids / where / whereDocument of a call into the store's filter. */
export function parseFilter(args: {
  ids?: string[];
  where?: unknown;
  whereDocument?: unknown;
}): RecordFilter {
  const filter: RecordFilter = {};
  if (args.ids !== undefined && args.ids !== null) filter.ids = validateIds(args.ids, 'ids');
  const where = parseWhere(args.where);
  if (where) filter.where = where;
  const whereDocument = parseWhereDocument(args.whereDocument);
  if (whereDocument) filter.whereDocument = whereDocument;
  return filter;
}

/** Parses a call's filters and checks the collection's schema indexes what they test (Chroma refuses otherwise). */
export function parseIndexedFilter(
  collection: CollectionModel,
  args: Parameters<typeof parseFilter>[0],
): RecordFilter {
  const filter = parseFilter(args);
  if (filter.where || filter.whereDocument) checkFilterIndexes(collectionSchema(collection), filter);
  return filter;
}

/** Rejects embeddings whose dimension differs from the collection's (read inside the write transaction). */
export function checkDimension(current: CollectionModel, patches: RecordPatch[]): void {
  const dim = current.dimension;
  if (dim === null) return;
  for (const p of patches) {
    if (p.embedding && p.embedding.length !== dim) {
      throw invalidArgument(
        `Embedding dimension ${p.embedding.length} does not match collection dimensionality ${dim}`,
      );
    }
  }
}

/** The index changes of written records: vectors to upsert, labels to remove; `changed` limits it to some. */
export function toDelta(rowids: number[], records: RecordInput[], changed?: boolean[]): IndexDelta {
  const labels: number[] = [];
  const vectors: Float32Array[] = [];
  const removed: number[] = [];
  records.forEach((record, i) => {
    const rowid = rowids[i] as number;
    if (changed && !changed[i]) return;
    if (record.embedding) {
      labels.push(rowid);
      vectors.push(record.embedding);
    } else removed.push(rowid);
  });
  return { labels, vectors, removed, written: records };
}
