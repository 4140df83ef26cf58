/**
 * Starts the real Chroma 1.x server for gateway-mode tests with `../shared/tools/chroma-server.sh` (next to the
 * repository), on a free loopback port; null with the reason when it cannot be started here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../shared/tools/chroma-server.sh', import.meta.url));
/** The first run installs Chroma's npm package and a private glibc: minutes on a slow network. */
const INSTALL_TIMEOUT_MS = 600_000;
const START_TIMEOUT_MS = 60_000;

/** A Chroma server the test controls: stopped with SIGKILL (it ignores SIGTERM), restartable on the same port. */
export interface ChromaServer {
  url: string;
  port: number;
  dataDir: string;
  /** SIGKILLs the server and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port, resolving once its heartbeat answers. */
  restart(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url`'s heartbeat answers 200, or rejects after `timeoutMs`. */
export async function waitForHeartbeat(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/v2/heartbeat`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no heartbeat from ${url} within ${timeoutMs} ms`);
}

/** Installs (first run) and starts Chroma with data in `dataDir`; returns the reason instead when it cannot. */
export async function startChroma(dataDir: string): Promise<ChromaServer | { skip: string }> {
  if (!existsSync(SCRIPT))
    return { skip: `${SCRIPT} is absent (the shared tools are not next to this clone)` };
  const install = spawnSync('bash', [SCRIPT], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  if (install.status !== 0) {
    return {
      skip: `chroma-server.sh could not install Chroma: ${(install.stderr || install.stdout).slice(-500)}`,
    };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    child = spawn('bash', [SCRIPT, 'run', dataDir, String(port)], { stdio: 'ignore' });
    await waitForHeartbeat(url, START_TIMEOUT_MS, child);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGKILL');
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await kill();
    return { skip: `Chroma did not start: ${(error as Error).message}` };
  }
  return { url, port, dataDir, kill, restart: launch };
}
