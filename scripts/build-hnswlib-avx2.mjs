/* global process, console */
// npm's `postinstall` hook: compiles hnswlib-node's addon a second time with AVX2 and FMA, beside the stock build.
// hnswlib picks its distance kernels at compile time; the stock build (node-gyp's defaults) gets SSE only. On a CPU
// with AVX2 and FMA, kbgate loads this build instead (src/vector/hnswlib-binding.ts): about 10% less server CPU
// per unfiltered query (BENCHMARKS.md). Anything that stops the build (not Linux on x64, no compiler, no node-gyp)
// leaves only the stock build, which works everywhere: the install never fails because of this step.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const skip = (why) => {
  console.error(`kbgate: hnswlib-node's AVX2 build skipped (${why}); the stock build is used`);
  process.exit(0);
};

if (process.platform !== 'linux' || process.arch !== 'x64') process.exit(0);
if (process.env.KBGATE_HNSWLIB_AVX2 === 'off') skip('KBGATE_HNSWLIB_AVX2=off');

let hnswlibDir;
let addonApiInclude;
try {
  const require = createRequire(import.meta.url);
  hnswlibDir = dirname(require.resolve('hnswlib-node/package.json'));
  // napi.h is at the package's root (its `include_dir` is that directory, relative to the working directory).
  addonApiInclude = dirname(
    createRequire(join(hnswlibDir, 'package.json')).resolve('node-addon-api/package.json'),
  );
} catch {
  skip('hnswlib-node or node-addon-api not found');
}
const source = join(hnswlibDir, 'src', 'addon.cc');
if (!existsSync(source)) skip(`no ${source}`);

// Where src/vector/hnswlib-binding.ts looks for it: beside hnswlib-node, in node_modules/.cache (npm prune keeps it,
// npm ci starts it afresh with the rest of node_modules).
const out = join(dirname(hnswlibDir), '.cache', 'kbgate', 'hnswlib-avx2');
try {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // A copy of hnswlib-node's sources (addon.cc and hnswlib's headers, about 200 KB) and of its binding.gyp, with the
  // include directory of node-addon-api made absolute and the two flags added.
  cpSync(join(hnswlibDir, 'src'), join(out, 'src'), { recursive: true });
  const binding = {
    targets: [
      {
        target_name: 'addon',
        sources: ['src/addon.cc'],
        include_dirs: [addonApiInclude],
        defines: ['NAPI_DISABLE_CPP_EXCEPTIONS'],
        'cflags!': ['-fno-exceptions'],
        'cflags_cc!': ['-fno-exceptions'],
        cflags_cc: ['-mavx2', '-mfma'],
      },
    ],
  };
  writeFileSync(join(out, 'binding.gyp'), JSON.stringify(binding, null, 2));

  const nodeGyp = process.env.npm_config_node_gyp;
  const [command, args] = nodeGyp ? [process.execPath, [nodeGyp]] : ['node-gyp', []];
  const build = spawnSync(command, [...args, 'rebuild'], { cwd: out, stdio: ['ignore', 'ignore', 'pipe'] });
  const addon = join(out, 'build', 'Release', 'addon.node');
  if (build.status !== 0 || !existsSync(addon)) {
    const output = String(build.stderr ?? build.error ?? '').trim();
    throw new Error(`node-gyp failed: ${output.split('\n').slice(-3).join(' | ')}`);
  }
  // The runtime loads the build only beside the hnswlib-node version it was compiled from.
  const { version } = JSON.parse(readFileSync(join(hnswlibDir, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'build-info.json'), JSON.stringify({ hnswlibNode: version }));
  console.error(`kbgate: built hnswlib-node ${version} with AVX2 and FMA (${addon})`);
} catch (err) {
  rmSync(out, { recursive: true, force: true });
  skip(err instanceof Error ? err.message : String(err));
}
