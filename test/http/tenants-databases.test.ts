import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp } from './test-app.js';

describe('tenant routes', () => {
  const { app } = createTestApp();

  it('should create a tenant and get it by name', async () => {
    await request(app).post('/api/v2/tenants').send({ name: 'acme' }).expect(200, {});
    const res = await request(app).get('/api/v2/tenants/acme').expect(200);
    expect(res.body).toEqual({ name: 'acme', resource_name: null });
  });

  it('should answer 409 for an existing tenant', async () => {
    await request(app).post('/api/v2/tenants').send({ name: 'twice' }).expect(200);
    const res = await request(app).post('/api/v2/tenants').send({ name: 'twice' }).expect(409);
    expect(res.body.error).toBe('UniqueConstraintError');
  });

  it('should answer 404 for a missing tenant', async () => {
    const res = await request(app).get('/api/v2/tenants/nobody').expect(404);
    expect(res.body.error).toBe('NotFoundError');
  });

  it('should answer 422 for a body without a name', async () => {
    const res = await request(app).post('/api/v2/tenants').send({ nome: 'x' }).expect(422);
    expect(res.body.error).toBe('UnprocessableEntityError');
  });
});

describe('database routes', () => {
  const { app } = createTestApp();
  const base = '/api/v2/tenants/default_tenant/databases';

  it('should create, get, list and delete a database', async () => {
    await request(app).post(base).send({ name: 'notes' }).expect(200, {});
    const got = await request(app).get(`${base}/notes`).expect(200);
    expect(got.body).toMatchObject({ name: 'notes', tenant: 'default_tenant' });
    expect(got.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const list = await request(app).get(base).expect(200);
    expect(list.body.map((d: { name: string }) => d.name)).toEqual(
      expect.arrayContaining(['default_database', 'notes']),
    );
    await request(app).delete(`${base}/notes`).expect(200, {});
    await request(app).get(`${base}/notes`).expect(404);
  });

  it('should page the database list with limit and offset', async () => {
    for (const name of ['page-a', 'page-b', 'page-c'])
      await request(app).post(base).send({ name }).expect(200);
    const all = await request(app).get(base).expect(200);
    const page = await request(app).get(`${base}?limit=1&offset=1`).expect(200);
    expect(page.body).toEqual([all.body[1]]);
  });

  it('should answer 400 for a non-numeric limit, as Chroma does', async () => {
    await request(app).get(`${base}?limit=abc`).expect(400);
  });

  it('should answer 409 for an existing database', async () => {
    await request(app).post(base).send({ name: 'dup-db' }).expect(200);
    await request(app).post(base).send({ name: 'dup-db' }).expect(409);
  });

  it('should list no databases for a missing tenant, as Chroma does', async () => {
    await request(app).get('/api/v2/tenants/nobody/databases').expect(200, []);
  });
});
