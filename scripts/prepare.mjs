/* global process, console */
// npm's `prepare` hook: builds dist/ so that `npm install <git URL>` and `npm pack` yield a package whose `main`,
// `types` and `kbgate` command exist (dist/ is not in git). Without sources (Docker's dependency layer, which builds
// later) it does nothing. Type errors are reported but do not fail an install: tsc still emits the JavaScript.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

if (!existsSync('src/index.ts') || !existsSync('tsconfig.build.json')) process.exit(0);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// tsc reports on stdout; send it to stderr so `npm pack --json` stays parseable.
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  stdio: ['inherit', 2, 'inherit'],
});
if (!existsSync('dist/src/index.js') || !existsSync('dist/src/cli.js')) {
  console.error('kbgate prepare: the build emitted no dist/src/index.js');
  process.exit(build.status || 1);
}
if (build.status !== 0) console.error('kbgate prepare: built dist/ despite the type errors above');
