/** Tenant routes. */
import type { Router } from 'express';
import { label, param, parseBody, type RouteContext } from './route-context.js';
import { NameBody, UpdateTenantBody } from './wire-schemas.js';

/** Registers the tenant routes. */
export function registerTenantRoutes(router: Router, ctx: RouteContext): void {
  router.post('/api/v2/tenants', (req, res) => {
    label(res, 'create_tenant');
    const body = parseBody(NameBody, req);
    ctx.engine.createTenant(body.name);
    res.json({});
  });

  // Chroma's single node accepts a resource name and records nothing (a tenant's is always null).
  router.patch('/api/v2/tenants/:tenant_name', (req, res) => {
    label(res, 'update_tenant');
    parseBody(UpdateTenantBody, req);
    res.json({});
  });

  router.get('/api/v2/tenants/:tenant_name', (req, res) => {
    label(res, 'get_tenant');
    const tenant = ctx.engine.getTenant(param(req, 'tenant_name'));
    res.json({ name: tenant.name, resource_name: null });
  });
}
