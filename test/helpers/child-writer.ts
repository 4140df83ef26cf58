/** Spawns `test/fixtures/writer-process.ts` and follows what it reports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../fixtures/writer-process.ts', import.meta.url));

/** A running writer child and the batches it has reported committed. */
export interface ChildWriter {
  child: ChildProcess;
  committed: number[];
  /** Resolves when the child exits, with its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once `n` batches have been reported committed (or the child exits first). */
  whenCommitted(n: number): Promise<void>;
  stderr(): string;
}

/** Starts a writer child on `dir`. */
export function startWriter(
  dir: string,
  opts: { prefix: string; first: number; batches: number; size: number; flushEvery?: number },
): ChildWriter {
  const args = [dir, opts.prefix, opts.first, opts.batches, opts.size, opts.flushEvery ?? 0].map(String);
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: number[] = [];
  const waiters: { n: number; resolve(): void }[] = [];
  let err = '';
  let buffer = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^committed (\d+)$/.exec(line);
      if (m) committed.push(Number(m[1]));
    }
    for (const w of waiters.filter((w) => committed.length >= w.n)) w.resolve();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    committed,
    exited,
    whenCommitted: (n) =>
      new Promise<void>((resolve) => {
        if (committed.length >= n) return resolve();
        waiters.push({ n, resolve });
        void exited.then(() => resolve());
      }),
    stderr: () => err,
  };
}
