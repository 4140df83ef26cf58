/**
 * The hnswlib-node binding kbgate searches with: the AVX2 build that `npm install` compiles beside the stock one
 * (scripts/build-hnswlib-avx2.mjs) when this CPU has AVX2 and FMA, else hnswlib-node as published.
 *
 * @remarks
 * hnswlib chooses its distance kernels at compile time, and node-gyp's default flags give it SSE only. Built with
 * `-mavx2 -mfma`, the same source searches with 256-bit kernels: about 10% less server CPU per unfiltered query at
 * 100,000 vectors (BENCHMARKS.md). That binary may use those instructions anywhere, so it is loaded only after
 * /proc/cpuinfo shows both. The two builds read and write the same index files and find the same neighbours; their
 * distances can differ in the last bits of a float32 (fused multiply-adds round once). `KBGATE_HNSWLIB_AVX2=off`
 * keeps the stock build.
 *
 * The AVX2 build's source is also patched to take a query or point as a Float32Array ({@link hnswlibFloat32Input}):
 * the published addon reads an Array of numbers element by element through N-API, about 30 µs per 384-dimension
 * vector, which the patched one replaces with a single copy. The patch also adds the distances from a query to given
 * labels, read from the graph's memory ({@link hnswlibExactDistances}), and a native twin of the int8 scan kernel
 * ({@link hnswlibInt8Dots}), with huge pages under its memory ({@link hnswlibAdviseHugePages}): together they halve
 * the CPU of a scan in-process, and take about 20% off a filtered query's server CPU at 100,000 vectors
 * (BENCHMARKS.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type stock from 'hnswlib-node';
import type { DotsFunction } from './int8-dot-kernel.js';

export type HnswlibBinding = typeof stock;

/** Which build is in use: `avx2` (compiled with AVX2 and FMA) or `stock` (hnswlib-node as published). */
export type HnswlibVariant = 'avx2' | 'stock';

/** What the choice depends on, read from this machine by {@link detectHost}. */
export interface BindingHost {
  platform: string;
  arch: string;
  /** The `flags` of /proc/cpuinfo, or null when unreadable. */
  cpuFlags: ReadonlySet<string> | null;
  /** Path of the AVX2 build, or null when none was built for the installed hnswlib-node. */
  avx2Addon: string | null;
  /** The `KBGATE_HNSWLIB_AVX2` setting. */
  setting: string | undefined;
}

/** The build to load on `host`, and why. */
export function chooseVariant(host: BindingHost): { variant: HnswlibVariant; reason: string } {
  if (host.setting === 'off') return { variant: 'stock', reason: 'KBGATE_HNSWLIB_AVX2=off' };
  if (host.platform !== 'linux' || host.arch !== 'x64') {
    return { variant: 'stock', reason: `no AVX2 build for ${host.platform}/${host.arch}` };
  }
  if (host.avx2Addon === null) {
    return { variant: 'stock', reason: 'no AVX2 build of the installed hnswlib-node (npm install makes it)' };
  }
  if (!host.cpuFlags?.has('avx2') || !host.cpuFlags.has('fma')) {
    return { variant: 'stock', reason: 'this CPU lacks AVX2 or FMA' };
  }
  return { variant: 'avx2', reason: 'this CPU has AVX2 and FMA' };
}

const require = createRequire(import.meta.url);

/** What {@link avx2Build} found, read once per process (undefined until then). */
let builtAvx2: { path: string; float32Input: boolean } | null | undefined;

/**
 * Where scripts/build-hnswlib-avx2.mjs puts the AVX2 build (node_modules/.cache/kbgate beside hnswlib-node); null
 * when it is missing or was compiled from another hnswlib-node version than the one installed now.
 */
function avx2Build(): { path: string; float32Input: boolean } | null {
  if (builtAvx2 === undefined) builtAvx2 = readAvx2Build();
  return builtAvx2;
}

function readAvx2Build(): { path: string; float32Input: boolean } | null {
  try {
    const packageJson = require.resolve('hnswlib-node/package.json');
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    const dir = join(dirname(dirname(packageJson)), '.cache', 'kbgate', 'hnswlib-avx2');
    const info = JSON.parse(readFileSync(join(dir, 'build-info.json'), 'utf8')) as {
      hnswlibNode?: string;
      float32Input?: boolean;
    };
    const path = join(dir, 'build', 'Release', 'addon.node');
    if (info.hnswlibNode !== version || !existsSync(path)) return null;
    return { path, float32Input: info.float32Input === true };
  } catch {
    return null;
  }
}

