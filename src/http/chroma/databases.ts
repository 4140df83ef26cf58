/** Database routes. */
import type { Router } from 'express';
import { label, param, parseBody, type RouteContext } from './route-context.js';
import { NameBody, parsePage } from './wire-schemas.js';

const BASE = '/api/v2/tenants/:tenant/databases';

/** Registers the database routes. */
export function registerDatabaseRoutes(router: Router, ctx: RouteContext): void {
  router.get(BASE, (req, res) => {
    label(res, 'list_databases');
    const page = parsePage(req.query);
    res.json(ctx.engine.listDatabases(param(req, 'tenant'), page));
  });

  router.post(BASE, (req, res) => {
    label(res, 'create_database');
    const body = parseBody(NameBody, req);
    ctx.engine.createDatabase(param(req, 'tenant'), body.name);
    res.json({});
  });

  router.get(`${BASE}/:database`, (req, res) => {
    label(res, 'get_database');
    res.json(ctx.engine.getDatabase(param(req, 'tenant'), param(req, 'database')));
  });

  router.delete(`${BASE}/:database`, (req, res) => {
    label(res, 'delete_database');
    ctx.engine.deleteDatabase(param(req, 'tenant'), param(req, 'database'));
    res.json({});
  });
}
