/** Approximate nearest-neighbour search over hnswlib-node, with exact scans for small filtered searches. */
import {
  hnswlib,
  hnswlibExactDistances,
  hnswlibFloat32Input,
  type GraphDistances,
} from './hnswlib-binding.js';
import { invalidArgument } from '../engine/errors.js';
import type { VectorHits, VectorIndex } from '../engine/ports.js';
import type { HnswParams } from '../engine/types.js';
import { checkBatch, checkVector } from './brute-force-index.js';
import { distanceFunction, prepareInto } from './distance.js';
import { distancesFromVectors, scanMirror, type ExactDistances, type VectorSource } from './mirror-scan.js';
import { QuantizedMirror } from './quantized-mirror.js';
import { readValidSidecar, writeIndexFiles, type IndexFiles } from './index-files.js';
import { compare } from './top-k.js';

type Graph = InstanceType<typeof hnswlib.HierarchicalNSW>;

const INITIAL_CAPACITY = 256;
const MAX_LABEL = 0xffffffff;
const EMPTY_HITS: VectorHits = { labels: [], distances: [] };
/** A filtered walk's ef is `ef * size / allowed / FILTERED_EF_DIVISOR`, within [filteredMinEf, MAX_FILTERED_EF]. */
const FILTERED_EF_DIVISOR = 2;
const MAX_FILTERED_EF = 2_000;

/** Tuning of an {@link HnswIndex} beyond the collection's HNSW parameters. */
export interface HnswIndexOptions {
  /**
   * A filtered search scans its allowed labels exactly when `allowed² <= exactScanFactor * ef * size`: the
   * point where a scan (cost ~ allowed) gets cheaper than a filtered graph walk (cost ~ ef * size / allowed).
   * Default 100: exact up to ~10% selectivity at 1,000,000 vectors (~30% at 100,000), which keeps recall at 1 for
   * filters that correlate with the data (whole topics or sources); the SIMD int8 scan costs about 25 ns per allowed
   * vector at 384 dimensions. 0 always walks the graph.
   */
  exactScanFactor?: number;
  /** The least ef of a filtered graph walk, which keeps filtered recall high (default 100). */
  filteredMinEf?: number;
  /** Seed of hnswlib's level generator (default 100, hnswlib's own). */
  seed?: number;
  /**
   * The stored float32 vectors of labels (null where a label has none), from the store. Used to fill the int8 mirror
   * when a saved index is loaded, and to re-score candidates of a scan exactly unless the binding computes distances
   * from the graph's memory itself ({@link hnswlibExactDistances}); without it the graph's own copies are read back,
   * which is much slower.
   */
  vectorsOf?: VectorSource;
  /** Told why saved files were not trusted when {@link HnswIndex.load} refuses them (the caller then rebuilds). */
  onInvalidFiles?: (reason: string) => void;
}

export type { VectorSource } from './mirror-scan.js';
/** How much the graph grows when full: small steps keep the slack (and resident memory) low. */
const GRAPH_GROWTH = 1.25;
/** Labels read from the vector source at a time when loading. */
const LOAD_CHUNK = 2_000;

/** Where and how an {@link HnswIndex} persists; absent for a memory-only index. */
type Files = IndexFiles | null;

/**
 * A per-collection HNSW graph (hnswlib-node) plus a compact int8 mirror of its live vectors.
 *
 * @remarks
 * Labels are the store's rowids: integers in [0, 2^32). Removal marks graph nodes deleted; new labels reuse
 * deleted nodes (`replaceDeleted`), so `graph count - size` is always the number of vacant nodes. Graph walks
 * return hnswlib's own float32 distances. Small allowed sets are scanned instead: the int8 mirror (a quarter of the
 * graph's vector memory) picks candidates, which are re-scored exactly (by the graph's distance kernel from its own
 * copies where the binding can, else from the vector source), so a scan's results carry exact distances too.
 */
