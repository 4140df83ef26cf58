/** Record routes of one collection, addressed by id: add, upsert, update, delete, get, query, count. */
import type { Router } from 'express';
import { checkBatchSize, findCollection, label, param, type RouteContext } from './route-context.js';
import {
  AddBody,
  DeleteBody,
  GetBody,
  QueryBody,
  UpdateBody,
  UpsertBody,
  toAddArgs,
  toDeleteArgs,
  toGetArgs,
  toQueryArgs,
  toUpdateArgs,
  toUpsertArgs,
} from './wire-schemas.js';

/** Path of the record routes, below which each operation is one segment. */
export const RECORDS_BASE = '/api/v2/tenants/:tenant/databases/:database/collections/:collection_id';

/** One record operation: its HTTP method, success status and what it does with a validated collection id. */
export interface RecordOperation {
  method: 'GET' | 'POST';
  status: number;
  /** The label for tracing, logs and metrics (Chroma's operation name). */
  label: string;
  /** Runs the operation on the collection `id` with the request body (`{}` for GET) and returns the response body. */
  run(ctx: RouteContext, id: string, body: unknown): Promise<unknown>;
}

/** The record operations by path segment; the Express routes and the fast lane both run these. */
export const RECORD_OPERATIONS: Readonly<Record<string, RecordOperation>> = {
  add: {
    method: 'POST',
    status: 201,
    label: 'add',
    async run(ctx, id, raw) {
      const body = AddBody.parse(raw);
      checkBatchSize(ctx, body.ids.length, 'records');
      await ctx.engine.add(id, toAddArgs(body));
      return {};
    },
  },
  upsert: {
    method: 'POST',
    status: 200,
    label: 'upsert',
    async run(ctx, id, raw) {
      const body = UpsertBody.parse(raw);
      checkBatchSize(ctx, body.ids.length, 'records');
      await ctx.engine.upsert(id, toUpsertArgs(body));
      return {};
    },
  },
  update: {
    method: 'POST',
    status: 200,
    label: 'update',
    async run(ctx, id, raw) {
      const body = UpdateBody.parse(raw);
      checkBatchSize(ctx, body.ids.length, 'records');
      await ctx.engine.update(id, toUpdateArgs(body));
      return {};
    },
  },
  delete: {
    method: 'POST',
    status: 200,
    label: 'delete',
    async run(ctx, id, raw) {
      return { deleted: await ctx.engine.delete(id, toDeleteArgs(DeleteBody.parse(raw))) };
    },
  },
  get: {
    method: 'POST',
    status: 200,
    label: 'get',
    async run(ctx, id, raw) {
      return ctx.engine.get(id, toGetArgs(GetBody.parse(raw)));
    },
  },
  query: {
    method: 'POST',
    status: 200,
    label: 'query',
    async run(ctx, id, raw) {
      const body = QueryBody.parse(raw);
      checkBatchSize(ctx, (body.query_embeddings ?? body.query_texts ?? []).length, 'queries');
      return ctx.engine.query(id, toQueryArgs(body));
    },
  },
  count: {
    method: 'GET',
    status: 200,
    label: 'count',
    async run(ctx, id) {
      return ctx.engine.count(id);
    },
  },
};

/** Registers the record routes. */
export function registerRecordRoutes(router: Router, ctx: RouteContext): void {
  for (const [segment, operation] of Object.entries(RECORD_OPERATIONS)) {
    const register = operation.method === 'GET' ? router.get.bind(router) : router.post.bind(router);
    register(`${RECORDS_BASE}/${segment}`, async (req, res) => {
      const id = param(req, 'collection_id');
      label(res, operation.label, id);
      findCollection(ctx, param(req, 'tenant'), param(req, 'database'), id);
      const result = await operation.run(ctx, id, req.body ?? {});
      res.status(operation.status).json(result);
    });
  }
}
