#!/usr/bin/env node
/** The `kbgate` command: `kbgate [serve]`, `kbgate ingest`, `kbgate collections`, `kbgate doctor` (`kbgate --help`). */
import { runCli } from './cli/program.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
if (code !== null) process.exitCode = code;
