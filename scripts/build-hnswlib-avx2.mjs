/* global process, console */
// npm's `postinstall` hook: compiles hnswlib-node's addon a second time with AVX2 and FMA, beside the stock build.
// hnswlib picks its distance kernels at compile time; the stock build (node-gyp's defaults) gets SSE only. On a CPU
// with AVX2 and FMA, kbgate loads this build instead (src/vector/hnswlib-binding.ts): about 10% less server CPU
// per unfiltered query (BENCHMARKS.md). The copy is also patched: to take a Float32Array where the published addon
// takes only an Array of numbers, read element by element through N-API (patchFloat32Input); to give the distances
// from a query to given labels, from the graph's own memory (patchExactDistances); and with a native twin of
// kbgate's WebAssembly int8 kernel, which prefetches the rows ahead (patchInt8Dots). Anything that stops
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

/** The method the second patch adds to HierarchicalNSW (see {@link patchExactDistances}). */
const EXACT_DISTANCES_METHOD = `
  // kbgate: distances from a query (Float32Array, normalized as searchKnn does) to labelled points, read from the
  // graph's own memory with the index's distance kernel; NaN for a label that is missing or marked deleted.
  Napi::Value kbgateDistances(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !kbgateIsFloat32Array(info[0]) || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || !kbgateIsFloat32Array(info[2])) {
      Napi::TypeError::New(env, "Expected a Float32Array query, a Uint32Array of labels and a Float32Array out.")
        .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Float32Array query = info[0].As<Napi::Float32Array>();
    Napi::Uint32Array labels = info[1].As<Napi::Uint32Array>();
    Napi::Float32Array out = info[2].As<Napi::Float32Array>();
    if (query.ElementLength() != dim_ || out.ElementLength() < labels.ElementLength()) {
      Napi::RangeError::New(env, "The query must have the index's dimension and out room for every label.")
        .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const size_t n = labels.ElementLength();
    if (index_ == nullptr) {
      for (size_t i = 0; i < n; i++) out[i] = std::numeric_limits<float>::quiet_NaN();
      return env.Undefined();
    }
    std::vector<float> vec(dim_);
    std::memcpy(vec.data(), query.Data(), vec.size() * sizeof(float));
    if (normalize_) normalizePoint(vec);
    for (size_t i = 0; i < n; i++) {
      hnswlib::tableint id = 0;
      bool live = false;
      {
        std::unique_lock<std::mutex> lock(index_->label_lookup_lock);
        auto found = index_->label_lookup_.find(static_cast<hnswlib::labeltype>(labels[i]));
        if (found != index_->label_lookup_.end() && !index_->isMarkedDeleted(found->second)) {
          id = found->second;
          live = true;
        }
      }
      out[i] = live ? index_->fstdistfunc_(vec.data(), index_->getDataByInternalId(id), index_->dist_func_param_)
                    : std::numeric_limits<float>::quiet_NaN();
    }
    return env.Undefined();
  }

`;

/**
 * The output of {@link patchFloat32Input} with one more method on HierarchicalNSW, `kbgateDistances(query, labels,
 * out)`: the distances from a Float32Array query to a Uint32Array of labels, computed from the graph's own copies of
 * the points with the index's SIMD distance kernel (NaN for a missing or deleted label). A scan re-scores its
 * candidates with it instead of reading their vectors back from SQLite. Null when the source is not the one this
 * patch was written for.
 */
export function patchExactDistances(source) {
  const marker = 'class HierarchicalNSW : public Napi::ObjectWrap<HierarchicalNSW> {';
  const at = source.indexOf(marker);
  if (at < 0 || !source.includes('bool kbgateIsFloat32Array(') || !source.includes('#include <cstring>\n')) {
    return null;
  }
  let hnsw = source.slice(at);
  const edits = [
    [
      '      InstanceMethod("getPoint", &HierarchicalNSW::getPoint),\n',
      '      InstanceMethod("getPoint", &HierarchicalNSW::getPoint),\n' +
        '      InstanceMethod("kbgateDistances", &HierarchicalNSW::kbgateDistances),\n',
    ],
    [
      '  Napi::Value getPoint(const Napi::CallbackInfo& info) {\n',
      `${EXACT_DISTANCES_METHOD}  Napi::Value getPoint(const Napi::CallbackInfo& info) {\n`,
    ],
  ];
  for (const [from, to] of edits) {
    if (hnsw.split(from).length - 1 !== 1) return null;
    hnsw = hnsw.replace(from, to);
  }
  return (
    source.slice(0, at).replace('#include <cstring>\n', '#include <cstring>\n#include <limits>\n') + hnsw
  );
}

