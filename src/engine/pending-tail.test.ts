import { describe, expect, it } from 'vitest';
import { gaussianVector, mulberry32, randomInt, type Random } from '../../test/helpers/random-data.js';
import { expectSameHits } from '../../test/helpers/vector-hits.js';
import { BruteForceIndex } from '../vector/brute-force-index.js';
import { HnswIndex } from '../vector/hnsw-index.js';
import { PendingTail, PendingTailIndex, type PendingWrite } from './pending-tail.js';
import type { VectorHits, VectorIndex } from './ports.js';
import type { Space } from './types.js';

const DIM = 8;
/** Labels are drawn from this few, so writes keep replacing and removing each other's labels. */
const LABELS = 200;
const SPACES: Space[] = ['l2', 'ip', 'cosine'];

/**
 * Expects hits an approximate index may give for the exact ones: as many, sorted, each a live label at its exact
 * distance (so neither a removed label nor a replaced vector shows through); returns how many of the exact hits
 * were found.
 */
function expectApproximateHits(actual: VectorHits, expected: VectorHits, truth: Distances): number {
  expect(actual.labels).toHaveLength(expected.labels.length);
  actual.labels.forEach((label, i) => {
    expect(truth.has(label)).toBe(true);
    expect(actual.distances[i]).toBeCloseTo(truth.get(label)!, 4);
    if (i > 0) expect(actual.distances[i]).toBeGreaterThanOrEqual(actual.distances[i - 1]! - 1e-6);
  });
  return actual.labels.filter((label) => expected.labels.includes(label)).length;
}

type Distances = Map<number, number>;

/** A random write over the label pool: removals, then upserts (a label may be removed and upserted in one write). */
function randomWrite(random: Random, seqAfter: number): PendingWrite {
  const removed = Array.from({ length: randomInt(8, random) }, () => randomInt(LABELS, random));
  const labels = [...new Set(Array.from({ length: randomInt(40, random) }, () => randomInt(LABELS, random)))];
  const vectors = labels.map(() => gaussianVector(DIM, random));
  return { seqAfter, removed, labels, vectors, removedApplied: false, applied: 0 };
}

/** The logical state after a write: what the index must hold once the write is applied. */
function applyToTruth(truth: Map<number, Float32Array>, write: PendingWrite): void {
  for (const label of write.removed) truth.delete(label);
  write.labels.forEach((label, i) => truth.set(label, write.vectors[i]!));
}

/** Random searches of a view, each with its answer by an exact index over the logical state. */
function* searches(view: VectorIndex, truth: Map<number, Float32Array>, space: Space, random: Random) {
  const exact = new BruteForceIndex(DIM, space);
  exact.upsert([...truth.keys()], [...truth.values()]);
  for (let q = 0; q < 3; q++) {
    const query = gaussianVector(DIM, random);
    const k = 1 + randomInt(15, random);
    const few = new Set(Array.from({ length: 1 + randomInt(30, random) }, () => randomInt(LABELS, random)));
    const many = new Set(Array.from({ length: 150 }, () => randomInt(LABELS, random)));
    const all = exact.search(query, LABELS);
    const distances: Distances = new Map(all.labels.map((label, i) => [label, all.distances[i]!]));
    for (const allowed of [undefined, few, many]) {
      yield { actual: view.search(query, k, allowed), expected: exact.search(query, k, allowed), distances };
    }
  }
}

/** Checks a view's size and membership against the logical state. */
function expectSameLabels(view: VectorIndex, truth: Map<number, Float32Array>): void {
  expect(view.size).toBe(truth.size);
  for (let label = 0; label < LABELS; label++) expect(view.has(label)).toBe(truth.has(label));
}

/**
 * Writes random batches to a tail over `index`, applying a few slices of 8 vectors after each (the clock passes the
 * deadline at every look) or now and then everything, and calls `check` with the logical state after every step.
 */
function drive(
  index: VectorIndex,
  space: Space,
  random: Random,
  check: (view: VectorIndex, truth: Map<number, Float32Array>) => void,
): void {
  const tail = new PendingTail(DIM, space);
  const view = new PendingTailIndex(index, tail);
  const truth = new Map<number, Float32Array>();
  let clock = 0;
  const now = (): number => clock++;
  let biggestTail = 0;
  for (let seq = 1; seq <= 80; seq++) {
    const write = randomWrite(random, seq);
    tail.add(write, index);
    applyToTruth(truth, write);
    biggestTail = Math.max(biggestTail, tail.labels);
    check(view, truth);
    const done = tail.applyUntil(index, random() < 0.05 ? Infinity : now() + randomInt(3, random), now);
    if (done) {
      expect(tail.stats()).toMatchObject({ writes: 0, unapplied: 0, labels: 0 });
      expect(tail.held).toBe(0);
      expect(index.appliedSeq).toBe(seq);
    }
    check(view, truth);
  }
  expect(biggestTail).toBeGreaterThan(64); // the int8 mirror was used, not only the float scan
  expect(tail.applyUntil(index, Infinity, now)).toBe(true);
  check(index, truth);
}

/**
 * An exact index of the labels 1 to 4 (vectors [1] to [4]) that records the k of each search; unless `honest`, it
 * denies holding any label, so a tail over it expects no stale hits.
 */