/** The flags of the first processor in /proc/cpuinfo (null elsewhere). */
function cpuFlags(): Set<string> | null {
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return line ? new Set((line[1] ?? '').trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
}

/** This machine, as {@link chooseVariant} needs it. */
export function detectHost(): BindingHost {
  const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
  return {
    platform: process.platform,
    arch: process.arch,
    cpuFlags: linuxX64 ? cpuFlags() : null,
    avx2Addon: linuxX64 ? (avx2Build()?.path ?? null) : null,
    setting: process.env.KBGATE_HNSWLIB_AVX2,
  };
}

function load(): { binding: HnswlibBinding; variant: HnswlibVariant; reason: string; float32Input: boolean } {
  const host = detectHost();
  const choice = chooseVariant(host);
  // The stock addon is loaded only when it is the one used, not beside the AVX2 build.
  const stockBinding = (): HnswlibBinding => require('hnswlib-node') as HnswlibBinding;
  if (choice.variant === 'stock' || host.avx2Addon === null) {
    return { binding: stockBinding(), ...choice, float32Input: false };
  }
  try {
    const binding = require(host.avx2Addon) as HnswlibBinding;
    if (typeof binding.HierarchicalNSW !== 'function') throw new Error('no HierarchicalNSW');
    return { binding, ...choice, float32Input: avx2Build()?.float32Input === true };
  } catch (err) {
    return {
      binding: stockBinding(),
      variant: 'stock',
      reason: `the AVX2 build failed to load: ${(err as Error).message}`,
      float32Input: false,
    };
  }
}

const loaded = load();

/** The binding to build and search indexes with. */
export const hnswlib: HnswlibBinding = loaded.binding;
/** Which build {@link hnswlib} is, and why it was chosen. */
export const hnswlibVariant: { variant: HnswlibVariant; reason: string } = {
  variant: loaded.variant,
  reason: loaded.reason,
};
/**
 * Whether {@link hnswlib}'s `addPoint` and `searchKnn` take a Float32Array (the patched AVX2 build); when false they
 * take only an Array of numbers, as hnswlib-node is published.
 */
export const hnswlibFloat32Input: boolean = loaded.float32Input;

/**
 * `kbgateDistances(query, labels, out)`, which the patched AVX2 build adds to HierarchicalNSW: the distances from a
 * Float32Array query (normalized in `cosine`, as `searchKnn` does) to each label of a Uint32Array, written to a
 * Float32Array, from the graph's own copies of the points with the index's distance kernel; NaN for a label that is
 * missing or marked deleted.
 */
export type GraphDistances = (query: Float32Array, labels: Uint32Array, out: Float32Array) => void;

/**
 * `kbgateInt8Dots(buffer, codes, stride, query, slots, n, out)`, a module-level function of the patched AVX2 build:
 * the native twin of the WebAssembly int8 kernel (see int8-dot-kernel.ts), over the same memory and with the same
 * results, with AVX2 and prefetching of the rows ahead. Throws a RangeError for offsets outside `buffer`.
 */
export type NativeInt8Dots = (buffer: ArrayBuffer, ...offsets: Parameters<DotsFunction>) => void;

/** The module-level function `name` of the loaded build (one the patch adds), or null when it has none. */
function patchedFunction<T>(name: string): T | null {
  const fn = (loaded.binding as unknown as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as T) : null;
}

/** {@link NativeInt8Dots} when {@link hnswlib} has it, else null. */
export const hnswlibInt8Dots = patchedFunction<NativeInt8Dots>('kbgateInt8Dots');

/**
 * `kbgateAdviseHugePages(buffer)` of the patched build: asks Linux to back the whole 2 MiB pages inside an ArrayBuffer
 * with transparent huge pages (contents unchanged); true when Linux took the advice. Null without the patched build.
 */
export const hnswlibAdviseHugePages =
  patchedFunction<(buffer: ArrayBuffer) => boolean>('kbgateAdviseHugePages');

/** Whether {@link hnswlib}'s HierarchicalNSW has `kbgateDistances` (see {@link GraphDistances}). */
export const hnswlibExactDistances: boolean =
  typeof (loaded.binding.HierarchicalNSW.prototype as { kbgateDistances?: unknown }).kbgateDistances ===
  'function';
