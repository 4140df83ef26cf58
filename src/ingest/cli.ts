/** `kbgate ingest` / `npm run ingest`: argument parsing only; the run itself is {@link runIngest}. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { kbgateCommand } from '../cli/command-name.js';
import { ConfigError, loadConfig } from '../config.js';
import { DEFAULT_GLOB } from './formats.js';
import { EXIT_ERROR, runIngest, type IngestIo } from './run-ingest.js';

/** Everything a CLI run reads from its process. */
export interface CliIo extends IngestIo {
  env: Record<string, string | undefined>;
}

interface ParsedOptions {
  collection?: string;
  glob: string;
  prune?: boolean;
  dryRun?: boolean;
  url?: string;
  token?: string;
  maxBytes?: number;
}

/** Parses `argv` (user arguments only, no node/script) and runs the ingest; resolves to the exit code. */
export async function runIngestCli(argv: string[], io: CliIo): Promise<number> {
  let code = EXIT_ERROR;
  const command = createIngestCommand(io, (exitCode) => (code = exitCode)).exitOverride();
  try {
    await command.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_ERROR;
    throw error;
  }
  return code;
}

/** The `ingest` command, to run alone or under `kbgate`; `done` receives the run's exit code. */
export function createIngestCommand(io: CliIo, done: (exitCode: number) => void): Command {
  return new Command('ingest')
    .description(
      'Sync folders of Markdown, plain text, HTML, Word and PDF files into a collection: changed files ' +
        're-chunked, unchanged ones skipped.',
    )
    .argument('<folders...>', 'folders of .md/.mdx/.txt/.html/.docx/.pdf files')
    .option('--collection <name>', 'collection to write (default: KBGATE_COLLECTION, else docs)')
    .option('--glob <pattern>', 'files to read, relative to each folder', DEFAULT_GLOB)
    .option('--prune', 'delete chunks of files that no longer exist')
    .option('--dry-run', 'report what would change without writing')
    .option('--url <url>', 'write through a running server instead of KBGATE_DATA_DIR')
    .option('--token <token>', 'bearer token for --url (default: KBGATE_AUTH_TOKEN)')
    .option(
      '--max-bytes <bytes>',
      'skip files larger than this (default: 5 MiB for text files, 50 MiB for PDF and Word files)',
      parsePositive,
    )
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .action(async (folders: string[], options: ParsedOptions) => done(await ingest(folders, options, io)));
}

async function ingest(folders: string[], options: ParsedOptions, io: CliIo): Promise<number> {
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`ingest: ${error.message}\n`);
    return EXIT_ERROR;
  }
  const request = { ...options, collection: options.collection ?? config.collection, folders };
  return runIngest(request, config, { ...io, command: io.command ?? kbgateCommand(io.env) });
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}
