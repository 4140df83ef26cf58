/** What every Chroma route module needs: the engine, the configuration and small request helpers. */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { Engine } from '../../engine/database.js';
import { invalidArgument, notFound } from '../../engine/errors.js';
import type { CollectionModel } from '../../engine/types.js';
import type { ReadinessReport } from '../../ops/readiness.js';

/** A UUID in any of its accepted spellings' canonical form (Chroma rejects other collection ids with a 400). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Dependencies of the Chroma routes. */
export interface RouteContext {
  engine: Engine;
  config: Config;
  /** Whether the server should get traffic (not starting, stopping, or cut off from its store or upstream). */
  readiness: () => ReadinessReport;
}

/** Validates a request body against a wire schema; a shape error becomes a 422 in the error handler. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, req: Request): z.infer<T> {
  return schema.parse(req.body ?? {}) as z.infer<T>;
}

/**
 * Refuses a write of more records, or a query of more embeddings, than the max batch size pre-flight-checks
 * advertises (KBGATE_MAX_BATCH_SIZE), as Chroma's clients expect the server to.
 */
export function checkBatchSize(ctx: RouteContext, count: number, what: string): void {
  const max = ctx.config.maxBatchSize;
  if (count > max) {
    throw invalidArgument(
      `Cannot submit more than ${max} ${what} at once (got ${count}); send them in batches of ${max} or fewer`,
    );
  }
}

/** Reads a path parameter (always present on the routes that declare it). */
export function param(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  return value ?? '';
}

/** Labels the request for tracing and logs with the operation and, when known, the collection id. */
export function label(res: Response, operation: string, collectionId?: string): void {
  res.locals.operation = operation;
  if (collectionId !== undefined) res.locals.collectionId = collectionId;
}

/**
 * Finds the collection a record route addresses by id, and checks it lives in the tenant and database of the path.
 *
 * @remarks A collection of another tenant or database is reported as missing, never touched; an id that is not a
 * UUID is INVALID_ARGUMENT, as in Chroma.
 */
export function resolveCollection(
  ctx: RouteContext,
  req: Request,
  res: Response,
  operation: string,
): CollectionModel {
  const id = param(req, 'collection_id');
  label(res, operation, id);
  return findCollection(ctx, param(req, 'tenant'), param(req, 'database'), id);
}

/** The collection `id` when it lives in `tenant` and `database`; NOT_FOUND otherwise, INVALID_ARGUMENT for a non-UUID. */
export function findCollection(
  ctx: RouteContext,
  tenant: string,
  database: string,
  id: string,
): CollectionModel {
  if (!UUID.test(id)) throw invalidArgument('Collection ID is not a valid UUID');
  const collection = ctx.engine.getCollectionById(id);
  if (collection.tenant !== tenant || collection.database !== database) {
    throw notFound(`Collection "${id}" does not exist`);
  }
  return collection;
}
