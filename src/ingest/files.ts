/** Finding documents under a folder and reading them, without ever leaving the folder. */
import fs from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { decodeText, type EncodingReport } from './decode-text.js';
import { DEFAULT_GLOB, type DocumentFormat } from './formats.js';
import type { Repair } from './repair-encoding.js';

/** The default largest text file (Markdown, plain text, HTML) read, in bytes. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** The default largest PDF or Word file read, in bytes: such files carry fonts and images besides their text. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** The largest file of a format read: `maxBytes` when given, else the format's default. */
export function maxBytesFor(format: DocumentFormat, maxBytes?: number): number {
  if (maxBytes !== undefined) return maxBytes;
  return format === 'pdf' || format === 'docx' ? DEFAULT_MAX_DOCUMENT_BYTES : DEFAULT_MAX_BYTES;
}

/** Why a path was left out of a walk. */
export type SkipReason = 'outside-root';

/** A path the walk saw but did not return. */
export interface SkippedPath {
  /** Path relative to the root, POSIX separators. */
  path: string;
  reason: SkipReason;
}

/** What {@link listDocumentFiles} found. */
export interface FileListing {
  /** Absolute real path of the root folder. */
  root: string;
  /** Matching files, relative to the root, POSIX separators, sorted. */
  files: string[];
  /** Symlinks that point outside the root; never followed. */
  skipped: SkippedPath[];
}

/** Options of {@link listDocumentFiles}. */
export interface ListOptions {
  /** Glob pattern(s) relative to the root; defaults to {@link DEFAULT_GLOB}. */
  glob?: string | string[];
}

/** Whether `candidate` is `root` itself or lies below it (both absolute, already resolved). */
export function isInsideRoot(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/**
 * Lists the files under `folder` that match the glob, as sorted relative POSIX paths.
 *
 * @remarks Symlinked files are read when their real path lies inside the folder and reported in `skipped`
 * otherwise. Symlinked folders are never walked (no cycles, no duplicate copies of a subtree, no escape);
 * the ones pointing outside are reported too.
 */
export async function listDocumentFiles(folder: string, options: ListOptions = {}): Promise<FileListing> {
  const root = await realpath(folder);
  const escapedDirs: string[] = [];
  const found = await glob(options.glob ?? DEFAULT_GLOB, {
    cwd: root,
    onlyFiles: true,
    followSymbolicLinks: true,
    fs: containedFs(root, escapedDirs),
  });
  const files: string[] = [];
  const skipped: SkippedPath[] = escapedDirs.map((dir) => ({
    path: toPosix(path.relative(root, dir)),
    reason: 'outside-root',
  }));
  for (const relative of found) {
    const inside = await resolvesInside(root, path.join(root, relative));
    if (inside) files.push(toPosix(relative));
    else skipped.push({ path: toPosix(relative), reason: 'outside-root' });
  }
  files.sort();
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, skipped };
}

/**
 * An `fs` for the walker whose `realpath` refuses every symlinked directory, so none is ever walked; the ones
 * pointing outside `root` are recorded. Symlinked files pass and are checked by the caller.
 */
function containedFs(root: string, escapedDirs: string[]): Partial<typeof fs> {
  const guardedRealpath = (link: string, callback: (error: Error | null, resolved: string) => void): void => {
    fs.realpath(link, (error, resolved) => {
      if (error) return callback(error, '');
      fs.stat(resolved, (statError, stat) => {
        if (statError || !stat.isDirectory()) return callback(statError, resolved);
        if (!isInsideRoot(root, resolved)) escapedDirs.push(link);
        callback(new Error(`symlinked folder not followed: ${link}`), '');
      });
    });
  };
  return { ...fs, realpath: guardedRealpath as unknown as typeof fs.realpath };
}

async function resolvesInside(root: string, file: string): Promise<boolean> {
  try {
    return isInsideRoot(root, await realpath(file));
  } catch {
    return false;
  }
}

function toPosix(relative: string): string {
  return relative.split(path.sep).join('/');
}

/** Why a file could not be read. */
export type ReadFailureReason = 'binary' | 'too-large' | 'not-a-file' | 'unreadable';

/** A file that could not be read: a typed reason and a message without the path. */
export type ReadFailure = { ok: false; reason: ReadFailureReason; message: string };

/** The outcome of {@link readTextFile}: the text, its bytes and how they were decoded, or why not. */
export type ReadResult =
  { ok: true; text: string; bytes: Buffer; repair: Repair; encoding: EncodingReport } | ReadFailure;

/**
 * Reads a text file in any encoding, refusing binary, oversize and unreadable files with a reason.
 *
 * @remarks Never throws for file-level problems. See `decodeText` for how the encoding is decided (and mojibake
 * repaired); `encoding` and `repair` say what was done.
 */
export async function readTextFile(file: string, maxBytes: number = DEFAULT_MAX_BYTES): Promise<ReadResult> {
  const read = await readFileBytes(file, maxBytes);
  if (!read.ok) return read;
  const decoded = decodeText(read.bytes);
  if (!decoded.ok) return failure(decoded.reason, decoded.message);
  return {
    ok: true,
    text: decoded.text,
    bytes: read.bytes,
    repair: decoded.repair,
    encoding: decoded.encoding,
  };
}

/** Reads a regular file's bytes, refusing oversize and unreadable files with a reason; never throws for those. */
export async function readFileBytes(
  file: string,
  maxBytes: number,
): Promise<{ ok: true; bytes: Buffer } | ReadFailure> {
  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return failure('not-a-file', 'not a regular file');
      if (stat.size > maxBytes)
        return failure('too-large', `${stat.size} bytes, over the ${maxBytes}-byte limit`);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return failure(
      'unreadable',
      `could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (bytes.length > maxBytes) return failure('too-large', `over the ${maxBytes}-byte limit`);
  return { ok: true, bytes };
}

function failure(reason: ReadFailureReason, message: string): ReadFailure {
  return { ok: false, reason, message };
}
