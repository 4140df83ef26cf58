import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, DEFAULT_SCOPE } from './test-app.js';

const TOKEN = 'secret-token-123';

describe('token authentication', () => {
  const { app } = createTestApp({ KBGATE_AUTH_TOKEN: TOKEN });

  it('should answer 401 with AuthError without credentials', async () => {
    const res = await request(app).get(`${DEFAULT_SCOPE}/collections`).expect(401);
    expect(res.body).toEqual({ error: 'AuthError', message: expect.any(String) });
  });

  it('should answer 401 for a wrong token of any length', async () => {
    for (const token of ['x', `${TOKEN}x`, TOKEN.toUpperCase()]) {
      await request(app)
        .get(`${DEFAULT_SCOPE}/collections`)
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
    }
  });

  it('should accept Authorization: Bearer and X-Chroma-Token', async () => {
    await request(app)
      .get(`${DEFAULT_SCOPE}/collections`)
      .set('Authorization', `Bearer ${TOKEN}`)
      .expect(200);
    await request(app).get(`${DEFAULT_SCOPE}/collections`).set('X-Chroma-Token', TOKEN).expect(200);
  });

  it('should leave heartbeat, version and healthcheck open', async () => {
    for (const path of ['/api/v2/heartbeat', '/api/v1/heartbeat', '/api/v2/version', '/api/v2/healthcheck']) {
      await request(app).get(path).expect(200);
    }
  });

  it('should protect pre-flight checks and identity', async () => {
    await request(app).get('/api/v2/pre-flight-checks').expect(401);
    await request(app).get('/api/v2/auth/identity').expect(401);
  });

  it('should reject before reading a large body', async () => {
    const res = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'x'.repeat(1_000_000) })
      .expect(401);
    expect(res.body.error).toBe('AuthError');
  });
});

describe('basic authentication from an htpasswd file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kbgate-auth-'));
  const file = join(dir, 'htpasswd');
  writeFileSync(file, `# users\nalice:${bcrypt.hashSync('wonderland', 4)}\n`);
  const { app } = createTestApp({ KBGATE_HTPASSWD_FILE: file });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should accept a valid user and password, twice', async () => {
    for (let i = 0; i < 2; i++) {
      await request(app).get(`${DEFAULT_SCOPE}/collections`).auth('alice', 'wonderland').expect(200);
    }
  });

  it('should answer 401 with a Basic challenge for a wrong password or user', async () => {
    const res = await request(app).get(`${DEFAULT_SCOPE}/collections`).auth('alice', 'nope').expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    await request(app).get(`${DEFAULT_SCOPE}/collections`).auth('bob', 'wonderland').expect(401);
  });

  it('should refuse to start with a non-bcrypt entry', () => {
    const bad = join(dir, 'md5');
    writeFileSync(bad, 'carol:$apr1$abc$def\n');
    expect(() => createTestApp({ KBGATE_HTPASSWD_FILE: bad })).toThrow(/bcrypt/);
  });
});

describe('CORS', () => {
  const { app } = createTestApp({ KBGATE_CORS_ORIGINS: 'http://localhost:3000, https://chat.example.com' });

  it('should allow a listed origin', async () => {
    const res = await request(app)
      .get('/api/v2/heartbeat')
      .set('Origin', 'http://localhost:3000')
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
  });

  it('should send no allow-origin header to an unlisted origin', async () => {
    const res = await request(app)
      .get('/api/v2/heartbeat')
      .set('Origin', 'http://evil.example.com')
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('should answer a preflight for a listed origin without credentials, even with auth enabled', async () => {
    const { app: locked } = createTestApp({
      KBGATE_CORS_ORIGINS: 'http://localhost:3000',
      KBGATE_AUTH_TOKEN: TOKEN,
    });
    const res = await request(locked)
      .options(`${DEFAULT_SCOPE}/collections`)
      .set('Origin', 'http://localhost:3000')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-chroma-token')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-allow-headers']).toMatch(/x-chroma-token/);
  });

  it('should not allow a refused origin in a preflight', async () => {
    const res = await request(app)
      .options(`${DEFAULT_SCOPE}/collections`)
      .set('Origin', 'http://localhost:3001')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('body limit', () => {
  const { app, config } = createTestApp({ KBGATE_MAX_BATCH_SIZE: '2' });

  it('should derive the limit from the batch size', () => {
    expect(config.maxBodyBytes).toBe(2 * 32 * 1024);
  });

  it('should answer 413 for a larger body', async () => {
    const res = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'big', metadata: { pad: 'x'.repeat(100_000) } })
      .expect(413);
    expect(res.body.error).toBe('PayloadTooLargeError');
  });
});

describe('response headers', () => {
  const { app } = createTestApp();

  it('should set helmet security headers', async () => {
    const res = await request(app).get('/api/v2/heartbeat').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('should echo a well-formed X-Request-Id and generate one otherwise', async () => {
    const echoed = await request(app).get('/api/v2/heartbeat').set('X-Request-Id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const generated = await request(app)
      .get('/api/v2/heartbeat')
      .set('X-Request-Id', 'bad id with spaces and ;')
      .expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
