/** Runs the real `kbgate` command (src/cli.ts through tsx) in a child process, without blocking this one. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
/** tsx's loader by absolute URL, so the command also runs from a working directory outside the repository. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** How a `kbgate` run ended. */
export interface KbgateRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Node's arguments that run `kbgate <args>`. */
export function kbgateArgs(args: string[]): string[] {
  return ['--import', TSX, CLI, ...args];
}

/** The caller's environment without its KBGATE_* and npm variables, quiet logs, plus `env`. */
export function kbgateEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('KBGATE_') && !key.startsWith('npm_')),
  );
  return { ...base, KBGATE_LOG_LEVEL: 'warn', ...env };
}

/**
 * Runs `kbgate <args>` with the given variables on top of a clean environment (no KBGATE_* of the caller's),
 * resolving when it exits; async, so servers in this process (fakes) can answer it.
 */
export function runKbgate(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<KbgateRun> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('KBGATE_') && !key.startsWith('npm_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, CLI, ...args],
      { env: { ...base, KBGATE_LOG_LEVEL: 'warn', ...env }, cwd, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ status, stdout, stderr });
      },
    );
  });
}
