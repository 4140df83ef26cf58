import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

const COLLECTIONS = `${DEFAULT_SCOPE}/collections`;

describe('POST /api/v2/tenants/{t}/databases/{d}/collections', () => {
  const { app } = createTestApp();

  it("should return the collection in Chroma's shape", async () => {
    const res = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'shape', metadata: { topic: 'x', n: 1 } })
      .expect(200);
    expect(res.body).toMatchObject({
      name: 'shape',
      metadata: { topic: 'x', n: 1 },
      dimension: null,
      tenant: 'default_tenant',
      database: 'default_database',
      log_position: 0,
      version: 0,
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.configuration_json.hnsw.space).toBe('l2');
  });

  it("should round-trip the client's embedding_function and show kbgate's binding beside it", async () => {
    const embeddingFunction = { type: 'known', name: 'default', config: { model: 'x' } };
    const res = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'bound', configuration: { embedding_function: embeddingFunction } })
      .expect(200);
    expect(res.body.configuration_json.embedding_function).toEqual(embeddingFunction);
    expect(res.body.kbgate).toEqual({ embedding: 'none' });
    const named = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'named', kbgate: { embedding: 'openai:text-embedding-3-small' } })
      .expect(200);
    expect(named.body.kbgate).toEqual({ embedding: 'openai:text-embedding-3-small' });
    expect(named.body.configuration_json.embedding_function).toBeNull();
    const other = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'named', get_or_create: true, kbgate: { embedding: 'none' } })
      .expect(400);
    expect(other.body.error).toBe('InvalidArgumentError');
  });

  it('should answer 409 UniqueConstraintError for an existing name', async () => {
    await request(app).post(COLLECTIONS).send({ name: 'taken' }).expect(200);
    const res = await request(app).post(COLLECTIONS).send({ name: 'taken' }).expect(409);
    expect(res.body.error).toBe('UniqueConstraintError');
  });

  it('should return the existing collection with get_or_create', async () => {
    const first = await request(app).post(COLLECTIONS).send({ name: 'goc' }).expect(200);
    const second = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'goc', get_or_create: true })
      .expect(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('should take the distance space from the configuration', async () => {
    const res = await request(app)
      .post(COLLECTIONS)
      .send({ name: 'cosine-one', configuration: { hnsw: { space: 'cosine' } } })
      .expect(200);
    expect(res.body.configuration_json.hnsw.space).toBe('cosine');
  });

  it('should answer 400 for an invalid name', async () => {
    const res = await request(app).post(COLLECTIONS).send({ name: 'a' }).expect(400);
    expect(res.body.error).toBe('InvalidArgumentError');
  });

  it('should answer 400 in a missing database, as Chroma does', async () => {
    await request(app)
      .post('/api/v2/tenants/default_tenant/databases/nope/collections')
      .send({ name: 'abc' })
      .expect(400);
  });
});

describe('collection reads and changes', () => {
  const { app } = createTestApp();

  it('should get a collection by name and by id', async () => {
    const created = await request(app).post(COLLECTIONS).send({ name: 'findme' }).expect(200);
    const byName = await request(app).get(`${COLLECTIONS}/findme`).expect(200);
    const byId = await request(app).get(`${COLLECTIONS}/by-id/${created.body.id}`).expect(200);
    expect(byName.body).toEqual(created.body);
    expect(byId.body).toEqual(created.body);
  });

  it('should answer 404 for a missing name or id', async () => {
    await request(app).get(`${COLLECTIONS}/missing`).expect(404);
    await request(app).get(`${COLLECTIONS}/by-id/00000000-0000-4000-8000-000000000000`).expect(404);
  });

  it('should list, page and count collections', async () => {
    for (const name of ['list-a', 'list-b', 'list-c'])
      await request(app).post(COLLECTIONS).send({ name }).expect(200);
    const all = await request(app).get(COLLECTIONS).expect(200);
    const count = await request(app).get(`${DEFAULT_SCOPE}/collections_count`).expect(200);
    expect(count.body).toBe(all.body.length);
    const page = await request(app).get(`${COLLECTIONS}?limit=2&offset=1`).expect(200);
    expect(page.body).toEqual(all.body.slice(1, 3));
  });

  it('should rename and change metadata by id', async () => {
    const { body } = await request(app).post(COLLECTIONS).send({ name: 'old-name' }).expect(200);
    await request(app)
      .put(`${COLLECTIONS}/${body.id}`)
      .send({ new_name: 'new-name', new_metadata: { v: 2 } })
      .expect(200, {});
    const res = await request(app).get(`${COLLECTIONS}/new-name`).expect(200);
    expect(res.body).toMatchObject({ id: body.id, metadata: { v: 2 } });
  });

  it('should answer 409 when renaming onto an existing name', async () => {
    await request(app).post(COLLECTIONS).send({ name: 'occupied' }).expect(200);
    const { body } = await request(app).post(COLLECTIONS).send({ name: 'mover' }).expect(200);
    const res = await request(app)
      .put(`${COLLECTIONS}/${body.id}`)
      .send({ new_name: 'occupied' })
      .expect(409);
    expect(res.body.error).toBe('UniqueConstraintError');
  });

  it('should delete a collection by name', async () => {
    await request(app).post(COLLECTIONS).send({ name: 'doomed' }).expect(200);
    await request(app).delete(`${COLLECTIONS}/doomed`).expect(200, {});
    await request(app).get(`${COLLECTIONS}/doomed`).expect(404);
    await request(app).delete(`${COLLECTIONS}/doomed`).expect(404);
  });

  it('should not reach a collection through another database', async () => {
    await request(app).post('/api/v2/tenants/default_tenant/databases').send({ name: 'other' }).expect(200);
    const { body } = await request(app).post(COLLECTIONS).send({ name: 'private' }).expect(200);
    await request(app)
      .get(`/api/v2/tenants/default_tenant/databases/other/collections/by-id/${body.id}`)
      .expect(404);
    await request(app)
      .get(`/api/v2/tenants/default_tenant/databases/other/collections/${body.id}/count`)
      .expect(404);
  });
});
