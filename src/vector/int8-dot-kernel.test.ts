import { describe, expect, it } from 'vitest';
import { hnswlibAdviseHugePages, hnswlibInt8Dots } from './hnswlib-binding.js';
import { adviseHugePages, createInt8DotKernel, createKernelMemory } from './int8-dot-kernel.js';

/** Dot products computed plainly, as the kernel's contract states them. */
function reference(
  codes: Int8Array,
  stride: number,
  query: Int16Array,
  slots: number[] | null,
  n: number,
): number[] {
  return Array.from({ length: n }, (_, i) => {
    const slot = slots === null ? i : (slots[i] as number);
    let sum = 0;
    for (let j = 0; j < stride; j++) sum += (codes[slot * stride + j] as number) * (query[j] as number);
    return sum;
  });
}

// The WebAssembly kernel everywhere; its native twin where the patched hnswlib-node build has it.
const KERNELS = [
  { kind: 'WebAssembly', native: false },
  ...(hnswlibInt8Dots ? [{ kind: 'native', native: true }] : []),
];

describe.each(KERNELS)('the $kind int8 dot-product kernel', ({ native }) => {
  const stride = 48;
  const rows = 23;
  const memory = createKernelMemory(1);
  const dots = createInt8DotKernel(memory, { native });
  const codes = new Int8Array(memory.buffer, 0, rows * stride);
  // Extreme and mixed-sign values, so overflow or a wrong lane order would show.
  for (let i = 0; i < codes.length; i++)
    codes[i] = i % 7 === 0 ? -128 : i % 5 === 0 ? 127 : ((i * 37) % 251) - 125;
  const queryAt = rows * stride;
  const query = new Int16Array(memory.buffer, queryAt, stride);
  for (let j = 0; j < stride; j++) query[j] = j % 3 === 0 ? -127 : ((j * 53) % 255) - 127;
  const slotsAt = queryAt + stride * 2;
  const outAt = slotsAt + rows * 4;

  // Every count of rows around the four-at-a-time main loop and its one-at-a-time tail.
  it.each(Array.from({ length: 10 }, (_, n) => [n]))('should compute %i rows in order exactly', (n) => {
    dots(0, stride, queryAt, -1, n, outAt);
    expect(Array.from(new Int32Array(memory.buffer, outAt, n))).toEqual(
      reference(codes, stride, query, null, n),
    );
  });

  it.each(Array.from({ length: 10 }, (_, n) => [n]))('should compute %i gathered rows exactly', (n) => {
    const slots = Array.from({ length: n }, (_, i) => (i * 5 + 3) % rows);
    new Int32Array(memory.buffer, slotsAt, n).set(slots);
    dots(0, stride, queryAt, slotsAt, n, outAt);
    expect(Array.from(new Int32Array(memory.buffer, outAt, n))).toEqual(
      reference(codes, stride, query, slots, n),
    );
  });
});