export class HnswIndex implements VectorIndex {
  readonly dimension: number;
  appliedSeq = 0;
  /** The `appliedSeq` the files on disk reflect; -1 when nothing was saved or loaded. */
  #savedSeq = -1;
  readonly #params: HnswParams;
  readonly #options: Required<Omit<HnswIndexOptions, 'vectorsOf' | 'onInvalidFiles'>> &
    Pick<HnswIndexOptions, 'vectorsOf' | 'onInvalidFiles'>;
  readonly #files: Files;
  #graph: Graph;
  #mirror: QuantizedMirror;
  /** Labels marked deleted in the graph (some may since have been replaced: see `#revive`). */
  #deleted = new Set<number>();
  #ef: number;
  /** Where a vector is copied for a binding that takes only Arrays (see {@link hnswlibFloat32Input}). */
  readonly #scratch: number[];
  /** Reused for each stored vector's prepared form, so inserts allocate nothing per vector. */
  readonly #prepared: Float32Array;

  private constructor(dimension: number, params: HnswParams, files: Files, options: HnswIndexOptions) {
    this.dimension = dimension;
    this.#params = params;
    this.#files = files;
    this.#options = { exactScanFactor: 100, filteredMinEf: 100, seed: 100, ...options };
    this.#graph = new hnswlib.HierarchicalNSW(params.space, dimension);
    this.#mirror = new QuantizedMirror(dimension, params.space);
    this.#ef = params.efSearch;
    this.#scratch = new Array<number>(dimension).fill(0);
    this.#prepared = new Float32Array(dimension);
  }

  /** A new empty index; `files` says where `save` writes (null: memory only). */
  static create(
    dimension: number,
    params: HnswParams,
    files: Files = null,
    options: HnswIndexOptions = {},
  ): HnswIndex {
    const index = new HnswIndex(dimension, params, files, options);
    index.#initGraph();
    return index;
  }

  /**
   * The index persisted in `files`, or null when the files are missing, inconsistent or damaged.
   *
   * @remarks The file is only handed to hnswlib after its size and checksum match the sidecar.
   */
  static load(
    dimension: number,
    params: HnswParams,
    files: IndexFiles,
    options: HnswIndexOptions = {},
  ): HnswIndex | null {
    const invalid = (reason: string): null => {
      options.onInvalidFiles?.(reason);
      return null;
    };
    const sidecar = readValidSidecar(files, { dimension, space: params.space }, options.onInvalidFiles);
    if (!sidecar) return null;
    const index = new HnswIndex(dimension, params, files, options);
    index.#graph.readIndexSync(files.index, true);
    const graphDimension = index.#graph.getNumDimensions();
    if (graphDimension !== dimension) return invalid(`the index file holds ${graphDimension} dimensions`);
    index.#graph.setEf(index.#ef);
    for (const label of sidecar.deleted) index.#deleted.add(label);
    index.#loadMirror();
    if (index.size !== sidecar.count) {
      return invalid(`the index file holds ${index.size} vectors where its sidecar says ${sidecar.count}`);
    }
    index.appliedSeq = sidecar.appliedSeq;
    index.#savedSeq = sidecar.appliedSeq;
    return index;
  }

  /** The number of live vectors. */
  get size(): number {
    return this.#mirror.size;
  }

  has(label: number): boolean {
    return this.#mirror.has(label);
  }

