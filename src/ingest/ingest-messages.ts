/** What an ingest tells a person when it cannot do its job: which input was wrong, and every way out. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { isEngineError } from '../engine/errors.js';
import { HttpTargetError } from './http-collection.js';

/** Chroma error names (the wire form of engine codes) of failures that concern one file's content only. */
const FILE_ERROR_NAMES = new Set([
  'InvalidArgumentError',
  'UnprocessableEntityError',
  'PayloadTooLargeError',
]);
/** Chroma error names of an embedding function that cannot run (FAILED_PRECONDITION, UNAVAILABLE). */
const EMBEDDING_ERROR_NAMES = new Set(['FailedPreconditionError', 'ServiceUnavailableError']);

/** Whether a failed write concerns that file's content, so the run may go on with the next file. */
export function isFileError(error: unknown): boolean {
  if (error instanceof HttpTargetError) return FILE_ERROR_NAMES.has(error.errorName);
  return isEngineError(error, 'INVALID_ARGUMENT');
}

/** Whether a failed write means the collection's embedding function cannot run here. */
export function isEmbeddingFailure(error: unknown): boolean {
  if (error instanceof HttpTargetError) return EMBEDDING_ERROR_NAMES.has(error.errorName);
  return isEngineError(error, 'FAILED_PRECONDITION') || isEngineError(error, 'UNAVAILABLE');
}

/** What the embedding advice needs to know about the run. */
export interface EmbeddingAdviceContext {
  collection: string;
  /** The collection's binding; undefined when the server does not say. */
  embedding: string | null | undefined;
  /** Whether the collection existed before this run (then changing KBGATE_EMBEDDING alone does not help). */
  existed: boolean;
  /** Writing through a server: the settings belong to the server, not to this command. */
  remote: boolean;
  /** How the user runs kbgate's commands here (`kbgate` or `npm run kbgate --`). */
  command: string;
}

/** The lines after "the embedding failed": every way to a knowledge base that works. */
export function embeddingWaysOut(context: EmbeddingAdviceContext): string[] {
  const lines = [
    context.remote ? 'Ways out (settings of the kbgate server at --url):' : 'Ways out:',
    '  - get the local model: `npm run model:download` (on a machine with internet access, then copy the folder here) ' +
      'and set KBGATE_MODEL_DIR to that folder',
    '  - KBGATE_EMBEDDING=none: a lexical-only knowledge base (BM25 keyword search, no model needed)',
    '  - KBGATE_EMBEDDING=openai:<model> and KBGATE_EMBEDDING_URL=http://<host>:<port>/v1: an OpenAI-compatible ' +
      'embeddings server (FastChat, vLLM, Ollama, OpenAI)',
  ];
  if (context.existed) {
    const bound =
      context.embedding === undefined ? '' : ` is bound to ${JSON.stringify(context.embedding)} and`;
    lines.push(
      `The collection "${context.collection}"${bound} keeps its binding whatever KBGATE_EMBEDDING says: change it with ` +
        `\`${context.command} collections rebind ${context.collection} --embedding none\` ` +
        `(or another function), or remove it with \`${context.command} collections delete ${context.collection}\`.`,
    );
  }
  return lines;
}

/** Checks that every folder exists and is a folder; resolves to a message naming what is wrong, or null. */
export async function checkFolders(folders: string[]): Promise<string | null> {
  for (const folder of folders) {
    const absolute = path.resolve(folder);
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        return `folder ${folder} does not exist (looked for ${absolute})`;
      return `folder ${folder} cannot be read (${code ?? (error as Error).message})`;
    }
    if (!info.isDirectory())
      return `${folder} is a file, not a folder: pass the folder that holds your documents (${absolute})`;
  }
  return null;
}

/** The message for folders where the glob matched nothing: what was looked for, where, and what is there. */
export async function describeNothingFound(folders: string[], pattern: string): Promise<string> {
  const lines = [`no files match --glob "${pattern}" in ${folders.join(', ')}; nothing was ingested.`];
  for (const folder of folders) {
    const absolute = path.resolve(folder);
    const present = await glob('**/*', { cwd: absolute, onlyFiles: true, followSymbolicLinks: false });
    const sample = present.slice(0, 3).join(', ');
    const what =
      present.length === 0
        ? 'the folder is empty'
        : `${present.length} other file${present.length === 1 ? '' : 's'}, e.g. ${sample}`;
    lines.push(`  ${absolute}: ${what}`);
  }
  lines.push(
    'Point ingest at the folder of your documents (.md, .mdx, .txt, .html, .docx, .pdf), or pass --glob for other names.',
  );
  return lines.join('\n');
}
