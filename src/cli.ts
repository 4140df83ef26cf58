#!/usr/bin/env node
/** The `kbgate` command: `kbgate [serve]` runs the server, `kbgate ingest <folder>...` syncs Markdown folders. */
import { runIngestCli } from './ingest/cli.js';

const USAGE = `usage: kbgate [serve]                 run the server (configured by KBGATE_* variables)
       kbgate ingest <folder>... [options]   sync Markdown folders into a collection (kbgate ingest --help)
`;

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === 'serve') {
  await import('./main.js');
} else if (command === 'ingest') {
  process.exitCode = await runIngestCli(rest, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
} else if (command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`kbgate: unknown command ${JSON.stringify(command)}\n${USAGE}`);
  process.exitCode = 2;
}
