/** Collection sequence numbers and delete tombstones: how index caches in any process catch up with the store. */
import { decodeEmbedding } from './embedding-codec.js';
import type { StatementCache } from './statement-cache.js';
import { notFound } from '../engine/errors.js';
import type { ChangeSet } from '../engine/ports.js';

/**
 * Hands out one new sequence number per collection per write transaction and records tombstones.
 *
 * @remarks The caller must call {@link ChangeLog.beginTransaction} when an outermost write transaction starts,
 * so several writes inside one transaction share one bump of `collections.seq`.
 */
export class ChangeLog {
  readonly #sql: StatementCache;
  readonly #bumped = new Map<string, number>();

  constructor(statements: StatementCache) {
    this.#sql = statements;
  }

  /** Forgets the seqs handed out by the previous transaction. */
  beginTransaction(): void {
    this.#bumped.clear();
  }

  /** The collection's seq for the current transaction, bumping `collections.seq` on first use; NOT_FOUND if absent. */
  seqForWrite(collectionId: string): number {
    const known = this.#bumped.get(collectionId);
    if (known !== undefined) return known;
    const seq = this.#sql
      .get('UPDATE collections SET seq = seq + 1 WHERE id = ? RETURNING seq')
      .pluck()
      .get(collectionId) as number | undefined;
    if (seq === undefined) throw notFound(`Collection ${collectionId} does not exist.`);
    this.#bumped.set(collectionId, seq);
    return seq;
  }

  /** Records that these rowids were deleted at `seq`. */
  addTombstones(collectionId: string, rowids: readonly number[], seq: number): void {
    this.#sql
      .get('INSERT INTO tombstones (collection_id, rowid, seq) SELECT ?, value, ? FROM json_each(?)')
      .run(collectionId, seq, JSON.stringify(rowids));
  }

  /** The collection's current seq, 0 when it does not exist. */
  currentSeq(collectionId: string): number {
    return this.#readSeqs(collectionId)?.seq ?? 0;
  }

  /** Records written and rowids deleted after `seq`; call inside one read transaction for a consistent view. */
  changesSince(collectionId: string, seq: number): ChangeSet {
    const current = this.#readSeqs(collectionId) ?? { seq: 0, floor: 0 };
    const upserts = (
      this.#sql
        .get(
          'SELECT r.rowid AS rowid, e.embedding AS embedding FROM records r ' +
            'LEFT JOIN record_embeddings e ON e.rowid = r.rowid WHERE r.collection_id = ? AND r.seq > ? ' +
            'ORDER BY r.rowid',
        )
        .all(collectionId, seq) as { rowid: number; embedding: Buffer | null }[]
    ).map((row) => ({
      rowid: row.rowid,
      embedding: row.embedding === null ? null : decodeEmbedding(row.embedding),
    }));
    const deletes = this.#sql
      .get('SELECT rowid FROM tombstones WHERE collection_id = ? AND seq > ? ORDER BY seq, rowid')
      .pluck()
      .all(collectionId, seq) as number[];
    return { upserts, deletes, seq: current.seq, rebuild: seq < current.floor };
  }

  /**
   * Drops tombstones with seq <= `throughSeq` (capped at the current seq); caches older than that must rebuild.
   *
   * @returns how many tombstones were removed.
   */
  pruneTombstones(collectionId: string, throughSeq: number): number {
    const floor = this.#sql
      .get(
        'UPDATE collections SET history_floor = max(history_floor, min(?, seq)) WHERE id = ? RETURNING history_floor',
      )
      .pluck()
      .get(throughSeq, collectionId) as number | undefined;
    if (floor === undefined) return 0;
    return this.#sql
      .get('DELETE FROM tombstones WHERE collection_id = ? AND seq <= ?')
      .run(collectionId, floor).changes;
  }

  #readSeqs(collectionId: string): { seq: number; floor: number } | undefined {
    return this.#sql
      .get('SELECT seq, history_floor AS floor FROM collections WHERE id = ?')
      .get(collectionId) as { seq: number; floor: number } | undefined;
  }
}
