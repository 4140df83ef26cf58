/** kbgate's public API: the embedded Chroma-compatible database and its building blocks. */
export { PersistentClient, EphemeralClient, Collection } from './client.js';
export type { ClientOptions, CollectionArgs, ClientEmbeddingFunction } from './client.js';
export { Engine, DEFAULT_TENANT, DEFAULT_DATABASE } from './engine/database.js';
export type { EngineDeps, EmbeddingResolver } from './engine/database.js';
export type { SaveOptions } from './engine/index-cache.js';
export { EngineError, ERROR_CODES } from './engine/errors.js';
export type { ErrorCode } from './engine/errors.js';
export { openEngine } from './engine-factory.js';
export type * from './engine/types.js';
export type * from './engine/inputs.js';
export type { EmbeddingFunction, RecordStore, VectorIndex, VectorIndexFactory } from './engine/ports.js';
