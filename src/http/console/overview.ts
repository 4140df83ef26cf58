/** What the console's overview shows: collections, last ingests, retrieval settings, memory and storage. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../engine/database.js';
import type { CollectionModel } from '../../engine/types.js';
import { DATABASE_FILE, INDEX_DIR } from '../../engine-factory.js';
import { readLastIngest, type LastIngest } from '../../ingest/last-ingest.js';

/** One collection as the overview lists it. */
export interface CollectionOverview {
  name: string;
  id: string;
  records: number;
  /** The embedding function kbgate embeds it with; null for none (lexical only). */
  embedding: string | null;
  dimension: number | null;
  space: string;
  lastIngest: LastIngest | null;
  /** Estimated bytes of its HNSW index in memory once loaded (vectors and level-0 links); 0 without vectors. */
  indexBytes: number;
}

/** The overview's body. */
export interface Overview {
  version: string;
  /** KBGATE_COLLECTION: what plugin search and the retrieval proxy use. */
  collection: string;
  collections: CollectionOverview[];
  proxy: {
    upstream: string | null;
    passages: number;
    minRelevance: number;
    contextChars: number;
    contextTokens: number;
  };
  /** KBGATE_EMBEDDING: the binding of new collections. */
  embedding: string;
  auth: boolean;
  memory: NodeJS.MemoryUsage;
  /** Bytes on disk; null when the data lives in memory. */
  storage: { dataDir: string; database: number; indexes: number } | null;
  uptimeSeconds: number;
}

/** Bytes per stored id label and bookkeeping of one HNSW element, besides vector and links. */
const HNSW_ELEMENT_OVERHEAD = 16;

/** Reads the overview from the engine and the configuration. */
export async function readOverview(engine: Engine, config: Config, version: string): Promise<Overview> {
  const models = engine.listCollections(DEFAULT_TENANT, DEFAULT_DATABASE);
  const collections = await Promise.all(models.map((m) => describeCollection(engine, m)));
  return overviewOf(collections, config, version);
}

/** The overview of `collections` (from the engine, or from Chroma in gateway mode) with the configuration's settings. */
export function overviewOf(collections: CollectionOverview[], config: Config, version: string): Overview {
  return {
    version,
    collection: config.collection,
    collections,
    proxy: {
      upstream: config.upstreamUrl,
      passages: config.proxyPassages,
      minRelevance: config.proxyMinRelevance,
      contextChars: config.proxyContextChars,
      contextTokens: config.upstreamContextTokens,
    },
    embedding: config.embedding,
    auth: config.authToken !== null || config.readTokens.length > 0 || config.htpasswdFile !== null,
    memory: process.memoryUsage(),
    storage: config.dataDir === null ? null : measureStorage(config.dataDir),
    uptimeSeconds: Math.round(process.uptime()),
  };
}

async function describeCollection(engine: Engine, model: CollectionModel): Promise<CollectionOverview> {
  const records = await engine.count(model.id);
  return {
    name: model.name,
    id: model.id,
    records,
    embedding: model.embedding === 'none' ? null : model.embedding,
    dimension: model.dimension,
    space: model.hnsw.space,
    lastIngest: readLastIngest(model.metadata),
    indexBytes: estimateIndexBytes(model, records),
  };
}

/** Estimated bytes of a collection's HNSW index in memory once loaded (vectors and level-0 links); 0 without vectors. */
export function estimateIndexBytes(model: CollectionModel, records: number): number {
  const dimension = model.dimension;
  const element = dimension === null ? 0 : dimension * 4 + model.hnsw.maxNeighbors * 2 * 4;
  return element === 0 ? 0 : records * (element + HNSW_ELEMENT_OVERHEAD);
}

/** Bytes on disk of a data directory's database (with its WAL) and its index files. */
export function measureStorage(dataDir: string): { dataDir: string; database: number; indexes: number } {
  const database = ['', '-wal', '-shm'].reduce(
    (sum, suffix) => sum + sizeOf(join(dataDir, `${DATABASE_FILE}${suffix}`)),
    0,
  );
  return { dataDir, database, indexes: sizeOfFolder(join(dataDir, INDEX_DIR)) };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function sizeOfFolder(dir: string): number {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + sizeOf(join(dir, name)), 0);
  } catch {
    return 0;
  }
}
