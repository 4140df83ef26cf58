/** Builders and assertions shared by the RecordStore contract suites and store tests. */
import { expect } from 'vitest';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../src/engine/database.js';
import { isEngineError, type ErrorCode } from '../../src/engine/errors.js';
import type { CollectionModel, RecordInput } from '../../src/engine/types.js';

let collectionCounter = 0;

/** A collection model in the default database with a fresh id; fields may be overridden. */
export function makeCollectionModel(overrides: Partial<CollectionModel> = {}): CollectionModel {
  collectionCounter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(collectionCounter).padStart(12, '0')}`,
    name: `collection-${collectionCounter}`,
    tenant: DEFAULT_TENANT,
    database: DEFAULT_DATABASE,
    metadata: null,
    configuration: {},
    schema: null,
    hnsw: { space: 'l2', efConstruction: 100, efSearch: 100, maxNeighbors: 16 },
    dimension: null,
    embedding: null,
    ...overrides,
  };
}

/** A record input with the given id; fields may be overridden. */
export function makeRecord(id: string, overrides: Partial<RecordInput> = {}): RecordInput {
  return {
    id,
    embedding: new Float32Array([1, 2, 3]),
    document: `doc ${id}`,
    metadata: null,
    uri: null,
    ...overrides,
  };
}

/** Asserts that `fn` throws an EngineError with `code`. */
export function expectEngineError(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isEngineError(thrown, code), `expected EngineError ${code}, got ${String(thrown)}`).toBe(true);
}
