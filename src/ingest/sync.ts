/** Incremental sync of document folders into a collection: unchanged files skipped by hash, stale chunks removed. */
import { createHash } from 'node:crypto';
import type { AddArgs, DeleteArgs, GetArgs } from '../engine/inputs.js';
import type { GetResult, Metadata } from '../engine/types.js';
import type { ChunkOptions } from './chunk.js';
import { toRecords, type ChunkRecord } from './chunk-records.js';
import type { ConversionFailure } from './converted-document.js';
import { DocumentConverter, type ConverterOptions } from './document-converter.js';
import { maxBytesFor, readFileBytes, type ReadFailureReason } from './files.js';
import { DOCUMENT_FORMATS, formatOf, type DocumentFormat } from './formats.js';
import { IsolatedParser, type ParserOptions } from './isolated-parser.js';
import { parseDocument } from './parse-document.js';
import { listSources, type SourceFile, type SourceListing } from './sources.js';

/** Version of the way files become text (decoding, repairs); part of each file's hash. */
const TEXT_PIPELINE = 'text-v2 mojibake-repair';

/**
 * Version of the way each format becomes a document, hashed with the file's bytes so that a file whose reading
 * changed is ingested again. Markdown's is unchanged by encodings other than UTF-8 (files in them used to fail and
 * were never stored); plain text used to be read as Markdown when a custom glob picked it.
 */
const PIPELINES: Readonly<Record<DocumentFormat, string>> = {
  markdown: TEXT_PIPELINE,
  mdx: TEXT_PIPELINE,
  text: `${TEXT_PIPELINE} plain-text-v1`,
  html: `${TEXT_PIPELINE} html-v2`,
  docx: 'docx-v2 html-v2',
  pdf: 'pdf-v2',
};

/** The record operations sync needs; the embedded `Collection` and {@link HttpCollection} both offer them. */
export interface SyncTarget {
  get(args: GetArgs): Promise<GetResult>;
  upsert(args: AddArgs): Promise<void>;
  delete(args: DeleteArgs): Promise<void>;
  /** When offered (the embedded collection), swaps a file's chunks in one transaction. */
  replace?(remove: DeleteArgs, records: AddArgs): Promise<void>;
}

/** What happened to one file. */
export type FileStatus = 'added' | 'updated' | 'unchanged' | 'failed';

/** A progress event, one per file. */
export interface SyncProgress {
  done: number;
  total: number;
  source: string;
  status: FileStatus;
}

/** Options of {@link syncFolders}. */
export interface SyncOptions {
  folders: string[];
  glob?: string;
  /** Delete chunks of sources that no longer exist in the folders. */
  prune?: boolean;
  /** Count what would change without writing anything. */
  dryRun?: boolean;
  /** Largest file read, in bytes; by default 5 MiB for text formats and 50 MiB for PDF and Word files. */
  maxBytes?: number;
  /** Time and memory limits of converting HTML, Word and PDF files. */
  converter?: ConverterOptions;
  /** Time and memory limits of parsing and chunking one file of any format. */
  parser?: ParserOptions;
  chunking?: ChunkOptions;
  /** Records per upsert call (one embedding batch). */
  batchSize?: number;
  onProgress?: (progress: SyncProgress) => void;
  /** The files to sync, when the caller has listed them already ({@link listSources}). */
  sources?: SourceListing;
  /**
   * Whether a failed write is a problem of that file's content (reported, the run goes on) rather than of the
   * target (embedding, storage, credentials: the run stops with {@link SyncStoppedError}). Default: never.
   */
  isFileError?: (error: unknown) => boolean;
}

