import SwaggerParser from '@apidevtools/swagger-parser';
import yaml from 'js-yaml';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPluginApp, type PluginApp } from './plugin-app.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let open: PluginApp;
let secured: PluginApp;
let document: Json;

beforeAll(async () => {
  open = await createPluginApp();
  secured = await createPluginApp({ KBGATE_AUTH_TOKEN: 'tok' });
  document = (await request(open.app).get('/openapi.json')).body as Json;
});

function operations(doc: Json): Json[] {
  const paths = doc.paths as Record<string, Json>;
  return Object.values(paths).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m] as Json));
}

function collect(value: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => collect(v, key, found));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) found.push(v);
      collect(v, key, found);
    }
  }
  return found;
}

describe('GET /openapi.yaml and /openapi.json', () => {
  it('should serve the same document as YAML and JSON', async () => {
    const res = await request(open.app).get('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    expect(yaml.load(res.text)).toEqual(document);
  });

  it('should validate with swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('should name KBGATE_PUBLIC_URL without its trailing slash as the first server', () => {
    expect((document.servers as { url: string }[])[0]?.url).toBe('http://kbgate.test:8000');
  });

  it('should give every operation a unique operationId NextChat accepts', () => {
    const ids = operations(document).map((op) => op.operationId as string);
    expect(ids).toEqual(['searchKnowledgeBase']);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });

  it('should keep every description and summary to 200 characters or fewer', () => {
    const texts = [...collect(document.paths, 'description'), ...collect(document.paths, 'summary')];
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect((text as string).length).toBeLessThanOrEqual(200);
  });

  it('should describe one search operation for models, with typed body properties and no parameters', () => {
    expect(Object.keys(document.paths as Json)).toEqual(['/search']);
    expect(Object.keys((document.paths as Record<string, Json>)['/search']!)).toEqual(['post']);
    const parameters = operations(document).flatMap((op) => (op.parameters as Json[] | undefined) ?? []);
    expect(parameters).toEqual([]);
    const schemas = (document.components as Json).schemas as Record<string, Json>;
    const properties = schemas.SearchRequest?.properties as Record<string, Json>;
    for (const property of Object.values(properties)) expect(typeof property.type).toBe('string');
  });

  it('should only use internal $refs that resolve', async () => {
    const refs = collect(document, '$ref') as string[];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref.startsWith('#/')).toBe(true);
    await expect(SwaggerParser.dereference(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('should declare bearer security only when a token is configured', async () => {
    const spec = (await request(secured.app).get('/openapi.json')).body as Json;
    expect(document.security).toBeUndefined();
    expect(spec.security).toEqual([{ kbgateAuth: [] }]);
    expect((spec.components as Json).securitySchemes).toEqual({
      kbgateAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });
});

describe('public plugin files with KBGATE_AUTH_TOKEN set', () => {
  it.each(['/.well-known/ai-plugin.json', '/openapi.yaml', '/openapi.json', '/logo.png', '/docs/'])(
    'should serve %s without credentials',
    async (path) => {
      const res = await request(secured.app).get(path);
      expect(res.status).toBe(200);
    },
  );

  it('should serve Swagger UI at /docs', async () => {
    const res = await request(secured.app).get('/docs/');
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger-ui');
  });
});

describe('CORS on the plugin files', () => {
  it('should allow the origins in KBGATE_CORS_ORIGINS and no others', async () => {
    const app = (await createPluginApp({ KBGATE_CORS_ORIGINS: 'http://localhost:3000' })).app;
    for (const path of ['/.well-known/ai-plugin.json', '/openapi.yaml', '/logo.png']) {
      const allowed = await request(app).get(path).set('Origin', 'http://localhost:3000');
      const refused = await request(app).get(path).set('Origin', 'http://evil.test');
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});
