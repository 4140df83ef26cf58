/** A `kbgate serve` child process on a free loopback port, for tests of several replicas and of crashes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForHeartbeat } from './chroma-server.js';
import { kbgateArgs, kbgateEnv } from './run-kbgate.js';

/** A running replica. */
export interface KbgateReplica {
  url: string;
  child: ChildProcess;
  /** What it wrote on stderr so far (its start-up summary, warnings, crashes). */
  stderr(): string;
  /** SIGKILLs it and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts `kbgate serve` with `env` (on top of a clean environment) and resolves once its heartbeat answers. */
export async function startReplica(env: Record<string, string>): Promise<KbgateReplica> {
  const port = await freePort();
  const child = spawn(process.execPath, kbgateArgs(['serve']), {
    env: kbgateEnv({ ...env, KBGATE_HOST: '127.0.0.1', KBGATE_PORT: String(port) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitForHeartbeat(url, 60_000, child);
  } catch (error) {
    await kill();
    throw new Error(`kbgate did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { url, child, stderr: () => stderr, kill };
}
