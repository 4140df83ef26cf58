import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createPluginApp } from '../plugin/plugin-app.js';

describe('Content-Security-Policy', () => {
  it('should not ask browsers to upgrade requests on pages served over plain HTTP', async () => {
    const { app } = await createPluginApp({ KBGATE_PUBLIC_URL: 'http://kbgate:8000' });
    const res = await request(app).get('/docs/').set('X-Forwarded-Proto', 'https');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
  });

  it('should ask for upgrades when a TLS proxy in front of an https KBGATE_PUBLIC_URL says the page came over HTTPS', async () => {
    const { app } = await createPluginApp({ KBGATE_PUBLIC_URL: 'https://kb.example.com' });
    const secure = await request(app).get('/docs/').set('X-Forwarded-Proto', 'https');
    expect(secure.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    const plain = await request(app).get('/docs/');
    expect(plain.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
  });

  it('should describe a server relative to the page in the /docs document, and KBGATE_PUBLIC_URL in /openapi.json', async () => {
    const { app } = await createPluginApp({ KBGATE_PUBLIC_URL: 'http://kbgate:8000' });
    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.text).toMatch(/"servers":\s*\[\s*\{\s*"url":\s*"\.\."/);
    const spec = await request(app).get('/openapi.json');
    expect(spec.body.servers).toEqual([{ url: 'http://kbgate:8000' }]);
  });
});
