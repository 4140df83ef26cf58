/**
 * Scan kernel benchmark: the int8 dot-product kernel a filtered scan runs over its allowed rows, the WebAssembly one
 * beside the native twin of the patched hnswlib-node build (src/vector/int8-dot-kernel.ts), on the same memory in the
 * same run, rounds alternating.
 *
 * The rows are those of a 10%-selective filter spread over the collection (every `--every`-th row), as a filter on a
 * field unrelated to the data gives. Each scan is timed twice: `warm`, straight after the last, and `cold`, after
 * reading a buffer larger than the caches, as a server meets it between requests.
 *
 * Usage: npm run bench:scan -- [--n 100000] [--dim 384] [--every 10] [--rounds 5] [--scans 200]
 */
import { parseArgs } from 'node:util';
import { hnswlibInt8Dots, hnswlibVariant } from '../src/vector/hnswlib-binding.js';
import { createInt8DotKernel, createKernelMemory, type DotsFunction } from '../src/vector/int8-dot-kernel.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dim: { type: 'string', default: '384' },
    every: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    scans: { type: 'string', default: '200' },
  },
});
const N = Number(values.n);
const STRIDE = Math.ceil(Number(values.dim) / 16) * 16;
const EVERY = Number(values.every);
const ROUNDS = Number(values.rounds);
const SCANS = Number(values.scans);
/** Read between cold scans: more than this machine's last-level cache. */
const EVICT_BYTES = 96 * 1024 * 1024;

const slots = Int32Array.from({ length: Math.ceil(N / EVERY) }, (_, i) => i * EVERY);
const codesBytes = N * STRIDE;
const queryAt = codesBytes;
const slotsAt = queryAt + STRIDE * 2;
const outAt = slotsAt + slots.length * 4;
const memory = createKernelMemory(Math.ceil((outAt + slots.length * 4) / 65_536));
let seed = 1;
const next = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
const codes = new Int8Array(memory.buffer, 0, codesBytes);
for (let i = 0; i < codes.length; i++) codes[i] = (next() % 255) - 127;
const queryMax = Math.floor(2_147_483_647 / (STRIDE * 127));
const query = new Int16Array(memory.buffer, queryAt, STRIDE);
for (let j = 0; j < STRIDE; j++) query[j] = (next() % (2 * queryMax + 1)) - queryMax;
new Int32Array(memory.buffer, slotsAt, slots.length).set(slots);

const evict = new Uint8Array(EVICT_BYTES);
let sink = 0;
function evictCaches(): void {
  for (let i = 0; i < evict.length; i += 64) sink += evict[i]!++;
}

/** Microseconds per scan, warm (back to back) and cold (caches evicted before each). */
function measure(dots: DotsFunction): { warm: number; cold: number } {
  const scan = () => dots(0, STRIDE, queryAt, slotsAt, slots.length, outAt);
  for (let i = 0; i < 20; i++) scan();
  let start = process.hrtime.bigint();
  for (let i = 0; i < SCANS; i++) scan();
  const warm = Number(process.hrtime.bigint() - start) / 1e3 / SCANS;
  let cold = 0;
  for (let i = 0; i < SCANS / 4; i++) {
    evictCaches();
    start = process.hrtime.bigint();
    scan();
    cold += Number(process.hrtime.bigint() - start) / 1e3;
  }
  return { warm, cold: cold / (SCANS / 4) };
}

const wasm = createInt8DotKernel(memory, { native: false });
const native = hnswlibInt8Dots ? createInt8DotKernel(memory, { native: true }) : null;
console.log(
  `${slots.length} rows of ${STRIDE} int8 codes (every ${EVERY}th of ${N}); ` +
    `hnswlib-node ${hnswlibVariant.variant} build` +
    (native ? ', native kernel present' : ', no native kernel (stock build): WebAssembly only'),
);
if (native) {
  // Same memory, same results: checked before timing anything.
  wasm(0, STRIDE, queryAt, slotsAt, slots.length, outAt);
  const want = Array.from(new Int32Array(memory.buffer, outAt, slots.length));
  native(0, STRIDE, queryAt, slotsAt, slots.length, outAt);
  const got = new Int32Array(memory.buffer, outAt, slots.length);
  if (want.some((v, i) => v !== got[i])) throw new Error('the kernels disagree');
}
const rows: Record<string, string>[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const w = measure(wasm);
  const row: Record<string, string> = {
    round: String(round),
    wasm_warm_us: w.warm.toFixed(0),
    wasm_cold_us: w.cold.toFixed(0),
  };
  if (native) {
    const n = measure(native);
    Object.assign(row, {
      native_warm_us: n.warm.toFixed(0),
      native_cold_us: n.cold.toFixed(0),
      warm_ratio: (w.warm / n.warm).toFixed(2),
      cold_ratio: (w.cold / n.cold).toFixed(2),
    });
  }
  rows.push(row);
}
console.table(rows);
console.log(JSON.stringify({ n: N, stride: STRIDE, every: EVERY, rows, sink: sink % 2 }));
