import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { environmentOf, parseCompose, parseEnvFile, portsOf, readRepoFile } from './compose-file.js';

const compose = parseCompose(readRepoFile('docker-compose.yml'), parseEnvFile(readRepoFile('.env.example')));
const kbgateEnv = environmentOf(compose.services.kbgate!);
const nextchatPort = portsOf(compose.services.nextchat!).find((p) => p.containerPort === 3000)!.hostPort;
const NEXTCHAT_ORIGIN = `http://localhost:${nextchatPort}`;
const [plugin] = JSON.parse(readRepoFile('nextchat/plugins.json')) as { schema: string }[];

/** kbgate configured exactly as docker-compose.yml configures it, but in memory and without a local model. */
function createComposedKbgate() {
  const config = loadConfig({ ...kbgateEnv, KBGATE_DATA_DIR: ':memory:', KBGATE_EMBEDDING: 'none' });
  const { engine } = openEngine({ defaultEmbedding: 'none' });
  return { app: createApp({ engine, config }), engine, config };
}

describe('the kbgate plugin as NextChat loads it from the compose set-up', () => {
  const kbgate = createComposedKbgate();
  afterAll(() => kbgate.engine.close());

  it("should let NextChat's page fetch the plugin document cross-origin, without credentials", async () => {
    // NextChat's page fetches plugins.json's schema URL from the browser, sending no Authorization header.
    const res = await request(kbgate.app)
      .get(new URL(plugin!.schema).pathname)
      .set('Origin', NEXTCHAT_ORIGIN);

    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(NEXTCHAT_ORIGIN);
  });

  it("should send NextChat's server to kbgate's service URL for the tool calls", async () => {
    const res = await request(kbgate.app)
      .get(new URL(plugin!.schema).pathname)
      .set('Origin', NEXTCHAT_ORIGIN);
    const document = parse(res.text) as { servers?: { url: string }[] };

    expect(document.servers?.[0]?.url).toBe(kbgate.config.publicUrl);
    expect(new URL(kbgate.config.publicUrl).hostname).toBe('kbgate');
  });
});
