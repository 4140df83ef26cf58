import { existsSync, readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { readRepoFile } from './compose-file.js';

const ROOT = new URL('../../', import.meta.url);
const NODE_LINE = readRepoFile('.nvmrc').trim();

describe('npm set-up without warnings', () => {
  it('should keep build-from-source out of .npmrc (npm warns about unknown keys) and in prebuild-install’s own file', () => {
    if (existsSync(new URL('.npmrc', ROOT))) expect(readRepoFile('.npmrc')).not.toMatch(/build-from-source/);
    expect(readRepoFile('.prebuild-installrc')).toMatch(/^buildFromSource=true$/m);
  });

  it(`should lock only packages whose engines admit Node ${NODE_LINE}, so npm ci shows no EBADENGINE`, () => {
    const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    // The Node this runs on when it is of the .nvmrc line (as in CI), else that line's current release.
    const oldest =
      semver.major(process.version) === Number(NODE_LINE) ? process.version : `${NODE_LINE}.19.0`;
    const refusing = Object.entries(lock.packages)
      .filter(([, pkg]) => !Array.isArray(pkg.engines) && typeof pkg.engines?.node === 'string')
      .filter(
        ([, pkg]) =>
          !semver.satisfies(oldest, (pkg.engines as { node: string }).node, { includePrerelease: true }),
      )
      .map(([name, pkg]) => `${name} (${(pkg.engines as { node: string }).node})`);
    expect(refusing).toEqual([]);
  });
});
