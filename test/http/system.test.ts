import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

describe('system routes', () => {
  const { app } = createTestApp();

  it('should report a nanosecond heartbeat on v2 and v1', async () => {
    for (const path of ['/api/v2/heartbeat', '/api/v1/heartbeat']) {
      const res = await request(app).get(path).expect(200);
      expect(res.body['nanosecond heartbeat']).toBeGreaterThan(1e18);
    }
  });

  it('should report the Chroma API version as a JSON string', async () => {
    const res = await request(app).get('/api/v2/version').expect(200);
    expect(res.body).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('should advertise the batch size and base64 support in pre-flight checks', async () => {
    const res = await request(app).get('/api/v2/pre-flight-checks').expect(200);
    expect(res.body).toEqual({ max_batch_size: 5461, supports_base64_encoding: true });
  });

  it('should name the default tenant and database as the identity', async () => {
    const res = await request(app).get('/api/v2/auth/identity').expect(200);
    expect(res.body).toEqual({ user_id: '', tenant: 'default_tenant', databases: ['default_database'] });
  });

  it('should answer 404 with a JSON error for an unknown route', async () => {
    const res = await request(app).get('/api/v2/nothing-here').expect(404);
    expect(res.body.error).toBe('NotFoundError');
    expect(typeof res.body.message).toBe('string');
  });

  it('should answer 501 for routes of distributed Chroma', async () => {
    const res = await request(app).post(`${DEFAULT_SCOPE}/collections/some-id/fork`).send({}).expect(501);
    expect(res.body.error).toBe('NotImplementedError');
  });
});

describe('GET /api/v2/healthcheck', () => {
  it('should answer 200 when ready', async () => {
    const { app } = createTestApp();
    await request(app).get('/api/v2/healthcheck').expect(200);
  });

  it('should answer 503 while shutting down', async () => {
    const { app } = createTestApp(
      {},
      {
        readiness: () => ({
          ready: false,
          checks: { starting: 'shutting down', store: null, upstream: null },
        }),
      },
    );
    const res = await request(app).get('/api/v2/healthcheck').expect(503);
    expect(res.body.error).toBe('ServiceUnavailableError');
  });
});

describe('POST /api/v2/reset', () => {
  it('should be refused unless KBGATE_ALLOW_RESET is true', async () => {
    const { app } = createTestApp();
    const res = await request(app).post('/api/v2/reset').expect(403);
    expect(res.body.error).toBe('AuthorizationError');
  });

  it('should delete every collection when allowed', async () => {
    const { app } = createTestApp({ KBGATE_ALLOW_RESET: 'true' });
    await request(app).post(`${DEFAULT_SCOPE}/collections`).send({ name: 'gone' }).expect(200);
    await request(app).post('/api/v2/reset').expect(200);
    const res = await request(app).get(`${DEFAULT_SCOPE}/collections_count`).expect(200);
    expect(res.body).toBe(0);
  });
});
