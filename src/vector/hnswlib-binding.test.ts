import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import stock from 'hnswlib-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusteredVectors } from '../../test/helpers/random-data.js';
import { patchExactDistances, patchFloat32Input, patchInt8Dots } from '../../scripts/build-hnswlib-avx2.mjs';
import { distanceFunction } from './distance.js';
import {
  chooseVariant,
  detectHost,
  hnswlib,
  hnswlibAdviseHugePages,
  hnswlibExactDistances,
  hnswlibFloat32Input,
  hnswlibInt8Dots,
  hnswlibVariant,
  type BindingHost,
  type GraphDistances,
} from './hnswlib-binding.js';

const CAPABLE: BindingHost = {
  platform: 'linux',
  arch: 'x64',
  cpuFlags: new Set(['sse2', 'avx', 'avx2', 'fma']),
  avx2Addon: '/opt/kbgate/node_modules/.cache/kbgate/hnswlib-avx2/build/Release/addon.node',
  setting: undefined,
};

describe('chooseVariant', () => {
  it('should choose the AVX2 build on Linux x64 with AVX2 and FMA when it was built', () => {
    expect(chooseVariant(CAPABLE).variant).toBe('avx2');
  });

  it.each([
    ['KBGATE_HNSWLIB_AVX2=off', { setting: 'off' }, 'KBGATE_HNSWLIB_AVX2=off'],
    ['another platform', { platform: 'darwin', arch: 'arm64' }, 'no AVX2 build for darwin/arm64'],
    [
      'no AVX2 build',
      { avx2Addon: null },
      'no AVX2 build of the installed hnswlib-node (npm install makes it)',
    ],
    ['a CPU without AVX2', { cpuFlags: new Set(['sse2', 'avx', 'fma']) }, 'this CPU lacks AVX2 or FMA'],
    ['a CPU without FMA', { cpuFlags: new Set(['sse2', 'avx', 'avx2']) }, 'this CPU lacks AVX2 or FMA'],
    ['unreadable CPU flags', { cpuFlags: null }, 'this CPU lacks AVX2 or FMA'],
  ] as const)('should keep the stock build with %s', (_, change, reason) => {
    expect(chooseVariant({ ...CAPABLE, ...change })).toEqual({ variant: 'stock', reason });
  });
});

