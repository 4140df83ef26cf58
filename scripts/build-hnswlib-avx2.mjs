/* global process, console */
// npm's `postinstall` hook: compiles hnswlib-node's addon a second time with AVX2 and FMA, beside the stock build.
// hnswlib picks its distance kernels at compile time; the stock build (node-gyp's defaults) gets SSE only. On a CPU
// with AVX2 and FMA, kbgate loads this build instead (src/vector/hnswlib-binding.ts): about 10% less server CPU
// per unfiltered query (BENCHMARKS.md). The copy is also patched (patchFloat32Input) to take a Float32Array where
// the published addon takes only an Array of numbers, read element by element through N-API. Anything that stops
// the build (not Linux on x64, no compiler, no node-gyp) leaves only the stock build, which works everywhere: the
// install never fails because of this step.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers the patch adds to addon.cc: a query or point as a Float32Array, copied with one memcpy. */
const FLOAT32_HELPERS = `
namespace {
// kbgate: a vector argument may be a Float32Array as well as an Array of numbers.
bool kbgateIsFloat32Array(const Napi::Value& value) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}
uint32_t kbgateLength(const Napi::Value& value) {
  if (kbgateIsFloat32Array(value)) return static_cast<uint32_t>(value.As<Napi::Float32Array>().ElementLength());
  return value.As<Napi::Array>().Length();
}
void kbgateCopy(const Napi::Value& value, std::vector<float>& vec) {
  if (kbgateIsFloat32Array(value)) {
    std::memcpy(vec.data(), value.As<Napi::Float32Array>().Data(), vec.size() * sizeof(float));
    return;
  }
  Napi::Array arr = value.As<Napi::Array>();
  for (uint32_t i = 0; i < vec.size(); i++) {
    Napi::Value val = arr[i];
    vec[i] = val.As<Napi::Number>().FloatValue();
  }
}
} // namespace
`;

/**
 * hnswlib-node's addon.cc with HierarchicalNSW's `addPoint` and `searchKnn` taking a Float32Array too (of the index's
 * dimension; an Array of numbers works as before), or null when the source is not the one this patch was written
 * for (each edit must apply exactly as often as expected), in which case the build goes ahead unpatched.
 */
export function patchFloat32Input(source) {
  const marker = 'class HierarchicalNSW : public Napi::ObjectWrap<HierarchicalNSW> {';
  const include = '#include <napi.h>\n';
  const at = source.indexOf(marker);
  if (at < 0 || source.indexOf(marker, at + 1) >= 0 || !source.includes(include)) return null;
  let hnsw = source.slice(at);
  const edits = [
    ['if (!info[0].IsArray()) {', 'if (!info[0].IsArray() && !kbgateIsFloat32Array(info[0])) {', 2],
    ['Napi::Array arr = info[0].As<Napi::Array>();', 'const Napi::Value arr = info[0];', 2],
    ['arr.Length()', 'kbgateLength(arr)', 4],
    [
      '    for (uint32_t i = 0; i < dim_; i++) {\n      Napi::Value val = arr[i];\n' +
        '      vec[i] = val.As<Napi::Number>().FloatValue();\n    }\n',
      '    kbgateCopy(arr, vec);\n',
      2,
    ],
  ];
  for (const [from, to, times] of edits) {
    if (hnsw.split(from).length - 1 !== times) return null;
    hnsw = hnsw.split(from).join(to);
  }
  const head = source.slice(0, at).replace(include, `#include <cstring>\n${include}${FLOAT32_HELPERS}`);
  return head + hnsw;
}

const skip = (why) => {
  console.error(`kbgate: hnswlib-node's AVX2 build skipped (${why}); the stock build is used`);
  process.exit(0);
};

/** The install step: builds into node_modules/.cache/kbgate/hnswlib-avx2, or explains on stderr why not. */
function main() {
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
    let patched = patchFloat32Input(readFileSync(source, 'utf8'));
    if (patched !== null) writeFileSync(join(out, 'src', 'addon.cc'), patched);
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
    const addon = join(out, 'build', 'Release', 'addon.node');
    const compile = () => {
      const build = spawnSync(command, [...args, 'rebuild'], {
        cwd: out,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      if (build.status === 0 && existsSync(addon)) return null;
      const output = String(build.stderr ?? build.error ?? '').trim();
      return `node-gyp failed: ${output.split('\n').slice(-3).join(' | ')}`;
    };
    let failure = compile();
    if (failure !== null && patched !== null) {
      // Should the patched source not compile here, the published one still gives the AVX2 kernels.
      cpSync(source, join(out, 'src', 'addon.cc'));
      patched = null;
      failure = compile();
    }
    if (failure !== null) throw new Error(failure);
    // The runtime loads the build only beside the hnswlib-node version it was compiled from.
    const { version } = JSON.parse(readFileSync(join(hnswlibDir, 'package.json'), 'utf8'));
    // float32Input: whether addPoint and searchKnn take a Float32Array (the patch applied).
    writeFileSync(
      join(out, 'build-info.json'),
      JSON.stringify({ hnswlibNode: version, float32Input: patched !== null }),
    );
    const input = patched === null ? ', unpatched: Arrays only' : ', Float32Array input';
    console.error(`kbgate: built hnswlib-node ${version} with AVX2 and FMA${input} (${addon})`);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    skip(err instanceof Error ? err.message : String(err));
  }
}

/** Whether this file is the script node was started with (not imported, as the tests import patchFloat32Input). */
function isMain() {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) main();
