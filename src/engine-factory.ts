/** Wires the engine to its adapters: SQLite store, HNSW indexes, embedding functions. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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
}

/** File name of the SQLite database inside a data directory. */
export const DATABASE_FILE = 'kbgate.sqlite3';
/** Folder of persisted vector indexes inside a data directory. */
export const INDEX_DIR = 'indexes';

/** Opens an engine over a data directory (created if missing) or over memory. */
export function openEngine(options: OpenEngineOptions = {}): { engine: Engine; store: SqliteStore } {
  const { path } = options;
  let store: SqliteStore;
  let indexes: HnswIndexFactory;
  if (path === undefined) {
    store = new SqliteStore(':memory:');
    indexes = new HnswIndexFactory(null);
  } else {
    mkdirSync(join(path, INDEX_DIR), { recursive: true });
    store = new SqliteStore(join(path, DATABASE_FILE));
    indexes = new HnswIndexFactory(join(path, INDEX_DIR));
  }
  const engine = new Engine({
    store,
    indexes,
    resolveEmbedding: options.resolveEmbedding,
    defaultEmbedding: options.defaultEmbedding ?? null,
  });
  return { engine, store };
}
