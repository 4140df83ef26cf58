import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CollectionModel, HnswParams } from '../engine/types.js';
import { clusteredVectors } from '../../test/helpers/random-data.js';
import { BruteForceIndex } from './brute-force-index.js';
import { HnswIndexFactory } from './hnsw-index-factory.js';
import { indexFilesFor } from './index-files.js';

const DIM = 16;
const DEFAULTS: HnswParams = { space: 'cosine', efConstruction: 100, efSearch: 100, maxNeighbors: 16 };

function collection(id: string, hnsw: Partial<HnswParams> = {}): CollectionModel {
  return {
    id,
    name: id,
    tenant: 'default_tenant',
    database: 'default_database',
    metadata: null,
    configuration: {},
    hnsw: { ...DEFAULTS, ...hnsw },
    dimension: DIM,
    embedding: null,
  };
}

describe('HnswIndexFactory', () => {
  const vectors = clusteredVectors(600, DIM, 6, 17);
  const labels = vectors.map((_, i) => i + 1);
  const query = clusteredVectors(1, DIM, 6, 18)[0]!;
  let dir: string;
  let factory: HnswIndexFactory;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kbgate-vector-'));
    factory = new HnswIndexFactory(dir);
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Saves an index of all vectors minus a few removed ones, at appliedSeq 42. */
  function saveSample(id = 'c1'): { labels: number[]; distances: number[] } {
    const index = factory.open(collection(id), DIM);
    index.upsert(labels, vectors);
    index.remove([3, 5, 8]);
    index.appliedSeq = 42;
    index.save();
    const hits = index.search(query, 10);
    index.close();
    return hits;
  }

  it('should write files only when the index changed since it was saved or loaded', () => {
    saveSample();
    const { index: file } = indexFilesFor(dir, 'c1');
    const reopened = factory.open(collection('c1'), DIM);
    rmSync(file);
    reopened.save();
    expect(existsSync(file)).toBe(false);
    reopened.remove([1]);
    reopened.appliedSeq = 43;
    reopened.save();
    expect(existsSync(file)).toBe(true);
    expect(factory.open(collection('c1'), DIM).appliedSeq).toBe(43);
  });

  it('should load from a vector source that has moved on, and re-score scans with its exact vectors', () => {
    saveSample();
    const store = new Map(labels.map((l, i) => [l, vectors[i]!]));
    store.delete(10); // deleted from the store after the save: the saved graph still has it
    const reads: number[] = [];
    const sourced = new HnswIndexFactory(dir, {
      vectorsOf: (collectionId, wanted) => {
        expect(collectionId).toBe('c1');
        reads.push(wanted.length);
        return wanted.map((l) => store.get(l) ?? null);
      },
    });
    const index = sourced.open(collection('c1'), DIM);
    expect(index.appliedSeq).toBe(42);
    expect(index.size).toBe(597);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(597);
    const allowed = new Set(labels.filter((l) => l % 10 === 0 && l !== 10));
    const hits = index.search(query, 5, allowed);
    const exact = new BruteForceIndex(DIM, 'cosine');
    exact.upsert(
      [...allowed],
      [...allowed].map((l) => store.get(l)!),
    );
    const truth = exact.search(query, 5);
    expect(hits.labels).toEqual(truth.labels);
    hits.distances.forEach((d, i) => expect(d).toBeCloseTo(truth.distances[i]!, 6));
  });

  it('should open a fresh empty index at appliedSeq 0 when nothing is saved', () => {
    const index = factory.open(collection('new'), DIM);
    expect(index.size).toBe(0);
    expect(index.appliedSeq).toBe(0);
  });

  it('should round-trip an index with its appliedSeq, removals and search results', () => {
    const before = saveSample();
    const reopened = new HnswIndexFactory(dir).open(collection('c1'), DIM);
    expect(reopened.appliedSeq).toBe(42);
    expect(reopened.size).toBe(597);
    expect(reopened.search(query, 10)).toEqual(before);
    expect(reopened.search(vectors[4]!, 600).labels).not.toContain(5);
  });

  it('should keep accepting writes after a reload, including removed labels upserted again', () => {
    saveSample();
    const reopened = factory.open(collection('c1'), DIM);
    reopened.upsert([5, 1000], [vectors[4]!, vectors[9]!.map((x) => -x)]);
    expect(reopened.size).toBe(599);
    expect(reopened.search(vectors[4]!, 1).labels).toEqual([5]);
    expect(
      reopened.search(
        vectors[9]!.map((x) => -x),
        1,
      ).labels,
    ).toEqual([1000]);
  });

  it('should fall back to a fresh index when the index file is truncated', () => {
    saveSample();
    const files = indexFilesFor(dir, 'c1');
    truncateSync(files.index, 1000);
    const index = factory.open(collection('c1'), DIM);
    expect(index.size).toBe(0);
    expect(index.appliedSeq).toBe(0);
  });

  it('should fall back to a fresh index when the index file is damaged in place', () => {
    saveSample();
    const files = indexFilesFor(dir, 'c1');
    const bytes = readFileSync(files.index);
    bytes.fill(0xff, 0, 64);
    writeFileSync(files.index, bytes);
    expect(factory.open(collection('c1'), DIM).appliedSeq).toBe(0);
  });

  it('should fall back to a fresh index when the sidecar is missing or unreadable', () => {
    saveSample();
    const files = indexFilesFor(dir, 'c1');
    writeFileSync(files.sidecar, '{"format": 1, "appliedSeq": ');
    expect(factory.open(collection('c1'), DIM).size).toBe(0);
    rmSync(files.sidecar);
    expect(factory.open(collection('c1'), DIM).size).toBe(0);
  });

  it('should not reuse an index saved for another dimension or space', () => {
    saveSample();
    expect(factory.open(collection('c1', { space: 'l2' }), DIM).size).toBe(0);
    expect(factory.open(collection('c1'), DIM + 1).size).toBe(0);
  });

  it('should never crash on a file hnswlib cannot read, even when the sidecar vouches for it', () => {
    saveSample();
    const files = indexFilesFor(dir, 'c1');
    const garbage = Buffer.alloc(5000, 7);
    writeFileSync(files.index, garbage);
    const sidecar = JSON.parse(readFileSync(files.sidecar, 'utf8')) as Record<string, unknown>;
    sidecar.bytes = garbage.length;
    sidecar.sha256 = createHash('sha256').update(garbage).digest('hex');
    writeFileSync(files.sidecar, JSON.stringify(sidecar));
    const index = factory.open(collection('c1'), DIM);
    expect(index.size).toBe(0);
    expect(index.appliedSeq).toBe(0);
  });

  it('should delete the files of a dropped collection and leave others alone', () => {
    saveSample('c1');
    saveSample('c2');
    factory.drop('c1');
    expect(existsSync(indexFilesFor(dir, 'c1').index)).toBe(false);
    expect(existsSync(indexFilesFor(dir, 'c1').sidecar)).toBe(false);
    expect(factory.open(collection('c2'), DIM).appliedSeq).toBe(42);
    expect(() => factory.drop('never-saved')).not.toThrow();
  });

  it('should keep odd collection ids inside its directory', () => {
    const files = indexFilesFor(dir, '../../etc/passwd');
    expect(files.index.startsWith(dir)).toBe(true);
    expect(files.index).not.toContain('..');
  });

  it('should keep memory-only indexes when constructed without a directory', () => {
    const memory = new HnswIndexFactory(null);
    const index = memory.open(collection('m'), DIM);
    index.upsert([1], [vectors[0]!]);
    index.appliedSeq = 3;
    index.save();
    expect(memory.open(collection('m'), DIM).size).toBe(0);
  });
});