/** The module-level function the third patch adds (see {@link patchInt8Dots}). */
const INT8_DOTS_FUNCTION = `
namespace {
// kbgate: kbgateInt8Dots(buffer, codes, stride, query, slots, n, out), the native twin of kbgate's WebAssembly
// kernel (src/vector/int8-dot.wat), over the same memory: for i < n, the int32 at out + 4i is the dot product of the
// int8 row at codes + slot * stride with the int16 query at query, where slot is the int32 at slots + 4i, or i when
// slots is negative. Offsets are bytes into buffer (an ArrayBuffer); stride is a positive multiple of 16. Rows a few
// ahead are prefetched: a scan of scattered rows waits on memory, not on arithmetic. Out-of-range offsets or slots
// throw a RangeError before anything is written.
Napi::Value kbgateInt8Dots(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 7 || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "Expected (ArrayBuffer, codes, stride, query, slots, n, out).")
      .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t a = 1; a < 7; a++) {
    if (!info[a].IsNumber()) {
      Napi::TypeError::New(env, "Offsets, stride and n must be numbers.").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  const int64_t length = static_cast<int64_t>(buffer.ByteLength());
  const int64_t codes = info[1].As<Napi::Number>().Int64Value();
  const int64_t stride = info[2].As<Napi::Number>().Int64Value();
  const int64_t query = info[3].As<Napi::Number>().Int64Value();
  const int64_t slots = info[4].As<Napi::Number>().Int64Value();
  const int64_t n = info[5].As<Napi::Number>().Int64Value();
  const int64_t out = info[6].As<Napi::Number>().Int64Value();
  const auto inside = [length](int64_t offset, int64_t bytes) {
    return offset >= 0 && bytes >= 0 && offset <= length && bytes <= length - offset;
  };
  if (stride <= 0 || stride % 16 != 0 || n < 0 || codes < 0 || !inside(query, stride * 2) ||
      !inside(out, n * 4) || (slots >= 0 && !inside(slots, n * 4))) {
    Napi::RangeError::New(env, "Offsets out of range.").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint8_t* base = static_cast<uint8_t*>(buffer.Data());
  // Every row must lie inside the buffer: slots are checked in one pass first, so a bad one writes nothing.
  const auto slotAt = [base, slots](int64_t i) {
    int32_t slot = static_cast<int32_t>(i);
    if (slots >= 0) std::memcpy(&slot, base + slots + 4 * i, 4);
    return static_cast<int64_t>(slot);
  };
  for (int64_t i = 0; i < n; i++) {
    const int64_t slot = slotAt(i);
    if (slot < 0 || !inside(codes + slot * stride, stride)) {
      Napi::RangeError::New(env, "A slot is out of range.").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  const int16_t* q = reinterpret_cast<const int16_t*>(base + query);
  constexpr int64_t ahead = 8;
  for (int64_t i = 0; i < n; i++) {
    if (i + ahead < n) {
      const char* next = reinterpret_cast<const char*>(base + codes + slotAt(i + ahead) * stride);
      for (int64_t line = 0; line < stride; line += 64) __builtin_prefetch(next + line);
    }
    const int8_t* r = reinterpret_cast<const int8_t*>(base + codes + slotAt(i) * stride);
    int32_t dot = 0;
#ifdef __AVX2__
    __m256i acc = _mm256_setzero_si256();
    for (int64_t j = 0; j < stride; j += 16) {
      const __m256i v = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + j)));
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + j));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(v, w));
    }
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    sum = _mm_hadd_epi32(sum, sum);
    sum = _mm_hadd_epi32(sum, sum);
    dot = _mm_cvtsi128_si32(sum);
#else
    for (int64_t j = 0; j < stride; j++) dot += static_cast<int32_t>(r[j]) * static_cast<int32_t>(q[j]);
#endif
    std::memcpy(base + out + 4 * i, &dot, 4);
  }
  return env.Undefined();
}

// kbgate: kbgateAdviseHugePages(buffer) asks Linux to back the whole 2 MiB pages inside an ArrayBuffer (the int8
// codes' WebAssembly memory) with transparent huge pages: a scan over scattered rows then takes one TLB entry per
// 2 MiB instead of one per row. Pages touched from then on are huge; the contents never change. True when Linux
// took the advice.
Napi::Value kbgateAdviseHugePages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "Expected an ArrayBuffer.").ThrowAsJavaScriptException();
    return env.Undefined();
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  const uintptr_t huge = uintptr_t(2) << 20;
  const uintptr_t from = (reinterpret_cast<uintptr_t>(buffer.Data()) + huge - 1) & ~(huge - 1);
  const uintptr_t to = (reinterpret_cast<uintptr_t>(buffer.Data()) + buffer.ByteLength()) & ~(huge - 1);
  if (to <= from) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) == 0);
#else
  return Napi::Boolean::New(env, false);
#endif
}
} // namespace

`;

