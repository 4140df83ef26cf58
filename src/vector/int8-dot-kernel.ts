/**
 * A WebAssembly SIMD kernel: integer dot products of int8 rows with an int16 query, 16 components and four rows at a
 * time; where the patched hnswlib-node build is loaded, its native twin runs instead over the same memory.
 */
import { hnswlibAdviseHugePages, hnswlibInt8Dots } from './hnswlib-binding.js';

/**
 * `int8-dot.wat` beside this file, assembled with wabt 1.0.39 (`npx -p wabt@1.0.39 wat2wasm int8-dot.wat`, SIMD on
 * by default); 865 bytes.
 *
 * @remarks Exports `dots(codes, stride, query, slots, n, out)`: for i < n, `out[i]` (i32) is the dot product of the
 * int8 row `codes + slot * stride` with the int16 `query`, where `slot` is `slots[i]` (i32), or `i` when `slots` is
 * negative. `stride` is a multiple of 16 bytes. All arguments are byte offsets into the imported memory.
 */
const KERNEL_BASE64 =
  'AGFzbQEAAAABCgFgBn9/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMCAQAHCAEEZG90cwAACqsGAagGAgd/B3sCQANAIAZBBGogBEsNASAAIAEgA0EA' +
  'TgR/IAMgBkEAakECdGooAgAFIAZBAGoLbGohCSAAIAEgA0EATgR/IAMgBkEBakECdGooAgAFIAZBAWoLbGohCiAAIAEgA0EATgR/IAMgBkECakEC' +
  'dGooAgAFIAZBAmoLbGohCyAAIAEgA0EATgR/IAMgBkEDakECdGooAgAFIAZBA2oLbGohDP0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAA' +
  'AAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQQQAhByACIQgCQANAIAcgAU8NASAI/QAEACESIAj9AAQQIRMg' +
  'CSAHav0ABAAhESANIBH9hwEgEv26ASAR/YgBIBP9ugH9rgH9rgEhDSAKIAdq/QAEACERIA4gEf2HASAS/boBIBH9iAEgE/26Af2uAf2uASEOIAsg' +
  'B2r9AAQAIREgDyAR/YcBIBL9ugEgEf2IASAT/boB/a4B/a4BIQ8gDCAHav0ABAAhESAQIBH9hwEgEv26ASAR/YgBIBP9ugH9rgH9rgEhECAHQRBq' +
  'IQcgCEEgaiEIDAALCyAFIAZBAnRqIA39GwAgDf0bAWogDf0bAiAN/RsDamo2AgAgBSAGQQJ0aiAO/RsAIA79GwFqIA79GwIgDv0bA2pqNgIEIAUg' +
  'BkECdGogD/0bACAP/RsBaiAP/RsCIA/9GwNqajYCCCAFIAZBAnRqIBD9GwAgEP0bAWogEP0bAiAQ/RsDamo2AgwgBkEEaiEGDAALCwJAA0AgBiAE' +
  'Tw0BIAAgASADQQBOBH8gAyAGQQJ0aigCAAUgBgtsaiEJ/QwAAAAAAAAAAAAAAAAAAAAAIQ1BACEHIAIhCAJAA0AgByABTw0BIAj9AAQAIRIgCP0A' +
  'BBAhEyAJIAdq/QAEACERIA0gEf2HASAS/boBIBH9iAEgE/26Af2uAf2uASENIAdBEGohByAIQSBqIQgMAAsLIAUgBkECdGogDf0bACAN/RsBaiAN' +
  '/RsCIA39GwNqajYCACAGQQFqIQYMAAsLCw==';

/** The kernel's entry point (see {@link KERNEL_BASE64}). */
export type DotsFunction = (
  codes: number,
  stride: number,
  query: number,
  slots: number,
  n: number,
  out: number,
) => void;

/** The part of `WebAssembly.Memory` the kernel's callers use (the project's `lib` has no WebAssembly types). */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The WebAssembly constructors used here, typed locally. */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number }) => KernelMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

const WASM = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | null = null;

/** Memory below this size is left on ordinary pages: it spans few of them, and a huge page would mostly be empty. */
const HUGE_PAGES_FROM = 4 * 1024 * 1024;

/** A new WebAssembly memory of `pages` 64 KiB pages, for the kernel to work in (see {@link adviseHugePages}). */
export function createKernelMemory(pages: number): KernelMemory {
  const memory = new WASM.Memory({ initial: pages });
  adviseHugePages(memory);
  return memory;
}

/**
 * Asks Linux to back `memory` with transparent huge pages, where the patched hnswlib-node build can
 * ({@link hnswlibAdviseHugePages}) and the memory spans a few of them: a scan over scattered rows (a filter's allowed
 * set) then takes one TLB entry per 2 MiB instead of one per row, and waits less on memory. Call again after
 * growing it: the advice covers the memory as it is. Changes nothing else.
 */
export function adviseHugePages(memory: KernelMemory): void {
  if (hnswlibAdviseHugePages && memory.buffer.byteLength >= HUGE_PAGES_FROM) {
    hnswlibAdviseHugePages(memory.buffer);
  }
}

/**
 * The kernel over `memory`: the native twin in the patched hnswlib-node build when there is one
 * ({@link hnswlibInt8Dots}: same results, with prefetching, which a scan of scattered rows gains most from), else
 * the WebAssembly module (compiled once per process). `native: false` asks for the WebAssembly one.
 */
export function createInt8DotKernel(memory: KernelMemory, { native = true } = {}): DotsFunction {
  const dots = native ? hnswlibInt8Dots : null;
  if (dots) {
    return (codes, stride, query, slots, n, out) => dots(memory.buffer, codes, stride, query, slots, n, out);
  }
  compiled ??= new WASM.Module(Buffer.from(KERNEL_BASE64, 'base64'));
  const instance = new WASM.Instance(compiled, { env: { memory } });
  return instance.exports['dots'] as DotsFunction;
}
