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
  UpsertArgs,
  WhereInput,
} from '../../engine/inputs.js';
import { collectionConfiguration, collectionSchema } from '../../engine/collection-config.js';
import type { Schema } from '../../engine/collection-schema.js';
import { invalidArgument } from '../../engine/errors.js';
import { MAX_METADATA_KEYS } from '../../engine/validate-records.js';
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
/**
 * A JSON object of client keys, checked before zod walks it: zod builds a new object key by key and skips
 * `__proto__` (assigning it would set the prototype), so such a key would vanish silently instead of being refused
 * as the engine refuses it; and an object over the engine's key limit is refused before zod spends microseconds on
 * each of its (possibly 100,000) keys.
 */
const clientObject = <T extends z.ZodTypeAny>(schema: T, maxKeys = Infinity) =>
  z.preprocess((value) => checkClientObject(value, maxKeys), schema);
const metadata = clientObject(z.record(metadataValue), MAX_METADATA_KEYS);
const updateMetadata = clientObject(z.record(metadataValue.nullable()), MAX_METADATA_KEYS);
const looseObject = clientObject(z.record(z.unknown()));
/** `where` / `where_document`: any JSON; the engine's parser alone judges it (400, as Chroma answers). */
const filter = z.unknown();
const include = z.array(z.enum(['distances', 'documents', 'embeddings', 'metadatas', 'uris']));
const ids = z.array(z.string());
const optionalStrings = z.array(z.string().nullable()).nullish();
const embeddingList = z.array(z.unknown());

/** `POST /tenants` and `POST /tenants/{t}/databases`. */
export const NameBody = z.object({ name: z.string() });

/** `PATCH /tenants/{t}`. */
export const UpdateTenantBody = z.object({ resource_name: z.string() });

/** `POST .../collections`. */
export const CreateCollectionBody = z.object({
  name: z.string(),
  metadata: metadata.nullish(),
  configuration: looseObject.nullish(),
  /** Chroma 1.x's index schema (clients 3.x may send the embedding function and space only here). */
  schema: looseObject.nullish(),
  get_or_create: z.boolean().nullish(),
  /** kbgate's extension: the embedding function kbgate embeds this collection's documents and query texts with. */
  kbgate: z.object({ embedding: z.string().nullish() }).nullish(),
});

/** `PUT .../collections/{collection_id}`. */
export const UpdateCollectionBody = z.object({
  new_name: z.string().nullish(),
  /** Replaces the metadata; `null` values are dropped (Chroma: an all-null map changes nothing). */
  new_metadata: updateMetadata.nullish(),
  new_configuration: looseObject.nullish(),
});

/** `POST .../add`; embeddings may be absent when the collection embeds documents itself. */
export const AddBody = z.object({
  ids,
  embeddings: embeddingList.nullish(),
  documents: optionalStrings,
  metadatas: z.array(metadata.nullable()).nullish(),
  uris: optionalStrings,
});

/** `POST .../upsert`: as add, but a `null` metadata value removes that key from an existing record. */
export const UpsertBody = AddBody.extend({ metadatas: z.array(updateMetadata.nullable()).nullish() });

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
  where: filter,
  where_document: filter,
  limit: count.nullish(),
});

/** `POST .../get`. */
export const GetBody = z.object({
  ids: ids.nullish(),
  where: filter,
  where_document: filter,
  limit: count.nullish(),
  offset: count.nullish(),
  include: include.nullish(),
});

/**
 * `POST .../query`; `query_texts` is a kbgate extension for collections that embed on the server. Without it,
 * `query_embeddings` is required and may not be null, as in Chroma (422); an empty list asks nothing.
 */
export const QueryBody = z
  .object({
    query_embeddings: embeddingList.nullish(),
    query_texts: z.array(z.string()).nullish(),
    n_results: count.nullish(),
    ids: ids.nullish(),
    where: filter,
    where_document: filter,
    include: include.nullish(),
  })
  .superRefine((body, ctx) => {
    if (Array.isArray(body.query_embeddings) || Array.isArray(body.query_texts)) return;
    const message = body.query_embeddings === null ? 'must be a list, not null' : 'missing field';
    ctx.addIssue({ code: 'custom', path: ['query_embeddings'], message });
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
    schema: body.schema ?? null,
    getOrCreate: body.get_or_create ?? false,
    ...(body.kbgate?.embedding !== undefined ? { embedding: body.kbgate.embedding } : {}),
  };
}

