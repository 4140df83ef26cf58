import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine-factory.js';
import { kbgateArgs, kbgateEnv } from '../helpers/run-kbgate.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const FIXTURE = fileURLToPath(new URL('../fixtures/read-only-write.ts', import.meta.url));
/** As root, files are written whatever their mode: the child runs as `nobody` to meet the permissions. */
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65_534;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A data directory with a database whose file the child may read but not write. */
function readOnlyDataDir(): { dataDir: string; file: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'kbgate-readonly-'));
  dirs.push(dataDir);
  const { engine } = openEngine({ path: dataDir, defaultEmbedding: 'none' });
  engine.close();
  const file = join(dataDir, 'kbgate.sqlite3');
  chmodSync(dataDir, 0o755);
  chmodSync(file, 0o444);
  // The folder stays the child's own (it may create the journal files): only the database file refuses writes.
  if (AS_ROOT) {
    for (const name of readdirSync(dataDir)) {
      if (name !== 'kbgate.sqlite3') chownSync(join(dataDir, name), NOBODY, NOBODY);
    }
    chownSync(dataDir, NOBODY, NOBODY);
  }
  return { dataDir, file };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const ids = AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { env, encoding: 'utf8', timeout: 60_000, ...ids },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('a database file kbgate may not write', () => {
  it('should answer writes with 503 naming the file, not 500', async () => {
    const { dataDir, file } = readOnlyDataDir();
    const result = await run(['--import', TSX, FIXTURE, dataDir], { ...process.env, HOME: tmpdir() });
    expect(result.stderr).not.toMatch(/Error/);
    const answer = JSON.parse(result.stdout) as {
      status: number;
      body: { error: string; message: string };
      health: { status: number; body: unknown };
    };
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe('ServiceUnavailableError');
    expect(answer.body.message).toContain(file);
    expect(answer.body.message).toContain('read-only');
    expect(answer.health.status).toBe(503);
    expect(JSON.stringify(answer.health.body)).toContain('database file not writable');
  });

  it('should stop kbgate serve at start-up with one line naming the file', async () => {
    const { dataDir, file } = readOnlyDataDir();
    if (AS_ROOT) chownSync(dataDir, 0, 0);
    chmodSync(dataDir, 0o555);
    const result = await run(kbgateArgs(['serve']), {
      ...kbgateEnv({ KBGATE_DATA_DIR: dataDir, KBGATE_EMBEDDING: 'none', KBGATE_PORT: '0' }),
      HOME: tmpdir(),
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kbgate: cannot start: /);
    expect(lines[0]).toContain(file);
  });
});
