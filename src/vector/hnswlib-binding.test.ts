import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stock from 'hnswlib-node';
import { afterAll, describe, expect, it } from 'vitest';
import { clusteredVectors } from '../../test/helpers/random-data.js';
import { chooseVariant, detectHost, hnswlib, hnswlibVariant, type BindingHost } from './hnswlib-binding.js';

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
    } else {
      expect(hnswlibVariant.variant).toBe('stock');
      expect(hnswlib).toBe(stock);
    }
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