/** Converts an update-collection body to engine arguments; absent fields are left unchanged. */
export function toModifyArgs(body: z.infer<typeof UpdateCollectionBody>): ModifyArgs {
  const args: ModifyArgs = {};
  if (body.new_name !== undefined && body.new_name !== null) args.name = body.new_name;
  if (body.new_metadata !== undefined && body.new_metadata !== null) {
    const kept = Object.entries(body.new_metadata).filter(([, value]) => value !== null);
    if (kept.length > 0 || Object.keys(body.new_metadata).length === 0) {
      args.metadata = Object.fromEntries(kept) as Metadata;
    }
  }
  if (body.new_configuration !== undefined && body.new_configuration !== null) {
    args.configuration = body.new_configuration;
  }
  return args;
}

/** Converts an add body to engine arguments, decoding base64 embeddings. */
export function toAddArgs(body: z.infer<typeof AddBody>): AddArgs {
  return {
    ids: body.ids,
    embeddings: body.embeddings ? toEmbeddings(body.embeddings, 'embeddings') : null,
    documents: body.documents ?? null,
    metadatas: (body.metadatas as (Metadata | null)[] | null | undefined) ?? null,
    uris: body.uris ?? null,
  };
}

/** Converts an upsert body to engine arguments, decoding base64 embeddings. */
export function toUpsertArgs(body: z.infer<typeof UpsertBody>): UpsertArgs {
  return {
    ...toAddArgs({ ...body, metadatas: null }),
    metadatas: (body.metadatas as (UpdateMetadata | null)[] | null | undefined) ?? null,
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
    where: asFilter(body.where),
    whereDocument: asFilter(body.where_document),
    limit: body.limit ?? undefined,
  };
}

/** Converts a get body to engine arguments. */
export function toGetArgs(body: z.infer<typeof GetBody>): GetArgs {
  return {
    ids: body.ids ?? undefined,
    where: asFilter(body.where),
    whereDocument: asFilter(body.where_document),
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
    where: asFilter(body.where),
    whereDocument: asFilter(body.where_document),
    include: body.include ?? undefined,
  };
}

/** Parses list paging query parameters; a bad value is INVALID_ARGUMENT (400), as Chroma answers. */
export function parsePage(query: unknown): Page {
  const parsed = PageQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidArgument(`Failed to deserialize query string: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return { limit: parsed.data.limit, offset: parsed.data.offset };
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
  schema: Schema;
  /** kbgate's own fields, kept out of Chroma's: the bound embedding function (`none` or null: lexical only). */
  kbgate: { embedding: string | null };
}

/** Converts a catalog collection to Chroma's JSON shape. */
export function toWireCollection(model: CollectionModel): WireCollection {
  return {
    id: model.id,
    name: model.name,
    configuration_json: collectionConfiguration(model),
    metadata: model.metadata,
    dimension: model.dimension,
    tenant: model.tenant,
    database: model.database,
    log_position: 0,
    version: 0,
    schema: collectionSchema(model),
    kbgate: { embedding: model.embedding },
  };
}

/** A wire filter for the engine, whose parser validates it (null means none). */
function asFilter(value: unknown): WhereInput | undefined {
  return (value ?? undefined) as WhereInput | undefined;
}

/**
 * Refuses an object holding its own `__proto__` key (JSON.parse keeps it as one) or more than `maxKeys` keys;
 * anything else passes as it is, for zod to judge.
 */
function checkClientObject(value: unknown, maxKeys: number): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  if (Object.hasOwn(value, '__proto__')) {
    throw invalidArgument('"__proto__" cannot be a metadata or configuration key');
  }
  if (maxKeys !== Infinity) {
    const keys = Object.keys(value).length;
    if (keys > maxKeys) throw invalidArgument(`metadata has ${keys} keys; the limit is ${maxKeys}`);
  }
  return value;
}
