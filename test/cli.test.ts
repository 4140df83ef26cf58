import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PersistentClient } from '../src/client.js';
import { makeTempDir } from './helpers/clients.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('kbgate command', () => {
  it('should print its usage for --help and refuse unknown commands with exit code 2', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/ingest \[options\] <folders\.\.\.>/);
    const unknown = runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('should ingest a Markdown folder into the data directory with `kbgate ingest`', async () => {
    const docs = makeTempDir('kbgate-docs-');
    const data = makeTempDir();
    try {
      mkdirSync(join(docs.path, 'guide'));
      writeFileSync(join(docs.path, 'guide', 'start.md'), '# Start\n\nInstall kbgate and run it.\n');
      const run = runCli(['ingest', docs.path, '--collection', 'handbook'], {
        KBGATE_DATA_DIR: data.path,
        KBGATE_EMBEDDING: 'none',
      });
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/1 added/);
      const client = new PersistentClient({ path: data.path });
      const collection = await client.getCollection({ name: 'handbook' });
      const got = await collection.get({ include: ['metadatas'] });
      expect(got.metadatas?.[0]).toMatchObject({ title: 'Start', start_line: 1 });
      client.close();
    } finally {
      docs.dispose();
      data.dispose();
    }
  });
});
