/** A WebAssembly SIMD kernel: integer dot products of int8 rows with an int16 query, 16 components at a time. */

/**
 * `int8-dot.wat` beside this file, assembled with wabt 1.0.39 (`wat2wasm --enable-simd`); 259 bytes.
 *
 * @remarks Exports `dots(codes, stride, query, slots, n, out)`: for i < n, `out[i]` (i32) is the dot product of the
 * int8 row `codes + slot * stride` with the int16 `query`, where `slot` is `slots[i]` (i32), or `i` when `slots` is
 * negative. `stride` is a multiple of 16 bytes. All arguments are byte offsets into the imported memory.
 */
const KERNEL_BASE64 =
  'AGFzbQEAAAABCgFgBn9/f39/fwACDwEDZW52Bm1lbW9yeQIAAQMCAQAHCAEEZG90cwAACs0BAcoBAgR/AnsCQANAIAYgBE8NASAAIAEgA0EATgR/' +
  'IAMgBkECdGooAgAFIAYLbGohB/0MAAAAAAAAAAAAAAAAAAAAACEKQQAhCCACIQkCQANAIAggAU8NASAHIAhq/QAEACELIAogC/2HASAJ/QAEAP26' +
  'Af2uASEKIAogC/2IASAJ/QAEEP26Af2uASEKIAhBEGohCCAJQSBqIQkMAAsLIAUgBkECdGogCv0bACAK/RsBaiAK/RsCIAr9GwNqajYCACAGQQFq' +
  'IQYMAAsLCw==';

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

/** A new WebAssembly memory of `pages` 64 KiB pages, for the kernel to work in. */
export function createKernelMemory(pages: number): KernelMemory {
  return new WASM.Memory({ initial: pages });
}

/** Instantiates the kernel over `memory` (the module is compiled once per process). */
export function createInt8DotKernel(memory: KernelMemory): DotsFunction {
  compiled ??= new WASM.Module(Buffer.from(KERNEL_BASE64, 'base64'));
  const instance = new WASM.Instance(compiled, { env: { memory } });
  return instance.exports['dots'] as DotsFunction;
}
