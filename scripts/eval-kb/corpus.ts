/** Gathers the evaluation corpus into one folder: the kb-seeds articles and the Markdown docs of npm packages. */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { glob } from 'tinyglobby';
import type { EvalSet } from './eval-set.js';

/** A package whose docs were copied, with the version installed and the one the questions were judged on. */
export interface StagedPackage {
  name: string;
  installed: string;
  expected: string;
  files: string[];
}

const require = createRequire(import.meta.url);

/**
 * Copies `kbSeeds` to `<into>/<corpus.kbSeeds>` and each package's listed files to `<into>/<name>/...`, so the
 * ingester records sources such as `kb-seeds/000_x.md` and `pino/docs/api.md` whatever the folders are called.
 */
export async function stageCorpus(
  kbSeeds: string,
  corpus: EvalSet['corpus'],
  into: string,
): Promise<StagedPackage[]> {
  if (!existsSync(kbSeeds)) throw new Error(`kb-seeds folder not found: ${kbSeeds}`);
  cpSync(kbSeeds, join(into, corpus.kbSeeds), { recursive: true });
  const staged: StagedPackage[] = [];
  for (const pkg of corpus.packages) {
    const root = packageRoot(pkg.name);
    const files = (await glob(pkg.files, { cwd: root })).sort();
    if (files.length === 0) throw new Error(`${pkg.name}: no files match ${pkg.files.join(', ')}`);
    for (const file of files) {
      const target = join(into, pkg.name, file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(root, file), target);
    }
    const installed = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
      .version;
    staged.push({ name: pkg.name, installed, expected: pkg.version, files });
  }
  return staged;
}

/**
 * The installed package's folder, found as Node would find it from here.
 *
 * @remarks `require.resolve('<pkg>/package.json')` fails for packages whose `exports` omit it (commander,
 * helmet), so the folder is looked up along Node's own search paths instead.
 */
function packageRoot(name: string): string {
  for (const base of require.resolve.paths(name) ?? []) {
    const root = join(base, name);
    if (existsSync(join(root, 'package.json'))) return root;
  }
  throw new Error(`package ${name} is not installed; run npm ci`);
}
