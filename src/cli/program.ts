/** The `kbgate` command line: argument parsing only; each command calls one function. */
import { Command, CommanderError } from 'commander';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from '../config.js';
import { createIngestCommand } from '../ingest/cli.js';
import { addBackupCommands } from './backup-commands.js';
import { deleteCollection, listCollections, rebind, showCollection } from './collections.js';
import { ingestCommand, kbgateCommand } from './command-name.js';
import { formatChecks, runChecks } from './doctor.js';
import { explainError } from './explain-error.js';
import { readPackageVersion } from './package-version.js';
import { runServer } from './serve.js';

/** What the command line reads from its process. */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where `kbgate restore -` reads the backup. */
  stdin?: NodeJS.ReadableStream;
}

/** Exit code of a usage error (unknown command, bad option). */
export const EXIT_USAGE = 2;

/**
 * Runs `kbgate` with `argv` (user arguments only); resolves to the exit code, or to null when the server is running
 * and the process must stay alive.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number | null> {
  let code: number | null = 0;
  const done = (exitCode: number | null) => (code = exitCode);
  const program = buildProgram(io, done);
  try {
    await program.parseAsync(argv.length === 0 ? ['serve'] : argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof ConfigError) {
      io.stderr.write(`kbgate: configuration error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`kbgate: ${explainError(error, tryConfig(io.env))}\n`);
    return 1;
  }
  return code;
}

function buildProgram(io: CliIo, done: (code: number | null) => void): Command {
  const program = new Command('kbgate')
    .description(
      'Private knowledge base for FastChat and NextChat: Chroma-compatible API, plugin, retrieval proxy.',
    )
    .version(readPackageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) })
    .showSuggestionAfterError();
  program
    .command('serve')
    .description('run the server (the default command); configured by KBGATE_* environment variables')
    .addHelpText('after', `\nEnvironment variables:\n${describeVariables()}`)
    .action(async () => done(await runServer(io)));
  program.addCommand(createIngestCommand(io, done).copyInheritedSettings(program));
  addCollectionsCommand(program, io, done);
  program
    .command('doctor')
    .description(
      'check the set-up (data directory, embedding, upstream, auth, CORS, collection) and say how to fix it',
    )
    .action(async () => {
      const deps = { ingestCommand: ingestCommand(io.env), command: kbgateCommand(io.env) };
      const results = await runChecks(loadConfig(io.env), deps);
      io.stdout.write(formatChecks(results));
      done(results.some((r) => r.status === 'fail') ? 1 : 0);
    });
  addBackupCommands(program, io, done);
  return program;
}

function addCollectionsCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  const collections = program
    .command('collections')
    .description('list, inspect, delete or rebind the collections in KBGATE_DATA_DIR');
  const config = () => loadConfig(io.env);
  collections
    .command('list')
    .description('every collection with its record count and embedding function')
    .action(async () => done(await listCollections(config(), io)));
  collections
    .command('info <name>')
    .description('one collection: records, sources, embedding (and whether it is usable here), space')
    .action(async (name: string) => done(await showCollection(config(), name, io)));
  collections
    .command('delete <name>')
    .description('delete a collection and its records')
    .option('--yes', 'confirm deleting a collection that holds records')
    .action(async (name: string, options: { yes?: boolean }) =>
      done(await deleteCollection(config(), name, options, io)),
    );
  collections
    .command('rebind <name>')
    .description('bind a collection to another embedding function, re-embedding every stored document')
    .requiredOption('--embedding <function>', 'default, none (lexical only) or openai:<model>')
    .action(async (name: string, options: { embedding: string }) =>
      done(await rebind(config(), name, options.embedding, io)),
    );
}

function describeVariables(): string {
  return CONFIG_VARIABLES.map(
    (v) =>
      `  ${v.name.padEnd(28)} ${v.default === '' ? '' : `(default ${v.default}) `}${v.description.replace(/`/g, '')}`,
  ).join('\n');
}

function tryConfig(env: Record<string, string | undefined>): Config | null {
  try {
    return loadConfig(env);
  } catch {
    return null;
  }
}
