import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers/clients.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('npm pack', () => {
  it('should build dist/ and pack a package whose entry point and kbgate command work', async () => {
    const out = makeTempDir('kbgate-pack-');
    try {
      const [packed] = JSON.parse(
        execFileSync('npm', ['pack', '--json', '--pack-destination', out.path], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { ...process.env, npm_config_loglevel: 'error' },
          timeout: 300_000,
        }),
      ) as { filename: string; files: { path: string }[] }[];
      const files = packed!.files.map((f) => f.path);
      // The postinstall script runs wherever the package is installed.
      const needed = [
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/cli.js',
        'plugin/logo.png',
        'scripts/build-hnswlib-avx2.mjs',
      ];
      for (const file of needed) expect(files).toContain(file);
      expect(files.some((f) => f.startsWith('src/') || f.endsWith('.test.js'))).toBe(false);

      // Unpack as npm would install it; dependencies come from this checkout instead of a registry.
      const installed = join(out.path, 'node_modules', 'kbgate');
      mkdirSync(installed, { recursive: true });
      execFileSync('tar', [
        '-xzf',
        join(out.path, packed!.filename),
        '-C',
        installed,
        '--strip-components=1',
      ]);
      symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
      const version = execFileSync(process.execPath, [join(installed, 'dist/src/cli.js'), '--version'], {
        encoding: 'utf8',
      });
      expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);
      const kbgate = (await import(
        pathToFileURL(join(installed, 'dist/src/index.js')).href
      )) as typeof import('../src/index.js');
      const client = new kbgate.EphemeralClient({ defaultEmbedding: 'none' });
      const docs = await client.createCollection({ name: 'packed' });
      await docs.add({ ids: ['a'], embeddings: [[1, 0]] });
      expect(await docs.count()).toBe(1);
      client.close();
    } finally {
      out.dispose();
    }
  });
});
