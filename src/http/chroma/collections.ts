/** Collection routes: get, delete take the collection's name; update and the record routes take its id. */
import type { Router } from 'express';
import { label, param, parseBody, resolveCollection, type RouteContext } from './route-context.js';
import {
  CreateCollectionBody,
  UpdateCollectionBody,
  toCreateCollectionArgs,
  toModifyArgs,
  parsePage,
  toWireCollection,
} from './wire-schemas.js';

const BASE = '/api/v2/tenants/:tenant/databases/:database';

/** Registers the collection routes. */
export function registerCollectionRoutes(router: Router, ctx: RouteContext): void {
  const { engine } = ctx;

  router.get(`${BASE}/collections`, (req, res) => {
    label(res, 'list_collections');
    const page = parsePage(req.query);
    const list = engine.listCollections(param(req, 'tenant'), param(req, 'database'), page);
    res.json(list.map(toWireCollection));
  });

  router.post(`${BASE}/collections`, (req, res) => {
    label(res, 'create_collection');
    const args = toCreateCollectionArgs(parseBody(CreateCollectionBody, req));
    const collection = engine.createCollection(param(req, 'tenant'), param(req, 'database'), args);
    label(res, 'create_collection', collection.id);
    res.json(toWireCollection(collection));
  });

  router.get(`${BASE}/collections_count`, (req, res) => {
    label(res, 'count_collections');
    res.json(engine.countCollections(param(req, 'tenant'), param(req, 'database')));
  });

  router.get(`${BASE}/collections/by-id/:collection_id`, (req, res) => {
    res.json(toWireCollection(resolveCollection(ctx, req, res, 'get_collection_by_id')));
  });

  router.get(`${BASE}/collections/:collection_name`, (req, res) => {
    label(res, 'get_collection');
    const collection = engine.getCollection(
      param(req, 'tenant'),
      param(req, 'database'),
      param(req, 'collection_name'),
    );
    label(res, 'get_collection', collection.id);
    res.json(toWireCollection(collection));
  });

  router.put(`${BASE}/collections/:collection_id`, (req, res) => {
    const collection = resolveCollection(ctx, req, res, 'update_collection');
    engine.modifyCollection(collection.id, toModifyArgs(parseBody(UpdateCollectionBody, req)));
    res.json({});
  });

  router.delete(`${BASE}/collections/:collection_name`, (req, res) => {
    label(res, 'delete_collection');
    engine.deleteCollection(param(req, 'tenant'), param(req, 'database'), param(req, 'collection_name'));
    res.json({});
  });
}