describe.runIf(hnswlibInt8Dots)('the native int8 kernel beside the WebAssembly one', () => {
  it('should give the same dot products over the same memory, rows gathered or in order, at 384 dimensions', () => {
    const stride = 384;
    const rows = 2_000;
    const memory = createKernelMemory(Math.ceil((rows * stride + stride * 2 + rows * 8) / 65_536));
    const codes = new Int8Array(memory.buffer, 0, rows * stride);
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let i = 0; i < codes.length; i++) codes[i] = (next() % 255) - 127;
    const queryAt = rows * stride;
    const query = new Int16Array(memory.buffer, queryAt, stride);
    // Query codes up to the largest QuantizedMirror writes at this stride (so no row's sum overflows int32).
    const queryMax = Math.floor(2_147_483_647 / (stride * 127));
    for (let j = 0; j < stride; j++) query[j] = (next() % (2 * queryMax + 1)) - queryMax;
    const slotsAt = queryAt + stride * 2;
    const outAt = slotsAt + rows * 4;
    const slots = Array.from({ length: rows }, (_, i) => (i * 7_919) % rows);
    new Int32Array(memory.buffer, slotsAt, rows).set(slots);
    const wasm = createInt8DotKernel(memory, { native: false });
    const native = createInt8DotKernel(memory, { native: true });
    for (const at of [slotsAt, -1]) {
      wasm(0, stride, queryAt, at, rows, outAt);
      const want = Array.from(new Int32Array(memory.buffer, outAt, rows));
      new Int32Array(memory.buffer, outAt, rows).fill(0);
      native(0, stride, queryAt, at, rows, outAt);
      expect(Array.from(new Int32Array(memory.buffer, outAt, rows))).toEqual(want);
    }
  });

  it('should refuse offsets, strides and slots outside the memory, writing nothing', () => {
    const dots = hnswlibInt8Dots!;
    const memory = createKernelMemory(1);
    const { buffer } = memory;
    const out = new Int32Array(buffer, 4_096, 4);
    new Int32Array(buffer, 8_192, 2).set([0, 65_536 / 16]); // the second slot's row lies past the end
    const calls: [string, () => void][] = [
      ['a query past the end', () => dots(buffer, 0, 16, 65_536 - 16, -1, 1, 4_096)],
      ['an out past the end', () => dots(buffer, 0, 16, 0, -1, 4, 65_536 - 8)],
      ['rows past the end', () => dots(buffer, 0, 16, 0, -1, 4_097, 0)],
      ['a slot past the end', () => dots(buffer, 0, 16, 0, 8_192, 2, 4_096)],
      ['a negative slot', () => dots(buffer, 0, 16, 0, 8_188, 1, 4_096)],
      ['a stride not a multiple of 16', () => dots(buffer, 0, 24, 0, -1, 1, 4_096)],
      ['a negative offset', () => dots(buffer, -16, 16, 0, -1, 1, 4_096)],
    ];
    new Int32Array(buffer, 8_188, 1).set([-1]);
    for (const [what, call] of calls) {
      out.fill(99);
      expect(call, what).toThrow(RangeError);
      expect(Array.from(out), what).toEqual([99, 99, 99, 99]);
    }
    expect(() =>
      (dots as unknown as (...a: unknown[]) => void)(new Uint8Array(16), 0, 16, 0, -1, 1, 0),
    ).toThrow(TypeError);
  });
});

describe.runIf(hnswlibAdviseHugePages)('huge pages under the kernel memory', () => {
  it('should take the advice on memory of a few huge pages, and keep its contents and the dot products', () => {
    const stride = 64;
    const rows = 66_000;
    const memory = createKernelMemory(Math.ceil((rows * stride + stride * 2 + rows * 4) / 65_536));
    const codes = new Int8Array(memory.buffer, 0, rows * stride);
    for (let i = 0; i < codes.length; i++) codes[i] = ((i * 31) % 255) - 127;
    const queryAt = rows * stride;
    new Int16Array(memory.buffer, queryAt, stride).fill(-3);
    const outAt = queryAt + stride * 2;
    const dots = createInt8DotKernel(memory);
    dots(0, stride, queryAt, -1, rows, outAt);
    const before = Array.from(new Int32Array(memory.buffer, outAt, rows));
    const head = Array.from(codes.subarray(0, 1_000));
    // Over 4 MiB holds at least one whole 2 MiB page, wherever the memory starts.
    expect(hnswlibAdviseHugePages!(memory.buffer)).toBe(true);
    memory.grow(64);
    adviseHugePages(memory);
    expect(Array.from(new Int8Array(memory.buffer, 0, 1_000))).toEqual(head);
    dots(0, stride, queryAt, -1, rows, outAt);
    expect(Array.from(new Int32Array(memory.buffer, outAt, rows))).toEqual(before);
  });

  it('should decline memory smaller than a huge page, and refuse what is not an ArrayBuffer', () => {
    expect(hnswlibAdviseHugePages!(new ArrayBuffer(4_096))).toBe(false);
    const advise = hnswlibAdviseHugePages as unknown as (...args: unknown[]) => boolean;
    expect(() => advise(new Uint8Array(4_096))).toThrow(TypeError);
    expect(() => advise()).toThrow(TypeError);
  });
});
