/** One ingest run: open the target (data directory or server), sync, show progress, report, pick the exit code. */
import { SingleBar } from 'cli-progress';
import { PersistentClient } from '../client.js';
import type { Config } from '../config.js';
import { embeddingOptionsFrom } from '../engine-factory.js';
import { EngineError } from '../engine/errors.js';
import { HttpCollection, HttpTargetError } from './http-collection.js';
import { syncFolders, type SyncOptions, type SyncReport, type SyncTarget } from './sync.js';

/** What the command line asked for. */
export interface IngestRequest extends Omit<SyncOptions, 'onProgress'> {
  collection: string;
  url?: string;
  token?: string;
}

/** Where a run writes its output. */
export interface IngestIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Exit codes: success, some files failed, the run could not start. */
export const EXIT_OK = 0;
export const EXIT_FILES_FAILED = 1;
export const EXIT_ERROR = 2;

/** A collection that does not exist yet, as a dry run sees it: empty, and never written. */
const EMPTY_TARGET: SyncTarget = {
  get: async () => ({ ids: [], embeddings: null, documents: null, metadatas: [], uris: null, include: [] }),
  upsert: async () => {
    throw new Error('a dry run never writes');
  },
  delete: async () => {
    throw new Error('a dry run never writes');
  },
};

/** Runs an ingest and reports it; resolves to the process exit code. */
export async function runIngest(request: IngestRequest, config: Config, io: IngestIo): Promise<number> {
  let opened: { target: SyncTarget; close: () => void };
  try {
    opened = await openTarget(request, config);
  } catch (error) {
    io.stderr.write(`ingest: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
  const bar = io.stderr.isTTY
    ? new SingleBar({ stream: io.stderr, format: '{bar} {value}/{total} files | {file}' })
    : null;
  try {
    const report = await syncFolders(opened.target, {
      ...request,
      onProgress: ({ done, total, source }) => {
        if (done === 1) bar?.start(total, 0, { file: '' });
        bar?.update(done, { file: source });
      },
    });
    bar?.stop();
    writeReport(report, request, io);
    return report.failed > 0 ? EXIT_FILES_FAILED : EXIT_OK;
  } catch (error) {
    bar?.stop();
    io.stderr.write(`ingest: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  } finally {
    opened.close();
  }
}

async function openTarget(
  request: IngestRequest,
  config: Config,
): Promise<{ target: SyncTarget; close: () => void }> {
  if (request.url) return { target: await openHttp(request, config), close: () => {} };
  if (config.dataDir === null)
    throw new Error('KBGATE_DATA_DIR is :memory:; ingest needs a data directory or --url');
  const client = new PersistentClient({ path: config.dataDir, ...embeddingOptionsFrom(config) });
  const close = () => client.close();
  try {
    if (!request.dryRun)
      return { target: await client.getOrCreateCollection({ name: request.collection }), close };
    return { target: await client.getCollection({ name: request.collection }), close };
  } catch (error) {
    if (request.dryRun && error instanceof EngineError && error.code === 'NOT_FOUND')
      return { target: EMPTY_TARGET, close };
    close();
    throw error;
  }
}

async function openHttp(request: IngestRequest, config: Config): Promise<SyncTarget> {
  const options = { url: request.url as string, token: request.token ?? config.authToken };
  try {
    return await HttpCollection.open(options, request.collection, !request.dryRun);
  } catch (error) {
    if (request.dryRun && error instanceof HttpTargetError && error.status === 404) return EMPTY_TARGET;
    throw error;
  }
}

/** One summary line on stdout; failures, skipped symlinks and warnings on stderr, one per line. */
function writeReport(report: SyncReport, request: IngestRequest, io: IngestIo): void {
  for (const failure of report.failures)
    io.stderr.write(`failed   ${failure.source}: ${failure.reason}: ${failure.message}\n`);
  for (const skipped of report.skipped)
    io.stderr.write(`skipped  ${skipped}: symlink outside the folder, not followed\n`);
  for (const warning of report.warnings) io.stderr.write(`warning  ${warning.source}: ${warning.message}\n`);
  io.stdout.write(`${summaryLine(report, request)}\n`);
}

/** `docs: 3 added, 1 updated, ... ; 42 chunks in 1.20 s`, marked when nothing was written. */
export function summaryLine(
  report: SyncReport,
  request: Pick<IngestRequest, 'collection' | 'dryRun'>,
): string {
  const counts = `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed, ${report.failed} failed`;
  const dry = request.dryRun ? ' (dry run, nothing written)' : '';
  return `${request.collection}: ${counts}; ${report.chunks} chunks in ${report.seconds.toFixed(2)} s${dry}`;
}
