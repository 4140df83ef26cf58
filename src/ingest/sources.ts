/** The files an ingest reads: listed from the folders, each named by its source path. */
import path from 'node:path';
import { listDocumentFiles } from './files.js';

/** The files of the folders, listed before anything is read. */
export interface SourceListing {
  files: SourceFile[];
  /** Symlinks leading outside the folders, never followed. */
  skipped: string[];
}

/** One file to sync: its source (the id prefix and `source` metadata) and where to read it. */
export interface SourceFile {
  source: string;
  absolute: string;
}

/** The files of every folder matching the glob; with several folders each source is prefixed by its folder's name. */
export async function listSources(folders: string[], glob?: string): Promise<SourceListing> {
  const prefixes = folderPrefixes(folders);
  const listing: SourceListing = { files: [], skipped: [] };
  for (const [i, folder] of folders.entries()) {
    const found = await listDocumentFiles(folder, { glob });
    const prefix = prefixes[i] ?? '';
    listing.skipped.push(...found.skipped.map((skipped) => prefix + skipped.path));
    for (const file of found.files)
      listing.files.push({ source: prefix + file, absolute: path.join(found.root, file) });
  }
  return listing;
}

/** `''` for a single folder, else `<folder name>/`; two folders of the same name are refused. */
export function folderPrefixes(folders: string[]): string[] {
  if (folders.length <= 1) return folders.map(() => '');
  const names = folders.map((folder) => path.basename(path.resolve(folder)));
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined)
    throw new Error(`two folders are named "${duplicate}"; their sources would collide`);
  return names.map((name) => `${name}/`);
}
