import { inflateSync } from 'node:zlib';
import { AIPluginTool } from '@langchain/community/tools/aiplugin';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPluginApp } from './plugin-app.js';
import { listenPluginApp, type ListeningPluginApp } from './listen-plugin-app.js';

interface Manifest {
  schema_version: string;
  name_for_human: string;
  name_for_model: string;
  description_for_human: string;
  description_for_model: string;
  auth: { type: string; authorization_type?: string };
  api: { type: string; url: string };
  logo_url: string;
  contact_email: string;
  legal_info_url: string;
}

async function manifestOf(env: Record<string, string>): Promise<Manifest> {
  const { app } = await createPluginApp(env);
  return (await request(app).get('/.well-known/ai-plugin.json').expect(200)).body as Manifest;
}

describe('GET /.well-known/ai-plugin.json', () => {
  it('should follow the manifest rules', async () => {
    const m = await manifestOf({ KBGATE_CONTACT_EMAIL: 'kb@company.test' });
    expect(m.schema_version).toBe('v1');
    expect(m.name_for_model).toMatch(/^[A-Za-z0-9]{1,50}$/);
    expect(m.name_for_human.length).toBeLessThanOrEqual(20);
    expect(m.description_for_human.length).toBeLessThanOrEqual(100);
    expect(m.description_for_model.length).toBeLessThanOrEqual(8_000);
    expect(m.description_for_model).toContain('searchKnowledgeBase');
    expect(m.auth).toEqual({ type: 'none' });
    expect(m.api).toEqual({ type: 'openapi', url: 'http://kbgate.test:8000/openapi.yaml' });
    expect(m.logo_url).toBe('http://kbgate.test:8000/logo.png');
    expect(m.contact_email).toBe('kb@company.test');
    expect(m.legal_info_url).toBe('http://kbgate.test:8000/docs');
  });

  it('should ask for a bearer token when KBGATE_AUTH_TOKEN is set', async () => {
    const m = await manifestOf({ KBGATE_AUTH_TOKEN: 'tok' });
    expect(m.auth).toEqual({ type: 'user_http', authorization_type: 'bearer' });
  });
});

describe('GET /logo.png', () => {
  it('should be a valid 512x512 RGBA PNG', async () => {
    const { app } = await createPluginApp();
    const res = await request(app).get('/logo.png').buffer(true).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = res.body as Buffer;
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('ascii', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([512, 512, 8, 6]);
    const idat: Buffer[] = [];
    for (let at = 8; at < png.length;) {
      const length = png.readUInt32BE(at);
      if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
      at += length + 12;
    }
    expect(inflateSync(Buffer.concat(idat)).length).toBe(512 * (512 * 4 + 1));
  });
});

describe("LangChain's AIPluginTool", () => {
  let kbgate: ListeningPluginApp;

  beforeAll(async () => {
    kbgate = await listenPluginApp();
  });

  afterAll(async () => {
    await kbgate.close();
  });

  it('should load the manifest and the spec it points to', async () => {
    const tool = await AIPluginTool.fromPluginUrl(`${kbgate.baseUrl}/.well-known/ai-plugin.json`);
    // @langchain/core 1.x declares `name` as an own field of Tool, which shadows AIPluginTool's `name` getter
    // (it reads undefined); the value from name_for_model is kept in `_name`.
    expect((tool as unknown as { _name: string })._name).toBe('kbgate');
    expect(tool.description).toContain('What is the Knowledge Base API useful for?');
    expect(tool.description).toContain('Search your private knowledge base');
    const guide = (await tool.invoke('')) as string;
    expect(guide).toContain("Search the user's private knowledge base");
    expect(guide).toContain('operationId: searchKnowledgeBase');
    expect(guide).toContain(`url: ${kbgate.baseUrl}`);
  });
});
