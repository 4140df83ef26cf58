import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kbgateEnv } from '../helpers/run-kbgate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCOPE = '/api/v2/tenants/default_tenant/databases/default_database';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `npm start` in its own process group, as a terminal runs it, with its output collected. */
async function npmStart(): Promise<{
  npm: ChildProcess;
  base: string;
  dataDir: string;
  output: () => string;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kbgate-npm-start-'));
  dirs.push(dataDir);
  const port = await freePort();
  const env = kbgateEnv({
    KBGATE_DATA_DIR: dataDir,
    KBGATE_PORT: String(port),
    KBGATE_EMBEDDING: 'none',
    KBGATE_LOG_LEVEL: 'info',
  });
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  npm.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150 && !(await answers(base)); i++) await new Promise((r) => setTimeout(r, 200));
  return { npm, base, dataDir, output: () => text };
}

async function answers(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/api/v2/heartbeat`)).ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('npm start hands signals to the server', () => {
  it('should stop the server, not orphan it, when only npm gets SIGTERM', async () => {
    const { npm, base, output } = await npmStart();
    expect(await answers(base)).toBe(true);
    process.kill(npm.pid as number, 'SIGTERM');
    await exited(npm);
    const alive = await answers(base);
    if (alive) process.kill(-(npm.pid as number), 'SIGKILL');
    expect(alive).toBe(false);
    expect(output()).toContain('"msg":"stopped"');
  });

  it('should finish its shutdown and save the vector index on Ctrl-C (SIGINT to the whole group)', async () => {
    const { npm, base, dataDir, output } = await npmStart();
    const created = await fetch(`${base}${SCOPE}/collections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'docs' }),
    });
    const { id } = (await created.json()) as { id: string };
    const ids = Array.from({ length: 200 }, (_, i) => `r${i}`);
    const add = await fetch(`${base}${SCOPE}/collections/${id}/add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids, embeddings: ids.map((_, i) => [i, i % 7, 1]) }),
    });
    expect(add.status).toBe(201);
    const query = await fetch(`${base}${SCOPE}/collections/${id}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query_embeddings: [[3, 3, 1]], n_results: 1 }),
    });
    expect(query.status).toBe(200);
    process.kill(-(npm.pid as number), 'SIGINT');
    await exited(npm);
    expect(await answers(base)).toBe(false);
    expect(output()).toContain('"msg":"stopped"');
    const files = readdirSync(join(dataDir, 'indexes'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.some((f) => f.endsWith('.hnsw.json'))).toBe(true);
  });
});