function spyIndex(honest: boolean): { index: VectorIndex; asked: number[] } {
  const inner = new BruteForceIndex(1, 'l2');
  inner.upsert(
    [1, 2, 3, 4],
    [1, 2, 3, 4].map((x) => new Float32Array([x])),
  );
  const asked: number[] = [];
  const index: VectorIndex = {
    dimension: 1,
    size: 4,
    appliedSeq: 0,
    upsert: () => {},
    remove: () => {},
    has: (label) => honest && inner.has(label),
    search: (query, k, allowed) => {
      asked.push(k);
      return inner.search(query, k, allowed);
    },
    distances: (query, vectors) => inner.distances(query, vectors),
    setEfSearch: () => {},
    save: () => {},
    close: () => {},
  };
  return { index, asked };
}

describe('PendingTailIndex over a PendingTail', () => {
  it.each(SPACES)(
    'should search exactly as an exact index over the written state while writes apply in slices (%s)',
    (space) => {
      const random = mulberry32(space.length * 101);
      drive(new BruteForceIndex(DIM, space), space, random, (view, truth) => {
        expectSameLabels(view, truth);
        for (const { actual, expected } of searches(view, truth, space, random))
          expectSameHits(actual, expected);
      });
    },
  );

  it.each(SPACES)(
    'should show no removed label or stale vector and keep recall over an HNSW index while writes apply (%s)',
    (space) => {
      const random = mulberry32(space.length * 103);
      const index = HnswIndex.create(DIM, { space, efConstruction: 200, efSearch: 200, maxNeighbors: 16 });
      let found = 0;
      let wanted = 0;
      drive(index, space, random, (view, truth) => {
        expectSameLabels(view, truth);
        for (const { actual, expected, distances } of searches(view, truth, space, random)) {
          found += expectApproximateHits(actual, expected, distances);
          wanted += expected.labels.length;
        }
      });
      // hnswlib's graph, churned by replacing deleted nodes, misses a few true neighbours.
      expect(found / wanted).toBeGreaterThan(0.95);
    },
  );

  it("should keep a later write's vector pending when an earlier write of the same label is applied", () => {
    const index = new BruteForceIndex(2, 'l2');
    const tail = new PendingTail(2, 'l2');
    const view = new PendingTailIndex(index, tail);
    const filler = Array.from({ length: 20 }, (_, i) => 100 + i);
    const v = (x: number): Float32Array => new Float32Array([x, 0]);
    const write = (seqAfter: number, labels: number[], vectors: Float32Array[]): PendingWrite => ({
      seqAfter,
      removed: [],
      labels,
      vectors,
      removedApplied: false,
      applied: 0,
    });
    tail.add(write(1, [7], [v(1)]), index);
    // The label comes last in the second write, so one slice applies the first write but not this change.
    tail.add(write(2, [...filler, 7], [...filler.map(() => v(50)), v(3)]), index);
    let clock = 1;
    expect(tail.applyUntil(index, 0, () => clock++)).toBe(false);
    expect(index.appliedSeq).toBe(1);
    expect(index.has(7)).toBe(true);
    expect(index.size).toBe(9); // label 7 and the first 8 fillers
    expect(view.search(v(0), 1)).toEqual({ labels: [7], distances: [9] });
    expect(view.size).toBe(21);
    expect(tail.labels).toBe(13); // label 7 and the 12 fillers still to apply
    expect(tail.held).toBe(1); // label 7, whose vector in the index is stale
  });

  it('should ask the index once, for k plus the stale labels it holds', () => {
    const { index, asked } = spyIndex(true);
    const tail = new PendingTail(1, 'l2');
    const write = { seqAfter: 1, removed: [1], labels: [2, 9], removedApplied: false, applied: 0 };
    tail.add({ ...write, vectors: [new Float32Array([0.5]), new Float32Array([9])] }, index);
    const view = new PendingTailIndex(index, tail);
    expect(view.search(new Float32Array([0]), 2)).toEqual({ labels: [2, 3], distances: [0.25, 9] });
    expect(asked).toEqual([4]);
  });

  it('should ask the index again when more of its hits than it was thought to hold are stale', () => {
    const { index, asked } = spyIndex(false);
    const tail = new PendingTail(1, 'l2');
    tail.add(
      { seqAfter: 1, removed: [1], labels: [], vectors: [], removedApplied: false, applied: 0 },
      index,
    );
    const view = new PendingTailIndex(index, tail);
    expect(view.search(new Float32Array([0]), 2)).toEqual({ labels: [2, 3], distances: [4, 9] });
    expect(asked).toEqual([2, 4]);
  });

  it('should free its vectors and mirror when released, leaving views over it to show their index', () => {
    const random = mulberry32(9);
    const index = new BruteForceIndex(DIM, 'cosine');
    const tail = new PendingTail(DIM, 'cosine');
    const labels = Array.from({ length: 100 }, (_, i) => i);
    const vectors = labels.map(() => gaussianVector(DIM, random));
    tail.add({ seqAfter: 1, removed: [], labels, vectors, removedApplied: false, applied: 0 }, index);
    const view = new PendingTailIndex(index, tail);
    expect(view.search(vectors[5]!, 1).labels).toEqual([5]);
    expect(view.pending.mirrorBytes).toBeGreaterThan(0);
    tail.release();
    expect(view.pending).toEqual({ writes: 0, unapplied: 0, labels: 0, mirrorBytes: 0 });
    expect(view.size).toBe(0);
    expect(view.search(vectors[5]!, 1).labels).toEqual([]);
  });
});
