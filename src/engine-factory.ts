/** Wires the engine to its adapters: SQLite store, HNSW indexes, embedding functions. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
import { createEmbeddingResolver } from './embed/registry.js';
import { Engine, type EmbeddingResolver } from './engine/database.js';
import { SqliteStore } from './store/sqlite-store.js';
import { HnswIndexFactory } from './vector/hnsw-index-factory.js';

/** Where and how to open an engine. */
export interface OpenEngineOptions {
  /** Data directory; undefined keeps everything in memory. */
  path?: string;
  resolveEmbedding?: EmbeddingResolver;
  /** Binding for new collections that name none; null or `none` means lexical only. */
  defaultEmbedding?: string | null;
  /** Told what an operator should know: a damaged vector index being rebuilt, stale temporary files removed. */
  warn?: (details: Record<string, unknown>, message: string) => void;
}

/** File name of the SQLite database inside a data directory. */
export const DATABASE_FILE = 'kbgate.sqlite3';
/** Folder of persisted vector indexes inside a data directory. */
export const INDEX_DIR = 'indexes';

/** The embedding options the configuration asks for: the default binding and the functions it may name. */
export function embeddingOptionsFrom(config: Config): Required<Omit<OpenEngineOptions, 'path' | 'warn'>> {
  return {
    defaultEmbedding: config.embedding,
    resolveEmbedding: createEmbeddingResolver({
      modelDir: config.modelDir,
      offline: config.offline,
      openaiUrl: config.embeddingUrl,
      openaiApiKey: config.embeddingApiKey,
    }),
  };
}

/** Opens an engine over a data directory (created if missing) or over memory. */
export function openEngine(options: OpenEngineOptions = {}): { engine: Engine; store: SqliteStore } {
  const { path } = options;
  if (path !== undefined) mkdirSync(join(path, INDEX_DIR), { recursive: true });
  const store = new SqliteStore(path === undefined ? ':memory:' : join(path, DATABASE_FILE));
  // Rowids are unique across collections, so the store needs no collection id to find their vectors.
  const vectorsOf = (_collectionId: string, labels: readonly number[]) => store.readEmbeddings(labels);
  const indexes = new HnswIndexFactory(path === undefined ? null : join(path, INDEX_DIR), {
    vectorsOf,
    ...(options.warn ? { warn: options.warn } : {}),
  });
  const engine = new Engine({
    store,
    indexes,
    resolveEmbedding: options.resolveEmbedding,
    defaultEmbedding: options.defaultEmbedding ?? null,
  });
  return { engine, store };
}