describe('the loaded binding', () => {
  const host = detectHost();
  const capable =
    host.platform === 'linux' &&
    host.arch === 'x64' &&
    Boolean(host.cpuFlags?.has('avx2') && host.cpuFlags.has('fma')) &&
    host.setting !== 'off';

  it('should be the AVX2 build made at install on a capable machine, else the stock build', () => {
    // npm install builds it on Linux x64 (scripts/build-hnswlib-avx2.mjs); a capable machine without it means
    // that build failed.
    if (capable) {
      expect(host.avx2Addon).not.toBeNull();
      expect(hnswlibVariant.variant).toBe('avx2');
      expect(hnswlib).not.toBe(stock);
      // The patches are written for the installed hnswlib-node: the build takes Float32Arrays, computes distances
      // by label and has the native int8 kernel.
      expect(hnswlibFloat32Input).toBe(true);
      expect(hnswlibExactDistances).toBe(true);
      expect(hnswlibInt8Dots).toBeTypeOf('function');
      expect(hnswlibAdviseHugePages).toBeTypeOf('function');
    } else {
      expect(hnswlibVariant.variant).toBe('stock');
      expect(hnswlib).toBe(stock);
      expect(hnswlibFloat32Input).toBe(false);
      expect(hnswlibExactDistances).toBe(false);
      expect(hnswlibInt8Dots).toBeNull();
      expect(hnswlibAdviseHugePages).toBeNull();
    }
  });

  describe.runIf(hnswlibExactDistances)(
    'kbgateDistances, the distances by label of the patched build',
    () => {
      const DIM = 48;
      const data = clusteredVectors(600, DIM, 8, 21);
      const queries = clusteredVectors(20, DIM, 8, 22);
      type WithDistances = InstanceType<typeof hnswlib.HierarchicalNSW> & { kbgateDistances: GraphDistances };
      const build = (space: 'l2' | 'ip' | 'cosine') => {
        const index = new hnswlib.HierarchicalNSW(space, DIM) as WithDistances;
        index.initIndex({ maxElements: 200, m: 16, efConstruction: 100, allowReplaceDeleted: true });
        return index;
      };

      it.each(['l2', 'ip', 'cosine'] as const)(
        "should give each label's %s distance from the graph's copy, as searchKnn reports it",
        (space) => {
          const index = build(space);
          data.slice(0, 200).forEach((v, i) => index.addPoint(Array.from(v), i * 3));
          index.resizeIndex(data.length);
          data.slice(200).forEach((v, i) => index.addPoint(Array.from(v), (200 + i) * 3));
          const exact = distanceFunction(space);
          const labels = Uint32Array.from(data.map((_, i) => i * 3));
          const out = new Float32Array(labels.length);
          for (const q of queries) {
            index.kbgateDistances(q, labels, out);
            out.forEach((d, i) => {
              const want = exact(q, data[i]!);
              expect(Math.abs(d - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
            });
            // The nearest by searchKnn carry the same float32 distances.
            const { neighbors, distances } = index.searchKnn(Array.from(q), 5);
            const some = new Float32Array(neighbors.length);
            index.kbgateDistances(q, Uint32Array.from(neighbors), some);
            expect(Array.from(some)).toEqual(distances.map((d) => Math.fround(d)));
          }
        },
      );

      it('should give NaN for unknown and deleted labels, and a number again once a deleted label is re-added', () => {
        const index = build('l2');
        data.slice(0, 10).forEach((v, i) => index.addPoint(Array.from(v), i));
        index.markDelete(4);
        const out = new Float32Array(3);
        index.kbgateDistances(data[0]!, Uint32Array.from([4, 99, 0]), out);
        expect(Number.isNaN(out[0])).toBe(true);
        expect(Number.isNaN(out[1])).toBe(true);
        expect(out[2]).toBe(0);
        index.addPoint(Array.from(data[4]!), 4, true);
        index.kbgateDistances(data[4]!, Uint32Array.from([4]), out);
        expect(out[0]).toBe(0);
        // An index not yet initialized has no points.
        const empty = new hnswlib.HierarchicalNSW('l2', DIM) as WithDistances;
        empty.kbgateDistances(data[0]!, Uint32Array.from([0]), out);
        expect(Number.isNaN(out[0])).toBe(true);
      });

      it('should refuse a query of another length, too small an out, and arrays of other kinds', () => {
        const index = build('cosine');
        index.addPoint(Array.from(data[0]!), 0);
        const labels = Uint32Array.from([0, 0]);
        const call =
          (...args: unknown[]) =>
          () =>
            (index.kbgateDistances as unknown as (...a: unknown[]) => void)(...args);
        expect(call(new Float32Array(DIM - 1), labels, new Float32Array(2))).toThrow(RangeError);
        expect(call(data[0], labels, new Float32Array(1))).toThrow(RangeError);
        expect(call(Array.from(data[0]!), labels, new Float32Array(2))).toThrow(TypeError);
        expect(call(data[0], [0, 0], new Float32Array(2))).toThrow(TypeError);
        expect(call(data[0], Int32Array.from([0, 0]), new Float32Array(2))).toThrow(TypeError);
        expect(call(data[0], labels, new Float64Array(2))).toThrow(TypeError);
        expect(call(data[0], labels)).toThrow(TypeError);
      });
    },
  );

  describe.runIf(hnswlibFloat32Input)('the patched build taking Float32Arrays', () => {
    const DIM = 64;
    const data = clusteredVectors(1_500, DIM, 15, 11);
    const queries = clusteredVectors(50, DIM, 15, 12);

    it.each(['l2', 'ip', 'cosine'] as const)(
      'should build and search %s the same from Float32Arrays as from Arrays',
      (space) => {
        const fromArrays = new hnswlib.HierarchicalNSW(space, DIM);
        const fromTyped = new hnswlib.HierarchicalNSW(space, DIM);
        for (const index of [fromArrays, fromTyped]) {
          index.initIndex({ maxElements: data.length, m: 16, efConstruction: 100, randomSeed: 5 });
        }
        data.forEach((v, i) => {
          fromArrays.addPoint(Array.from(v), i);
          fromTyped.addPoint(v as unknown as number[], i);
        });
        for (const q of queries) {
          const want = fromArrays.searchKnn(Array.from(q), 10);
          expect(fromTyped.searchKnn(q as unknown as number[], 10)).toEqual(want);
          expect(fromArrays.searchKnn(q as unknown as number[], 10)).toEqual(want);
          // A view into a larger buffer is read from its own offset.
          const padded = new Float32Array(DIM + 7);
          padded.set(q, 5);
          expect(fromTyped.searchKnn(padded.subarray(5, 5 + DIM) as unknown as number[], 10)).toEqual(want);
        }
        expect(fromTyped.getPoint(3)).toEqual(fromArrays.getPoint(3));
      },
    );

    it('should refuse a Float32Array of another length, and typed arrays of other kinds', () => {
      const index = new hnswlib.HierarchicalNSW('l2', DIM);
      index.initIndex({ maxElements: 10 });
      index.addPoint(Array.from(data[0]!), 0);
      const short = new Float32Array(DIM - 1) as unknown as number[];
      expect(() => index.searchKnn(short, 1)).toThrow(`expected ${DIM}, but got ${DIM - 1}`);
      expect(() => index.addPoint(short, 1)).toThrow(`expected ${DIM}, but got ${DIM - 1}`);
      const doubles = new Float64Array(DIM) as unknown as number[];
      expect(() => index.searchKnn(doubles, 1)).toThrow(TypeError);
      expect(() => index.addPoint(doubles, 1)).toThrow(TypeError);
      expect(index.getCurrentCount()).toBe(1);
    });
  });

  describe.runIf(hnswlibVariant.variant === 'avx2')('the AVX2 build beside the stock one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kbgate-hnswlib-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const DIM = 384;
    const data = clusteredVectors(2_000, DIM, 20, 7);
    const queries = clusteredVectors(60, DIM, 20, 8).map((v) => Array.from(v));

    type Binding = typeof stock;
    const build = (binding: Binding, space: 'l2' | 'ip' | 'cosine') => {
      const index = new binding.HierarchicalNSW(space, DIM);
      index.initIndex({ maxElements: data.length, m: 16, efConstruction: 100, randomSeed: 3 });
      data.forEach((v, i) => index.addPoint(Array.from(v), i));
      return index;
    };
    const reopen = (binding: Binding, space: 'l2' | 'ip' | 'cosine', file: string) => {
      const index = new binding.HierarchicalNSW(space, DIM);
      index.readIndexSync(file);
      index.setEf(200);
      return index;
    };

    it.each(['l2', 'ip', 'cosine'] as const)(
      'should read the same %s index files and find the same neighbours at the same distances',
      (space) => {
        for (const [writer, reader] of [
          [stock, hnswlib],
          [hnswlib, stock],
        ] as const) {
          const file = join(dir, `${space}-${writer === stock ? 'stock' : 'avx2'}.bin`);
          build(writer, space).writeIndexSync(file);
          const a = reopen(writer, space, file);
          const b = reopen(reader, space, file);
          for (const q of queries) {
            const x = a.searchKnn(q, 10);
            const y = b.searchKnn(q, 10);
            expect(y.neighbors).toEqual(x.neighbors);
            y.distances.forEach((d, i) => {
              const want = x.distances[i] as number;
              expect(Math.abs(d - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
            });
          }
        }
      },
    );
  });
});

describe('the addon patches', () => {
  const require = createRequire(import.meta.url);
  const published = readFileSync(
    join(dirname(require.resolve('hnswlib-node/package.json')), 'src', 'addon.cc'),
    'utf8',
  );

  it("should patch the installed hnswlib-node's addPoint and searchKnn of HierarchicalNSW only", () => {
    const patched = patchFloat32Input(published);
    expect(patched).not.toBeNull();
    const at = patched!.indexOf('class HierarchicalNSW : public');
    expect(patched!.slice(at).match(/kbgateCopy\(arr, vec\)/g)).toHaveLength(2);
    // BruteforceSearch, before it, is left as published.
    const bruteForce = published.slice(
      published.indexOf('class BruteforceSearch'),
      published.indexOf('class HierarchicalNSW : public'),
    );
    expect(patched!).toContain(bruteForce);
  });

  it('should add kbgateDistances to HierarchicalNSW and kbgateInt8Dots to the module, once each', () => {
    const patched = patchInt8Dots(patchExactDistances(patchFloat32Input(published)!)!);
    expect(patched).not.toBeNull();
    expect(patched!.match(/Napi::Value kbgateDistances\(/g)).toHaveLength(1);
    expect(patched!.match(/InstanceMethod\("kbgateDistances"/g)).toHaveLength(1);
    expect(patched!.match(/Napi::Value kbgateInt8Dots\(/g)).toHaveLength(1);
    expect(patched!.match(/exports\.Set\("kbgateInt8Dots"/g)).toHaveLength(1);
    expect(patched!.match(/exports\.Set\("kbgateAdviseHugePages"/g)).toHaveLength(1);
    // Both need the first patch's helpers and includes; neither applies to the published source alone.
    expect(patchExactDistances(published)).toBeNull();
    expect(patchInt8Dots(published)).toBeNull();
  });

  it('should give null for a source it was not written for', () => {
    expect(patchFloat32Input('int main() {}')).toBeNull();
    expect(patchExactDistances('int main() {}')).toBeNull();
    expect(patchInt8Dots('int main() {}')).toBeNull();
    // One of the edits would apply once in HierarchicalNSW instead of twice.
    const at = published.indexOf('class HierarchicalNSW : public');
    const edited =
      published.slice(0, at) +
      published.slice(at).replace('Napi::Array arr = info[0].As<Napi::Array>();', '');
    expect(patchFloat32Input(edited)).toBeNull();
  });
});
