/** The engine's typed values: what every layer above the wire speaks (camelCase, already validated). */
import type { Schema } from './collection-schema.js';

/** A scalar metadata value. Integers and floats are both `number`. */
export type MetadataScalar = string | number | boolean;

/** A metadata value: a scalar, or a flat array of scalars of one type. */
export type MetadataValue = MetadataScalar | MetadataScalar[];

/** Record or collection metadata: flat, never nested. */
export type Metadata = Record<string, MetadataValue>;

/** Metadata in an update: a `null` value removes the key. */
export type UpdateMetadata = Record<string, MetadataValue | null>;

/** Distance functions Chroma offers. */
export type Space = 'l2' | 'ip' | 'cosine';

/** The fields a read may return. */
export type Include = 'documents' | 'embeddings' | 'metadatas' | 'distances' | 'uris';

/** HNSW parameters of a collection. */
export interface HnswParams {
  space: Space;
  efConstruction: number;
  efSearch: number;
  maxNeighbors: number;
}

/** A tenant. */
export interface Tenant {
  name: string;
}

/** A database inside a tenant. */
export interface Database {
  id: string;
  name: string;
  tenant: string;
}

/** A collection as the catalog stores it. */
export interface CollectionModel {
  id: string;
  name: string;
  tenant: string;
  database: string;
  metadata: Metadata | null;
  /**
   * The wire `configuration_json` (`hnsw`, `spann`, `embedding_function`); collections stored by older versions
   * hold what the client sent, normalized on read by `collectionConfiguration`.
   */
  configuration: Record<string, unknown>;
  /** Chroma's index schema; null for collections stored before kbgate kept schemas (derived on read). */
  schema?: Schema | null;
  hnsw: HnswParams;
  /** Fixed by the first write that carries an embedding; null until then. */
  dimension: number | null;
  /** kbgate's own embedding binding (issue 4); null when none is bound. */
  embedding: string | null;
}

/** A record as stored. `rowid` is the store's stable integer key, also the vector index label. */
export interface StoredRecord {
  rowid: number;
  id: string;
  embedding: Float32Array | null;
  document: string | null;
  metadata: Metadata | null;
  uri: string | null;
}

/** One record to insert or overwrite, after validation. */
export interface RecordInput {
  id: string;
  embedding: Float32Array | null;
  document: string | null;
  metadata: Metadata | null;
  uri: string | null;
}

/** One record to change; `undefined` fields are left alone, `null` metadata values remove keys. */
export interface RecordUpdate {
  id: string;
  embedding?: Float32Array;
  document?: string | null;
  metadata?: UpdateMetadata | null;
  uri?: string | null;
}

/** Result of `get`: parallel arrays; a field not included is null. */
export interface GetResult {
  ids: string[];
  embeddings: number[][] | null;
  documents: (string | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  uris: (string | null)[] | null;
  include: Include[];
}

/** Result of `query`: one row of parallel arrays per query embedding. */
export interface QueryResult {
  ids: string[][];
  embeddings: number[][][] | null;
  documents: (string | null)[][] | null;
  metadatas: (Metadata | null)[][] | null;
  uris: (string | null)[][] | null;
  distances: number[][] | null;
  include: Include[];
}

/** Comparison operators of a `where` leaf on a scalar. */
export type CompareOp = '$eq' | '$ne' | '$gt' | '$gte' | '$lt' | '$lte';

/** A parsed `where` filter over metadata (and, through `#document`, the document text). */
export type Where =
  | { kind: 'and'; children: Where[] }
  | { kind: 'or'; children: Where[] }
  /** `$gt/$gte/$lt/$lte` only ever carry numbers (the parser rejects strings and booleans). */
  | { kind: 'compare'; key: string; op: CompareOp; value: MetadataScalar }
  /** `$in` / `$nin`: `values` is non-empty and of one type. */
  | { kind: 'in'; key: string; negate: boolean; values: MetadataScalar[] }
  /** `$contains` / `$not_contains` on an array-valued key. */
  | { kind: 'contains'; key: string; negate: boolean; value: MetadataScalar }
  /** A test of the document text written in `where` under the `#document` key, as Chroma 1.x allows. */
  | { kind: 'document'; filter: WhereDocument };

/** A parsed `where_document` filter over the document text. */
export type WhereDocument =
  | { kind: 'and'; children: WhereDocument[] }
  | { kind: 'or'; children: WhereDocument[] }
  /** Case-sensitive substring test; `negate` for `$not_contains`. */
  | { kind: 'contains'; text: string; negate: boolean }
  /** Regular expression test; `negate` for `$not_regex`. `pattern` is validated by the parser. */
  | { kind: 'regex'; pattern: string; negate: boolean };

/** Result of a lexical query: best first, with BM25 scores (higher is better) instead of distances. */
export interface LexicalResult {
  ids: string[];
  scores: number[];
  /** Per hit, the share (0-1) of the query's informative words it matches; comparable across queries. */
  relevances: number[];
  documents: (string | null)[] | null;
  metadatas: (Metadata | null)[] | null;
  uris: (string | null)[] | null;
}
