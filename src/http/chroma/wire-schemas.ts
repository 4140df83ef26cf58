/** Chroma's wire bodies (snake_case JSON) as zod schemas, and their conversion to and from the engine's values. */
import { z } from 'zod';
import type {
  AddArgs,
  CreateCollectionArgs,
  DeleteArgs,
  GetArgs,
  ModifyArgs,
  QueryArgs,
  UpdateArgs,
  WhereInput,
} from '../../engine/inputs.js';
import type { Page } from '../../engine/ports.js';
import type { CollectionModel, Metadata, UpdateMetadata } from '../../engine/types.js';
import { toEmbeddings } from './wire-embeddings.js';

/*
 * Unknown top-level fields are ignored (zod strips them), as Chroma's own server does: its clients add fields over
 * versions (`schema`, `read_level`, `limit` on delete), and rejecting them would break newer clients. Values are
 * only shape-checked here (wrong types -> 422); the engine validates meaning (-> 400).
 */

const INT32_MAX = 2_147_483_647;
const count = z.number().int().min(0).max(INT32_MAX);
const scalar = z.union([z.string(), z.number().finite(), z.boolean()]);
const metadataValue = z.union([scalar, z.array(scalar)]);
const metadata = z.record(metadataValue);
const updateMetadata = z.record(metadataValue.nullable());
const filter = z.record(z.unknown());
const include = z.array(z.enum(['distances', 'documents', 'embeddings', 'metadatas', 'uris']));
const ids = z.array(z.string());
const optionalStrings = z.array(z.string().nullable()).nullish();
const embeddingList = z.array(z.unknown());

/** `POST /tenants` and `POST /tenants/{t}/databases`. */
export const NameBody = z.object({ name: z.string() });

/** `POST .../collections`. */
export const CreateCollectionBody = z.object({
  name: z.string(),
  metadata: metadata.nullish(),
  configuration: z.record(z.unknown()).nullish(),
  get_or_create: z.boolean().nullish(),
  /** kbgate's extension: the embedding function kbgate embeds this collection's documents and query texts with. */
  kbgate: z.object({ embedding: z.string().nullish() }).nullish(),
});

/** `PUT .../collections/{collection_id}`. */
export const UpdateCollectionBody = z.object({
  new_name: z.string().nullish(),
  new_metadata: metadata.nullish(),
  new_configuration: z.record(z.unknown()).nullish(),
});

/** `POST .../add` and `.../upsert`; embeddings may be absent when the collection embeds documents itself. */
export const AddBody = z.object({
  ids,
  embeddings: embeddingList.nullish(),
  documents: optionalStrings,
  metadatas: z.array(metadata.nullable()).nullish(),
  uris: optionalStrings,
});

/** `POST .../update`. */
export const UpdateBody = z.object({
  ids,
  embeddings: embeddingList.nullish(),
  documents: optionalStrings,
  metadatas: z.array(updateMetadata.nullable()).nullish(),
  uris: optionalStrings,
});

/** `POST .../delete`. */
export const DeleteBody = z.object({
  ids: ids.nullish(),
  where: filter.nullish(),
  where_document: filter.nullish(),
  limit: count.nullish(),
});

/** `POST .../get`. */
export const GetBody = z.object({
  ids: ids.nullish(),
  where: filter.nullish(),
  where_document: filter.nullish(),
  limit: count.nullish(),
  offset: count.nullish(),
  include: include.nullish(),
});

/** `POST .../query`; `query_texts` is a kbgate extension for collections that embed on the server. */
export const QueryBody = z.object({
  query_embeddings: embeddingList.nullish(),
  query_texts: z.array(z.string()).nullish(),
  n_results: count.nullish(),
  ids: ids.nullish(),
  where: filter.nullish(),
  where_document: filter.nullish(),
  include: include.nullish(),
});

/** `?limit=&offset=` of list routes. */
export const PageQuery = z.object({
  limit: z.coerce.number().pipe(count).optional(),
  offset: z.coerce.number().pipe(count).optional(),
});

/** Converts a create-collection body to engine arguments. */
export function toCreateCollectionArgs(body: z.infer<typeof CreateCollectionBody>): CreateCollectionArgs & {
  getOrCreate: boolean;
} {
  return {
    name: body.name,
    metadata: body.metadata ?? null,
    configuration: body.configuration ?? null,
    getOrCreate: body.get_or_create ?? false,
    ...(body.kbgate?.embedding !== undefined ? { embedding: body.kbgate.embedding } : {}),
  };
}

