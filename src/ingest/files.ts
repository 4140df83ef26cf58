/** Finding Markdown files under a folder and reading them as text, without ever leaving the folder. */
import fs from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { repairMojibake, type Repair } from './repair-encoding.js';

/** The default pattern for Markdown knowledge bases. */
export const DEFAULT_GLOB = '**/*.{md,mdx,markdown}';

/** The default largest file read, in bytes. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** Why a path was left out of a walk. */
export type SkipReason = 'outside-root';

/** A path the walk saw but did not return. */
export interface SkippedPath {
  /** Path relative to the root, POSIX separators. */
  path: string;
  reason: SkipReason;
}

/** What {@link listMarkdownFiles} found. */
export interface FileListing {
  /** Absolute real path of the root folder. */
  root: string;
  /** Matching files, relative to the root, POSIX separators, sorted. */
  files: string[];
  /** Symlinks that point outside the root; never followed. */
  skipped: SkippedPath[];
}

/** Options of {@link listMarkdownFiles}. */
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
export async function listMarkdownFiles(folder: string, options: ListOptions = {}): Promise<FileListing> {
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

/** Why a file could not be read as text. */
export type ReadFailureReason = 'binary' | 'invalid-utf8' | 'too-large' | 'not-a-file' | 'unreadable';

/** The outcome of {@link readTextFile}: the text and its bytes, or a typed reason and a message without the path. */
export type ReadResult =
  | { ok: true; text: string; bytes: Buffer; repair: Repair }
  | { ok: false; reason: ReadFailureReason; message: string };

/**
 * Reads a UTF-8 text file, refusing binary, invalid UTF-8, oversize and unreadable files with a reason.
 *
 * @remarks Never throws for file-level problems; a leading byte order mark is dropped from `text`. Lines that are
 * mojibake (UTF-8 once misread as Mac Roman, Windows-1252 or Latin-1 and saved again) are repaired, and `repair`
 * says so.
 */
export async function readTextFile(file: string, maxBytes: number = DEFAULT_MAX_BYTES): Promise<ReadResult> {
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
  return decodeText(bytes);
}

function decodeText(bytes: Buffer): ReadResult {
  if (bytes.includes(0)) return failure('binary', 'contains NUL bytes (binary)');
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    const repair = repairMojibake(text);
    return { ok: true, text: repair.text, bytes, repair };
  } catch {
    return failure('invalid-utf8', 'not valid UTF-8');
  }
}

function failure(reason: ReadFailureReason, message: string): ReadResult {
  return { ok: false, reason, message };
}
