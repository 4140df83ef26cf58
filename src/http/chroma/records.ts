/** Record routes of one collection, addressed by id: add, upsert, update, delete, get, query, count. */
import type { Router } from 'express';
import { parseBody, resolveCollection, type RouteContext } from './route-context.js';
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
    await engine.add(id, toAddArgs(parseBody(AddBody, req)));
    res.status(201).json({});
  });

  router.post(`${BASE}/upsert`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'upsert');
    await engine.upsert(id, toUpsertArgs(parseBody(UpsertBody, req)));
    res.json({});
  });

  router.post(`${BASE}/update`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'update');
    await engine.update(id, toUpdateArgs(parseBody(UpdateBody, req)));
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
    res.json(await engine.query(id, toQueryArgs(parseBody(QueryBody, req))));
  });

  router.get(`${BASE}/count`, async (req, res) => {
    const { id } = resolveCollection(ctx, req, res, 'count');
    res.json(await engine.count(id));
  });
}
