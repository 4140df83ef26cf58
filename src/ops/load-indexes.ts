/** Start-up warm-up: every collection's vector index loaded (or rebuilt) before the server reports ready. */
import type { Logger } from 'pino';
import { DEFAULT_TENANT, type Engine } from '../engine/database.js';

/**
 * Loads the vector index of every collection that has vectors, one per event-loop turn so that heartbeats are
 * answered in between (and stopping when `signal` aborts), reporting progress through `progress` (`loading vector indexes 2/5`) and null when done.
 *
 * @remarks A collection whose index cannot be loaded is logged and skipped: its first query retries, as before.
 */
export async function loadIndexes(
  engine: Engine,
  progress: (state: string | null) => void,
  logger: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const ids = engine
    .listDatabases(DEFAULT_TENANT)
    .flatMap((db) => engine.listCollections(DEFAULT_TENANT, db.name))
    .filter((c) => c.dimension !== null)
    .map((c) => c.id);
  for (const [done, id] of ids.entries()) {
    progress(`loading vector indexes ${done}/${ids.length}`);
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) return;
    try {
      engine.loadIndex(id);
    } catch (err) {
      logger.warn({ err, collection: id }, 'loading a vector index failed; its first query retries');
    }
  }
  progress(null);
}