/** Converts an update-collection body to engine arguments; absent fields are left unchanged. */
export function toModifyArgs(body: z.infer<typeof UpdateCollectionBody>): ModifyArgs {
  const args: ModifyArgs = {};
  if (body.new_name !== undefined && body.new_name !== null) args.name = body.new_name;
  if (body.new_metadata !== undefined && body.new_metadata !== null)
    args.metadata = body.new_metadata as Metadata;
  if (body.new_configuration !== undefined && body.new_configuration !== null) {
    args.configuration = body.new_configuration;
  }
  return args;
}

/** Converts an add or upsert body to engine arguments, decoding base64 embeddings. */
export function toAddArgs(body: z.infer<typeof AddBody>): AddArgs {
  return {
    ids: body.ids,
    embeddings: body.embeddings ? toEmbeddings(body.embeddings, 'embeddings') : null,
    documents: body.documents ?? null,
    metadatas: (body.metadatas as (Metadata | null)[] | null | undefined) ?? null,
    uris: body.uris ?? null,
  };
}

/** Converts an update body to engine arguments; a null embedding keeps that record's stored vector. */
export function toUpdateArgs(body: z.infer<typeof UpdateBody>): UpdateArgs {
  return {
    ids: body.ids,
    embeddings: body.embeddings
      ? body.embeddings.map((e, i) => (e === null ? null : (toEmbeddings([e], `embeddings.${i}`)[0] ?? null)))
      : null,
    documents: body.documents ?? null,
    metadatas: (body.metadatas as (UpdateMetadata | null)[] | null | undefined) ?? null,
    uris: body.uris ?? null,
  };
}

/** Converts a delete body to engine arguments. */
export function toDeleteArgs(body: z.infer<typeof DeleteBody>): DeleteArgs {
  return {
    ids: body.ids ?? undefined,
    where: nonEmpty(body.where),
    whereDocument: nonEmpty(body.where_document),
    limit: body.limit ?? undefined,
  };
}

/** Converts a get body to engine arguments. */
export function toGetArgs(body: z.infer<typeof GetBody>): GetArgs {
  return {
    ids: body.ids ?? undefined,
    where: nonEmpty(body.where),
    whereDocument: nonEmpty(body.where_document),
    limit: body.limit ?? undefined,
    offset: body.offset ?? undefined,
    include: body.include ?? undefined,
  };
}

/** Converts a query body to engine arguments, decoding base64 query embeddings. */
export function toQueryArgs(body: z.infer<typeof QueryBody>): QueryArgs {
  return {
    queryEmbeddings: body.query_embeddings
      ? toEmbeddings(body.query_embeddings, 'query_embeddings')
      : undefined,
    queryTexts: body.query_texts ?? undefined,
    nResults: body.n_results ?? undefined,
    ids: body.ids ?? undefined,
    where: nonEmpty(body.where),
    whereDocument: nonEmpty(body.where_document),
    include: body.include ?? undefined,
  };
}

/** Converts list paging query parameters. */
export function toPage(query: z.infer<typeof PageQuery>): Page {
  return { limit: query.limit, offset: query.offset };
}

/** A collection in Chroma's JSON shape (`Collection` in the reference OpenAPI). */
export interface WireCollection {
  id: string;
  name: string;
  configuration_json: Record<string, unknown>;
  metadata: Metadata | null;
  dimension: number | null;
  tenant: string;
  database: string;
  log_position: number;
  version: number;
  schema: null;
  /** kbgate's own fields, kept out of Chroma's: the bound embedding function (`none` or null: lexical only). */
  kbgate: { embedding: string | null };
}

/** Converts a catalog collection to Chroma's JSON shape. */
export function toWireCollection(model: CollectionModel): WireCollection {
  return {
    id: model.id,
    name: model.name,
    configuration_json: model.configuration,
    metadata: model.metadata,
    dimension: model.dimension,
    tenant: model.tenant,
    database: model.database,
    log_position: 0,
    version: 0,
    schema: null,
    kbgate: { embedding: model.embedding },
  };
}

function nonEmpty(where: Record<string, unknown> | null | undefined): WhereInput | undefined {
  return where && Object.keys(where).length > 0 ? where : undefined;
}
