#!/usr/bin/env node
/** The `kbgate` command: `kbgate [serve]`, `ingest`, `collections`, `doctor`, `backup`, `restore`, `verify` (`--help`). */
import { runCli } from './cli/program.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
if (code !== null) process.exitCode = code;