  distances(query: Float32Array, vectors: readonly Float32Array[]): number[] {
    const distance = distanceFunction(this.#params.space);
    return vectors.map((v) => distance(query, v));
  }

  upsert(labels: readonly number[], vectors: readonly Float32Array[]): void {
    checkBatch(this.dimension, labels, vectors);
    for (const label of labels) checkLabel(label);
    for (let i = 0; i < labels.length; i++) {
      const prepared = prepareInto(this.#params.space, vectors[i]!, this.#prepared);
      this.#addToGraph(labels[i]!, prepared);
      this.#mirror.put(labels[i]!, prepared);
    }
  }

  remove(labels: readonly number[]): void {
    for (const label of labels) {
      if (!this.#mirror.has(label)) continue;
      this.#graph.markDelete(label);
      this.#deleted.add(label);
      this.#mirror.remove(label);
    }
  }

  search(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    checkVector(this.dimension, query);
    const limit = Math.min(Math.floor(k), this.size, allowed ? allowed.size : Infinity);
    if (!(limit > 0)) return EMPTY_HITS;
    if (allowed && this.#prefersExactScan(allowed.size)) return this.#scan(query, limit, allowed);
    const hits = this.#searchGraph(query, limit, allowed);
    // Fewer hits than asked: few allowed labels are live, or deletions cut the walk short. A scan finds them.
    return hits.labels.length < limit ? this.#scan(query, limit, allowed) : hits;
  }

  setEfSearch(ef: number): void {
    this.#ef = Math.max(1, Math.floor(ef));
    this.#graph.setEf(this.#ef);
  }

  /** Writes the index files unless they already reflect `appliedSeq` (so periodic saves of idle indexes cost nothing). */
  save(): void {
    if (!this.#files || this.#savedSeq === this.appliedSeq) return;
    const meta = { appliedSeq: this.appliedSeq, dimension: this.dimension, space: this.#params.space };
    const deleted = [...this.#deleted];
    writeIndexFiles(this.#files, (path) => this.#graph.writeIndexSync(path), {
      ...meta,
      count: this.size,
      deleted,
    });
    this.#savedSeq = this.appliedSeq;
  }

  /** Releases the graph and the mirror; the index must not be used afterwards. */
  close(): void {
    this.#mirror.close();
    this.#deleted.clear();
    this.#graph = new hnswlib.HierarchicalNSW(this.#params.space, this.dimension);
  }

  #initGraph(): void {
    this.#graph.initIndex({
      maxElements: INITIAL_CAPACITY,
      m: this.#params.maxNeighbors,
      efConstruction: this.#params.efConstruction,
      randomSeed: this.#options.seed,
      allowReplaceDeleted: true,
    });
    this.#graph.setEf(this.#ef);
  }

  /** Fills the int8 mirror with the graph's live vectors, from the vector source when there is one. */
  #loadMirror(): void {
    const live = this.#graph.getIdsList().filter((label) => !this.#deleted.has(label));
    // Sized at once: its memory gets its huge pages (see adviseHugePages) before any row is written, not after.
    this.#mirror.close();
    this.#mirror = new QuantizedMirror(this.dimension, this.#params.space, live.length);
    for (let start = 0; start < live.length; start += LOAD_CHUNK) {
      const labels = live.slice(start, start + LOAD_CHUNK);
      const vectors = this.#exactVectors(labels);
      labels.forEach((label, i) => {
        // The source may have moved on since the save (a record deleted): the graph's copy is what was saved.
        const v = vectors[i] ?? this.#graphVector(label);
        if (v) this.#mirror.put(label, prepareInto(this.#params.space, v, this.#prepared));
      });
    }
  }

  /** Exact vectors of labels: from the vector source, else read back from the graph (null when unavailable). */
  #exactVectors(labels: readonly number[]): (Float32Array | null)[] {
    if (this.#options.vectorsOf) return this.#options.vectorsOf(labels);
    return labels.map((label) => this.#graphVector(label));
  }

  /** The graph's own (prepared) copy of a label's vector; null for a deleted or unknown label. */
  #graphVector(label: number): Float32Array | null {
    try {
      return new Float32Array(this.#graph.getPoint(label));
    } catch {
      return null; // hnswlib refuses to return deleted points
    }
  }

  #addToGraph(label: number, prepared: Float32Array): void {
    const point = this.#toPoint(prepared);
    if (this.#mirror.has(label) || this.#revive(label)) {
      this.#graph.addPoint(point, label);
      return;
    }
    const vacant = this.#graph.getCurrentCount() > this.size;
    if (!vacant) this.#ensureCapacity(this.#graph.getCurrentCount() + 1);
    this.#graph.addPoint(point, label, vacant);
  }

  /** Unmarks a deleted label so it can be updated in place; false when it is not (or no longer) in the graph. */
  #revive(label: number): boolean {
    if (!this.#deleted.delete(label)) return false;
    try {
      this.#graph.unmarkDelete(label);
      return true;
    } catch {
      return false; // its node was reused for another label
    }
  }

  #ensureCapacity(count: number): void {
    const capacity = this.#graph.getMaxElements();
    if (count <= capacity) return;
    this.#graph.resizeIndex(Math.max(count, INITIAL_CAPACITY, Math.ceil(capacity * GRAPH_GROWTH)));
  }

  #prefersExactScan(allowedSize: number): boolean {
    return allowedSize * allowedSize <= this.#options.exactScanFactor * this.#ef * this.size;
  }

