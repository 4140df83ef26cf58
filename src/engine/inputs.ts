/** Argument shapes of the engine's record operations: camelCase, as the official chromadb JS client takes them. */
import type { Include, Metadata, UpdateMetadata } from './types.js';

/** A vector as callers may pass it. */
export type EmbeddingLike = readonly number[] | Float32Array;

/** Raw `where` / `whereDocument` objects; parsed by `engine/where/`. */
export type WhereInput = Record<string, unknown>;

/** Arguments of `add` and `upsert`. */
export interface AddArgs {
  ids: string[];
  embeddings?: EmbeddingLike[] | null;
  metadatas?: (Metadata | null)[] | null;
  documents?: (string | null)[] | null;
  uris?: (string | null)[] | null;
}

/** Arguments of `upsert`: as `add`, but a `null` metadata value removes that key from an existing record. */
export interface UpsertArgs extends Omit<AddArgs, 'metadatas'> {
  metadatas?: (UpdateMetadata | null)[] | null;
}

/** Arguments of `update`. */
export interface UpdateArgs {
  ids: string[];
  /** A null entry keeps that record's stored embedding. */
  embeddings?: (EmbeddingLike | null)[] | null;
  metadatas?: (UpdateMetadata | null)[] | null;
  documents?: (string | null)[] | null;
  uris?: (string | null)[] | null;
}

/** Arguments of `delete`; at least one of them should be given. */
export interface DeleteArgs {
  ids?: string[];
  where?: WhereInput;
  whereDocument?: WhereInput;
  /** Deletes at most this many of the matches, oldest first. */
  limit?: number;
}

/** Arguments of `get`. */
export interface GetArgs {
  ids?: string[];
  where?: WhereInput;
  whereDocument?: WhereInput;
  limit?: number;
  offset?: number;
  include?: Include[];
}

/** Arguments of `query`: `queryEmbeddings` or `queryTexts` (embedded with the collection's function). */
export interface QueryArgs {
  queryEmbeddings?: EmbeddingLike[];
  queryTexts?: string[];
  nResults?: number;
  ids?: string[];
  where?: WhereInput;
  whereDocument?: WhereInput;
  include?: Include[];
}

/** Arguments of `createCollection` / `getOrCreateCollection`. */
export interface CreateCollectionArgs {
  name: string;
  metadata?: Metadata | null;
  /** Chroma's collection configuration as sent by a client (`hnsw`, `embedding_function`, ...). */
  configuration?: Record<string, unknown> | null;
  /** Chroma 1.x's index schema as sent by a client (`defaults`, `keys`); merged over the default schema. */
  schema?: Record<string, unknown> | null;
  /** kbgate's own embedding binding; defaults to the engine's default. */
  embedding?: string | null;
}

/** Arguments of `modify`. */
export interface ModifyArgs {
  name?: string;
  metadata?: Metadata | null;
  configuration?: Record<string, unknown> | null;
}

/** Arguments of a lexical (full-text) query. */
export interface LexicalQueryArgs {
  queryText: string;
  nResults?: number;
  where?: WhereInput;
  whereDocument?: WhereInput;
  include?: Include[];
}