/**
 * The output of {@link patchFloat32Input} with two module-level functions: `kbgateInt8Dots`, the native twin of
 * kbgate's WebAssembly int8 kernel, reading and writing the same memory, with AVX2 and prefetching of the rows ahead;
 * and `kbgateAdviseHugePages`, which asks Linux for transparent huge pages under that memory. Null when the source is
 * not the one this patch was written for.
 */
export function patchInt8Dots(source) {
  // At the start of a line: the classes' own (indented, static) Init functions have the same signature.
  const init = '\nNapi::Object Init(Napi::Env env, Napi::Object exports) {\n';
  const ret = '  HierarchicalNSW::Init(env, exports);\n  return exports;\n}\n';
  if (
    source.split(init).length !== 2 ||
    source.split(ret).length !== 2 ||
    !source.includes('#include <cstring>\n')
  ) {
    return null;
  }
  return source
    .replace(
      '#include <cstring>\n',
      '#include <cstring>\n#include <cstdint>\n#include <immintrin.h>\n' +
        '#ifdef __linux__\n#include <sys/mman.h>\n#endif\n',
    )
    .replace(init, `\n${INT8_DOTS_FUNCTION}${init.slice(1)}`)
    .replace(
      ret,
      '  HierarchicalNSW::Init(env, exports);\n' +
        '  exports.Set("kbgateInt8Dots", Napi::Function::New(env, kbgateInt8Dots, "kbgateInt8Dots"));\n' +
        '  exports.Set("kbgateAdviseHugePages",\n' +
        '              Napi::Function::New(env, kbgateAdviseHugePages, "kbgateAdviseHugePages"));\n' +
        '  return exports;\n}\n',
    );
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
    const withDistances = patched === null ? null : patchExactDistances(patched);
    if (withDistances !== null) patched = withDistances;
    const withDots = patched === null ? null : patchInt8Dots(patched);
    if (withDots !== null) patched = withDots;
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
    // float32Input: whether addPoint and searchKnn take a Float32Array (the patch applied); exactDistances: whether
    // HierarchicalNSW has kbgateDistances (the runtime looks for the method itself).
    const exactDistances = patched !== null && withDistances !== null;
    const int8Dots = patched !== null && withDots !== null;
    writeFileSync(
      join(out, 'build-info.json'),
      JSON.stringify({ hnswlibNode: version, float32Input: patched !== null, exactDistances, int8Dots }),
    );
    const extras = [exactDistances && 'exact distances by label', int8Dots && 'native int8 kernel'];
    const input =
      patched === null
        ? ', unpatched: Arrays only'
        : [', Float32Array input', ...extras.filter(Boolean)].join(', ');
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
