/** One ingest run: check the folders, open the target (data directory or server), sync, report, pick the exit code. */
import { SingleBar } from 'cli-progress';
import type { Config } from '../config.js';
import { DEFAULT_GLOB, DOCUMENT_FORMATS, FORMAT_NAMES } from './formats.js';
import {
  checkFolders,
  describeNothingFound,
  embeddingWaysOut,
  isEmbeddingFailure,
  isFileError,
} from './ingest-messages.js';
import { openIngestTarget, type OpenedTarget } from './ingest-target.js';
import { listSources } from './sources.js';
import { syncFolders, SyncStoppedError, type SyncOptions, type SyncReport } from './sync.js';

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
  /** How advice spells kbgate's commands (`kbgate`, `npm run kbgate --`); default `kbgate`. */
  command?: string;
}

/** Exit codes: success, some files failed, the run could not start or stopped. */
export const EXIT_OK = 0;
export const EXIT_FILES_FAILED = 1;
export const EXIT_ERROR = 2;

/** Runs an ingest and reports it; resolves to the process exit code. */
export async function runIngest(request: IngestRequest, config: Config, io: IngestIo): Promise<number> {
  const fail = (text: string): number => {
    io.stderr.write(`ingest: ${text}\n`);
    return EXIT_ERROR;
  };
  const wrongFolder = await checkFolders(request.folders);
  if (wrongFolder !== null) return fail(wrongFolder);
  let opened: OpenedTarget;
  let sources;
  try {
    sources = await listSources(request.folders, request.glob);
    if (sources.files.length === 0)
      return fail(await describeNothingFound(request.folders, request.glob ?? DEFAULT_GLOB));
    opened = await openIngestTarget(request, config);
  } catch (error) {
    return fail((error as Error).message);
  }
  const bar = io.stderr.isTTY
    ? new SingleBar({ stream: io.stderr, format: '{bar} {value}/{total} files | {file}' })
    : null;
  try {
    const report = await syncFolders(opened.target, {
      ...request,
      sources,
      isFileError,
      onProgress: ({ done, total, source }) => {
        if (done === 1) bar?.start(total, 0, { file: '' });
        bar?.update(done, { file: source });
      },
    });
    bar?.stop();
    const removed = await removeIfEmpty(opened);
    if (!request.dryRun && !removed)
      await opened.recordRun(report).catch((error: unknown) => {
        io.stderr.write(`warning  could not record the run: ${(error as Error).message}\n`);
      });
    writeReport(report, request, io);
    return report.failed > 0 ? EXIT_FILES_FAILED : EXIT_OK;
  } catch (error) {
    bar?.stop();
    const removed = await removeIfEmpty(opened).catch(() => false);
    writeStop(error, { request, opened, removed, io });
    return EXIT_ERROR;
  } finally {
    opened.close();
  }
}

/** Removes the collection this run created when nothing was stored in it; resolves to whether it did. */
async function removeIfEmpty(opened: OpenedTarget): Promise<boolean> {
  if (!opened.created || (await opened.count()) > 0) return false;
  await opened.drop();
  return true;
}

interface StopContext {
  request: IngestRequest;
  opened: OpenedTarget;
  removed: boolean;
  io: IngestIo;
}

/** One paragraph for a run that stopped: where, why, what was kept, and for embedding failures every way out. */
function writeStop(error: unknown, { request, opened, removed, io }: StopContext): void {
  const lines = [`ingest: ${(error as Error).message}`];
  if (error instanceof SyncStoppedError) {
    const { report } = error;
    const kept = report.added + report.updated;
    lines.push(
      kept > 0
        ? `  ${kept} file(s) were stored before it stopped; rerun to continue.`
        : `  Nothing was stored${removed ? `; the collection "${request.collection}" was not created` : ''}.`,
    );
    if (isEmbeddingFailure(error.cause)) {
      const context = {
        collection: request.collection,
        embedding: opened.embedding,
        existed: !opened.created,
        remote: request.url !== undefined,
        command: io.command ?? 'kbgate',
      };
      lines.splice(
        1,
        0,
        `  The collection embeds its documents with ${JSON.stringify(opened.embedding ?? 'the server default')}, which is not usable here.`,
      );
      lines.push(...embeddingWaysOut(context));
    }
  }
  io.stderr.write(`${lines.join('\n')}\n`);
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

/** `docs: 3 added, 1 updated, ... ; 42 chunks in 1.20 s; files: 3 Markdown, 1 PDF`, marked when nothing was written. */
export function summaryLine(
  report: SyncReport,
  request: Pick<IngestRequest, 'collection' | 'dryRun'>,
): string {
  const counts = `${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed, ${report.failed} failed`;
  const dry = request.dryRun ? ' (dry run, nothing written)' : '';
  const formats = formatCounts(report);
  return `${request.collection}: ${counts}; ${report.chunks} chunks in ${report.seconds.toFixed(2)} s${formats}${dry}`;
}

/** `; files: 3 Markdown, 1 PDF`: the files seen, by format; empty when none was seen. */
function formatCounts(report: SyncReport): string {
  const counts = DOCUMENT_FORMATS.filter((format) => report.formats[format] > 0).map(
    (format) => `${report.formats[format]} ${FORMAT_NAMES[format]}`,
  );
  return counts.length === 0 ? '' : `; files: ${counts.join(', ')}`;
}