  /**
   * The ef of a filtered walk: raised in inverse proportion to the allowed fraction, because a filter that
   * excludes the query's own neighbourhood (a correlated filter) makes the walk pass many disallowed nodes.
   */
  #filteredEf(k: number, allowedSize: number): number {
    const scaled = Math.ceil((this.#ef * this.size) / Math.max(1, allowedSize) / FILTERED_EF_DIVISOR);
    return Math.max(this.#options.filteredMinEf, k, Math.min(scaled, MAX_FILTERED_EF));
  }

  #searchGraph(query: Float32Array, k: number, allowed?: ReadonlySet<number>): VectorHits {
    const point = this.#toPoint(query);
    let result: { neighbors: number[]; distances: number[] };
    if (allowed) {
      this.#graph.setEf(this.#filteredEf(k, allowed.size));
      try {
        result = this.#graph.searchKnn(point, k, (label) => allowed.has(label));
      } finally {
        this.#graph.setEf(this.#ef);
      }
    } else {
      result = this.#graph.searchKnn(point, k);
    }
    return sortHits(result.neighbors, result.distances);
  }

  /** The `limit` nearest of `allowed` (or of all): int8 candidates re-scored exactly (see {@link scanMirror}). */
  #scan(query: Float32Array, limit: number, allowed?: ReadonlySet<number>): VectorHits {
    return scanMirror(this.#mirror, query, limit, this.#exactDistances(query), allowed);
  }

  /**
   * Exact distances from `query`: computed from the graph's own copies of the points when the binding can
   * ({@link GraphDistances}, no store read), else from the vector source's (or the graph's) vectors.
   */
  #exactDistances(query: Float32Array): ExactDistances {
    if (!hnswlibExactDistances) {
      return distancesFromVectors(this.#params.space, query, (labels) => this.#exactVectors(labels));
    }
    const graph = this.#graph as Graph & { kbgateDistances: GraphDistances };
    return (labels) => {
      const out = new Float32Array(labels.length);
      graph.kbgateDistances(query, Uint32Array.from(labels), out);
      return out;
    };
  }

  /** `v` as the binding takes it: itself, or copied into the scratch Array (the binding copies it in turn). */
  #toPoint(v: Float32Array): number[] {
    // The patched build reads a Float32Array's memory directly; its type declarations say number[] only.
    if (hnswlibFloat32Input) return v as unknown as number[];
    const out = this.#scratch;
    for (let i = 0; i < v.length; i++) out[i] = v[i]!;
    return out;
  }
}

/** Hits sorted by distance, then label. */
function sortHits(labels: number[], distances: number[]): VectorHits {
  const order = labels.map((_, i) => i);
  order.sort((a, b) => compare(distances[a]!, labels[a]!, distances[b]!, labels[b]!));
  return { labels: order.map((i) => labels[i]!), distances: order.map((i) => distances[i]!) };
}

function checkLabel(label: number): void {
  if (!Number.isInteger(label) || label < 0 || label > MAX_LABEL) {
    throw invalidArgument(`Vector label ${label} is not an integer in [0, 2^32)`);
  }
}
