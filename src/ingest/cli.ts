/** `kbgate ingest` / `npm run ingest`: argument parsing only; the run itself is {@link runIngest}. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { DEFAULT_GLOB, DEFAULT_MAX_BYTES } from './files.js';
import { EXIT_ERROR, runIngest, type IngestIo } from './run-ingest.js';

/** Everything a CLI run reads from its process. */
export interface CliIo extends IngestIo {
  env: Record<string, string | undefined>;
}

interface ParsedOptions {
  collection: string;
  glob: string;
  prune?: boolean;
  dryRun?: boolean;
  url?: string;
  token?: string;
  maxBytes: number;
}

/** Parses `argv` (user arguments only, no node/script) and runs the ingest; resolves to the exit code. */
export async function runIngestCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_ERROR;
    throw error;
  }
  const options = program.opts<ParsedOptions>();
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`ingest: ${error.message}\n`);
    return EXIT_ERROR;
  }
  return runIngest({ ...options, folders: program.processedArgs[0] as string[] }, config, io);
}

function buildProgram(io: CliIo): Command {
  return new Command('ingest')
    .description('Sync Markdown folders into a collection: changed files re-chunked, unchanged ones skipped.')
    .argument('<folders...>', 'folders of Markdown/MDX files')
    .option('--collection <name>', 'collection to write', 'docs')
    .option('--glob <pattern>', 'files to read, relative to each folder', DEFAULT_GLOB)
    .option('--prune', 'delete chunks of files that no longer exist')
    .option('--dry-run', 'report what would change without writing')
    .option('--url <url>', 'write through a running server instead of KBGATE_DATA_DIR')
    .option('--token <token>', 'bearer token for --url (default: KBGATE_AUTH_TOKEN)')
    .option('--max-bytes <bytes>', 'skip files larger than this', parsePositive, DEFAULT_MAX_BYTES)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
}

function parsePositive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}
