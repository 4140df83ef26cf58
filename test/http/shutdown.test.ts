import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine-factory.js';

const dataDir = mkdtempSync(join(tmpdir(), 'kbgate-shutdown-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function startKbgate(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KBGATE_PORT: '0',
      KBGATE_DATA_DIR: dataDir,
      KBGATE_EMBEDDING: 'none',
      KBGATE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`kbgate exited early with ${code}`));
    child.once('exit', early);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'kbgate listening' && entry.url) {
        child.off('exit', early);
        resolve({ child, base: entry.url });
      }
    });
  });
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.ok).toBe(true);
  return res.json();
}

/** Sends the headers of a POST with `Expect: 100-continue`; resolves once the server has accepted the request. */
function startSlowPost(url: string, body: string): Promise<{ finish: () => Promise<IncomingMessage> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        Expect: '100-continue',
      },
    });
    const response = new Promise<IncomingMessage>((res) => req.once('response', res));
    req.once('error', reject);
    req.once('continue', () => resolve({ finish: () => (req.end(body), response) }));
    req.flushHeaders();
  });
}

async function refusesConnections(base: string): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await fetch(`${base}/api/v2/heartbeat`, { headers: { Connection: 'close' } });
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

describe('graceful shutdown', () => {
  it('should stop accepting on SIGTERM, finish the request in flight, persist it and exit 0', async () => {
    const { child, base } = await startKbgate();
    const scope = `${base}/api/v2/tenants/default_tenant/databases/default_database`;
    const collection = (await postJson(`${scope}/collections`, { name: 'shutdown' })) as { id: string };
    const body = JSON.stringify({ ids: ['in-flight'], embeddings: [[1, 2, 3]] });
    const slow = await startSlowPost(`${scope}/collections/${collection.id}/add`, body);
    const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    child.kill('SIGTERM');
    expect(await refusesConnections(base)).toBe(true);
    const response = await slow.finish();
    expect(response.statusCode).toBe(201);
    response.resume();
    expect(await exitCode).toBe(0);

    const { engine } = openEngine({ path: dataDir });
    try {
      expect(await engine.count(collection.id)).toBe(1);
    } finally {
      engine.close();
    }
  });
});