/** A write failed for a reason that would fail every other file too; the run stopped there. */
export class SyncStoppedError extends Error {
  constructor(
    /** The file whose write failed. */
    readonly source: string,
    /** What the run had done before it stopped. */
    readonly report: SyncReport,
    cause: unknown,
  ) {
    super(`stopped at ${source}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SyncStoppedError';
  }
}

/** A file that was reported and skipped. */
export interface SyncFailure {
  source: string;
  reason: ReadFailureReason | ConversionFailure | 'write-failed';
  message: string;
}

/** The outcome of a sync: counts, failures and parse warnings. */
export interface SyncReport {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: number;
  /** Chunks written (or that would be written in a dry run). */
  chunks: number;
  failures: SyncFailure[];
  /** Symlinks leading outside the folders: never followed, not counted as failures. */
  skipped: string[];
  warnings: { source: string; message: string }[];
  /** Files seen, by format (failed and unchanged ones included). */
  formats: Record<DocumentFormat, number>;
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 64;
const PAGE_SIZE = 1000;

/** What the collection holds for one source. */
interface StoredSource {
  ids: string[];
  complete: (hash: string) => boolean;
}

/**
 * Brings a collection in line with folders of Markdown, plain text, HTML, Word and PDF files.
 *
 * @remarks Ids are `<source>#<chunk index>`, so reruns overwrite rather than duplicate. A changed file's new
 * chunks are upserted first and its stale ones deleted after; a file counts as unchanged only when every
 * stored chunk carries its current hash and all `chunk_count` chunks exist, so an interrupted run is finished
 * by the next one.
 */
export async function syncFolders(target: SyncTarget, options: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const report: SyncReport = {
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    failed: 0,
    chunks: 0,
    failures: [],
    skipped: [],
    warnings: [],
    formats: Object.fromEntries(DOCUMENT_FORMATS.map((format) => [format, 0])) as Record<
      DocumentFormat,
      number
    >,
    seconds: 0,
  };
  const listing = options.sources ?? (await listSources(options.folders, options.glob));
  report.skipped.push(...listing.skipped);
  const jobs = listing.files;
  const stored = await loadStoredSources(target);
  const seen = new Set<string>();
  const converter = new DocumentConverter(options.converter);
  const parser = new IsolatedParser(options.parser);
  try {
    for (const [i, job] of jobs.entries()) {
      seen.add(job.source);
      const status = await syncFile(
        target,
        job,
        stored.get(job.source),
        { ...options, workers: { converter, parser } },
        report,
      ).catch((error: unknown) => {
        report.seconds = (performance.now() - started) / 1000;
        throw error instanceof SyncStoppedError ? error : new SyncStoppedError(job.source, report, error);
      });
      report[status]++;
      options.onProgress?.({ done: i + 1, total: jobs.length, source: job.source, status });
    }
  } finally {
    await Promise.all([converter.close(), parser.close()]);
  }
  if (options.prune) await pruneMissing(target, stored, seen, options, report);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Every stored chunk's source, id, hash and chunk count, read page by page. */
async function loadStoredSources(target: SyncTarget): Promise<Map<string, StoredSource>> {
  const bySource = new Map<string, { ids: string[]; metas: Metadata[] }>();
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await target.get({ include: ['metadatas'], limit: PAGE_SIZE, offset });
    page.ids.forEach((id, i) => {
      const meta = page.metadatas?.[i];
      if (!meta || typeof meta.source !== 'string') return;
      const entry = bySource.get(meta.source) ?? { ids: [], metas: [] };
      entry.ids.push(id);
      entry.metas.push(meta);
      bySource.set(meta.source, entry);
    });
    if (page.ids.length < PAGE_SIZE) break;
  }
  const stored = new Map<string, StoredSource>();
  for (const [source, { ids, metas }] of bySource) {
    const complete = (hash: string) =>
      metas.every((meta) => meta.file_hash === hash && meta.chunk_count === ids.length);
    stored.set(source, { ids, complete });
  }
  return stored;
}

async function syncFile(
  target: SyncTarget,
  job: SourceFile,
  stored: StoredSource | undefined,
  options: SyncOptions & { workers: { converter: DocumentConverter; parser: IsolatedParser } },
  report: SyncReport,
): Promise<FileStatus> {
  const format = formatOf(job.source);
  report.formats[format]++;
  const read = await readFileBytes(job.absolute, maxBytesFor(format, options.maxBytes));
  if (!read.ok) return fail(report, job.source, read.reason, read.message);
  // The format's pipeline version is hashed with the bytes, so a file whose reading changed is ingested again.
  const hash = createHash('sha256').update(read.bytes).update(PIPELINES[format]).digest('hex');
  if (stored?.complete(hash)) return 'unchanged';
  const parsed = await parseDocument(format, read.bytes, job.source, options.workers, options.chunking);
  if (!parsed.ok) return fail(report, job.source, parsed.reason, parsed.message);
  const { doc, chunks } = parsed;
  for (const message of parsed.warnings) report.warnings.push({ source: job.source, message });
  if (chunks.length === 0 && !stored) {
    report.warnings.push({ source: job.source, message: 'holds no text; nothing stored' });
    return 'unchanged';
  }
  report.chunks += chunks.length;
  if (!options.dryRun) {
    try {
      await replaceChunks(target, toRecords(job.source, hash, doc, chunks), stored, options);
    } catch (error) {
      if (!options.isFileError?.(error)) throw new SyncStoppedError(job.source, report, error);
      return fail(report, job.source, 'write-failed', (error as Error).message);
    }
  }
  return stored ? 'updated' : 'added';
}

function fail(
  report: SyncReport,
  source: string,
  reason: SyncFailure['reason'],
  message: string,
): FileStatus {
  report.failures.push({ source, reason, message });
  return 'failed';
}

/**
 * Replaces a changed file's chunks: in one transaction where the target offers it, else by upserting the new
 * chunks in batches and then deleting the ones the new version no longer has (reruns converge).
 */
async function replaceChunks(
  target: SyncTarget,
  records: ChunkRecord[],
  stored: StoredSource | undefined,
  options: SyncOptions,
): Promise<void> {
  if (target.replace && stored) {
    await target.replace(
      { ids: stored.ids },
      {
        ids: records.map((record) => record.id),
        documents: records.map((record) => record.document),
        metadatas: records.map((record) => record.metadata),
      },
    );
    return;
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  for (let i = 0; i < records.length; i += batchSize) {
    const batch = records.slice(i, i + batchSize);
    await target.upsert({
      ids: batch.map((record) => record.id),
      documents: batch.map((record) => record.document),
      metadatas: batch.map((record) => record.metadata),
    });
  }
  const fresh = new Set(records.map((record) => record.id));
  const stale = (stored?.ids ?? []).filter((id) => !fresh.has(id));
  if (stale.length > 0) await target.delete({ ids: stale });
}

/** Deletes every chunk of a stored source that no folder has any more. */
async function pruneMissing(
  target: SyncTarget,
  stored: Map<string, StoredSource>,
  seen: Set<string>,
  options: SyncOptions,
  report: SyncReport,
): Promise<void> {
  for (const [source, entry] of stored) {
    if (seen.has(source)) continue;
    if (!options.dryRun) await target.delete({ ids: entry.ids });
    report.removed++;
  }
}
