/** The summary of the last ingest run, kept in its collection's metadata so that the console can show it. */
import type { Metadata } from '../engine/types.js';
import type { SyncReport } from './sync.js';

/** Collection metadata key holding {@link LastIngest} as JSON. */
export const LAST_INGEST_KEY = 'kbgate:last_ingest';

/** When the last ingest into a collection finished and what it did. */
export interface LastIngest {
  /** ISO 8601 time the run finished. */
  at: string;
  /** Files looked at: added, updated, unchanged and failed. */
  files: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: number;
  /** Chunks written. */
  chunks: number;
  seconds: number;
}

/**
 * The collection metadata that records a finished run, merged into what the collection has.
 *
 * @remarks Collection metadata, rather than a file, so a run through `--url` (as in docker compose) is recorded
 * on the server too; one key, so Chroma clients see one extra entry.
 */
export function withLastIngest(metadata: Metadata | null, report: SyncReport, at: Date): Metadata {
  const run: LastIngest = {
    at: at.toISOString(),
    files: report.added + report.updated + report.unchanged + report.failed,
    added: report.added,
    updated: report.updated,
    unchanged: report.unchanged,
    removed: report.removed,
    failed: report.failed,
    chunks: report.chunks,
    seconds: Math.round(report.seconds * 100) / 100,
  };
  return { ...metadata, [LAST_INGEST_KEY]: JSON.stringify(run) };
}

/** The last run recorded in a collection's metadata, or null when there is none (or it is unreadable). */
export function readLastIngest(metadata: Metadata | null): LastIngest | null {
  const value = metadata?.[LAST_INGEST_KEY];
  if (typeof value !== 'string') return null;
  try {
    const run = JSON.parse(value) as Partial<LastIngest>;
    return typeof run.at === 'string' && typeof run.files === 'number' ? (run as LastIngest) : null;
  } catch {
    return null;
  }
}
