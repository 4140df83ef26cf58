/** Record routes of one collection, addressed by id: add, upsert, update, delete, get, query, count. */
import type { Router } from 'express';
import { checkBatchSize, parseBody, resolveCollection, type RouteContext } from './route-context.js';
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

const BASE = '/api/v2/tenants/:tenant/databases/:database/collections/:collection_id';

/** Registers the record routes. */
export function registerRecordRoutes(router: Router, ctx: RouteContext): void {
  const { engine } = ctx;

  router.post(`${BASE}/add`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'add');
    const body = parseBody(AddBody, req);
    checkBatchSize(ctx, body.ids.length, 'records');
    await engine.add(id, toAddArgs(body));
    res.status(201).json({});
  });

  router.post(`${BASE}/upsert`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'upsert');
    const body = parseBody(UpsertBody, req);
    checkBatchSize(ctx, body.ids.length, 'records');
    await engine.upsert(id, toUpsertArgs(body));
    res.json({});
  });

  router.post(`${BASE}/update`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'update');
    const body = parseBody(UpdateBody, req);
    checkBatchSize(ctx, body.ids.length, 'records');
    await engine.update(id, toUpdateArgs(body));
    res.json({});
  });

  router.post(`${BASE}/delete`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'delete');
    const deleted = await engine.delete(id, toDeleteArgs(parseBody(DeleteBody, req)));
    res.json({ deleted });
  });

  router.post(`${BASE}/get`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'get');
    res.json(await engine.get(id, toGetArgs(parseBody(GetBody, req))));
  });

  router.post(`${BASE}/query`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'query');
    const body = parseBody(QueryBody, req);
    checkBatchSize(ctx, (body.query_embeddings ?? body.query_texts ?? []).length, 'queries');
    res.json(await engine.query(id, toQueryArgs(body)));
  });

  router.get(`${BASE}/count`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'count');
    res.json(await engine.count(id));
  });
}
