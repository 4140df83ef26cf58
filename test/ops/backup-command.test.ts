import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { batchEmbeddings } from '../helpers/batches.js';
import { makeTempDir } from '../helpers/clients.js';
import { kbgateArgs, kbgateEnv, runKbgate } from '../helpers/run-kbgate.js';

let data: ReturnType<typeof makeTempDir>;

beforeEach(async () => {
  data = makeTempDir('kbgate-backup-cli-');
  const client = new PersistentClient({ path: join(data.path, 'live') });
  const docs = await client.createCollection({ name: 'docs' });
  await docs.add({
    ids: ['a', 'b', 'c'],
    embeddings: batchEmbeddings('cli', 0, 3),
    documents: ['alpha', 'beta', 'gamma'],
  });
  client.close();
});

afterEach(() => data.dispose());

describe('kbgate backup, verify and restore', () => {
  it('should back up to a file, verify it, restore it once, and want --yes to replace', async () => {
    const env = { KBGATE_DATA_DIR: join(data.path, 'live') };
    const file = join(data.path, 'backup.sqlite3');
    const backup = await runKbgate(['backup', file], env);
    expect(backup.stderr).toMatch(
      /^kbgate backup: wrote .*backup\.sqlite3 [\d.]+ MB: 1 collection\(s\), 3 record\(s\)/,
    );
    expect(backup.status).toBe(0);
    const verify = await runKbgate(['verify', file]);
    expect(verify.stdout).toMatch(/^ok {4}backup: taken /);
    expect(verify.stdout).toMatch(/All checks passed\.\n$/);
    expect((await runKbgate(['verify'], env)).status).toBe(0);

    const target = join(data.path, 'restored');
    const restore = await runKbgate(['restore', file, '--data-dir', target]);
    expect(restore.stderr).toMatch(/^kbgate restore: filled .*restored: 1 collection\(s\), 3 record\(s\)/);
    const again = await runKbgate(['restore', file, '--data-dir', target]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/refused: .* already holds a database; pass --yes to replace it/);
    expect((await runKbgate(['restore', file, '--data-dir', target, '--yes'])).status).toBe(0);

    const damaged = join(data.path, 'damaged.sqlite3');
    writeFileSync(damaged, readFileSync(file).subarray(0, 8192));
    const failed = await runKbgate(['verify', damaged]);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/^FAIL /m);
  });

  it('should stream a backup to stdout and restore it from stdin', () => {
    const env = kbgateEnv({ KBGATE_DATA_DIR: join(data.path, 'live') });
    const out = spawnSync(process.execPath, kbgateArgs(['backup', '-']), { env, maxBuffer: 1 << 26 });
    expect(out.status).toBe(0);
    expect(out.stdout.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    const target = join(data.path, 'from-stdin');
    const restored = spawnSync(process.execPath, kbgateArgs(['restore', '-', '--data-dir', target]), {
      env,
      input: out.stdout,
      encoding: 'utf8',
    });
    expect(restored.stderr).toMatch(/3 record\(s\)/);
    expect(restored.status).toBe(0);
    const verify = spawnSync(process.execPath, kbgateArgs(['verify', target]), { env, encoding: 'utf8' });
    expect(verify.stdout).toMatch(/All checks passed\./);
  });
});
