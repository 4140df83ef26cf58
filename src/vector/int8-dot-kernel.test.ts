import { describe, expect, it } from 'vitest';
import { createInt8DotKernel, createKernelMemory } from './int8-dot-kernel.js';

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

describe('the int8 dot-product kernel', () => {
  const stride = 48;
  const rows = 23;
  const memory = createKernelMemory(1);
  const dots = createInt8DotKernel(memory);
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
