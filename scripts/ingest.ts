/** `npm run ingest -- <folder>... [options]`: sync Markdown folders into a collection. */
import { runIngestCli } from '../src/ingest/cli.js';

process.exitCode = await runIngestCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
