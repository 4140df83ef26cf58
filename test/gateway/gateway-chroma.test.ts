/**
 * Gateway mode against the real Chroma 1.x server: several kbgate replicas over one Chroma, ingest through one and
 * search and chat through another, a replica killed under load, Chroma killed and restarted under the replicas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChromaClient, registerEmbeddingFunction } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startChroma, type ChromaServer } from '../helpers/chroma-server.js';
import { makeTempDir } from '../helpers/clients.js';
import { startFakeFastChat, FAKE_MODEL, type FakeFastChat } from '../helpers/fake-fastchat.js';
import { startReplica, type KbgateReplica } from '../helpers/kbgate-replica.js';
import { runKbgate } from '../helpers/run-kbgate.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const work = makeTempDir('kbgate-gateway-');
const started = await startChroma(join(work.path, 'chroma'));
const chroma: ChromaServer | null = 'skip' in started ? null : started;
const skipReason = 'skip' in started ? started.skip : '';
if (chroma === null) console.warn(`gateway tests skipped: ${skipReason}`);

const COLLECTION = 'handbook';
const FILES: Record<string, string> = {
  'backup.md':
    '# Backups\n\n## Restore\n\nTo restore a backup, stop the server and run the restore command.\n',
  'install.md': '# Installation\n\nInstall the package with npm and start the service with systemd.\n',
  'network.md': '# Networking\n\nThe firewall must allow port 8000 from the load balancer.\n',
};

describe.skipIf(chroma === null)(
  `gateway mode over a real Chroma server${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    const docs = join(work.path, 'docs');
    const models = join(work.path, 'models');
    let env: Record<string, string>;
    let fastchat: FakeFastChat;
    let a: KbgateReplica;
    let b: KbgateReplica;

    beforeAll(async () => {
      mkdirSync(docs, { recursive: true });
      for (const [name, text] of Object.entries(FILES)) writeFileSync(join(docs, name), text);
      writeTinyModel(models, 'Xenova/all-MiniLM-L6-v2');
      fastchat = await startFakeFastChat();
      env = {
        KBGATE_CHROMA_URL: chroma!.url,
        KBGATE_COLLECTION: COLLECTION,
        KBGATE_MODEL_DIR: models,
        KBGATE_OFFLINE: '1',
        KBGATE_UPSTREAM_URL: fastchat.baseUrl,
        KBGATE_DATA_DIR: join(work.path, 'unused-data-dir'),
      };
      [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
    }, 180_000);

    afterAll(async () => {
      await Promise.all([a?.kill(), b?.kill()]);
      await chroma?.kill();
      await fastchat?.close();
      work.dispose();
    });

    it('should ingest a folder into Chroma, incrementally, and record the binding where Chroma clients read it', async () => {
      const first = await runKbgate(['ingest', docs], env);
      expect(first.stderr).toBe('');
      expect(first.stdout).toContain(`${COLLECTION}: 3 added, 0 updated, 0 unchanged`);
      // Another run (any machine, any replica) finds the file hashes in the records and skips every file.
      const again = await runKbgate(['ingest', docs], env);
      expect(again.stdout).toContain(`${COLLECTION}: 0 added, 0 updated, 3 unchanged`);
      const listed = await runKbgate(['collections', 'list'], env);
      expect(listed.stdout).toMatch(new RegExp(`^${COLLECTION}\\s+3\\s+default\\s+l2$`, 'm'));
      const refused = await runKbgate(['collections', 'delete', COLLECTION], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('holds 3 records');
      const doctor = await runKbgate(['doctor'], env);
      expect(doctor.stdout).toContain(`ok    Chroma (KBGATE_CHROMA_URL): ${chroma!.url} answers`);
      expect(doctor.stdout).toContain(`ok    collection "${COLLECTION}" (KBGATE_COLLECTION): 3 records`);
      // Chroma's own client resolves the recorded function to its `default` one (all-MiniLM-L6-v2, as kbgate's).
      class ChromaDefault {
        readonly name = 'default';
        static buildFromConfig(): ChromaDefault {
          return new ChromaDefault();
        }
        async generate(texts: string[]): Promise<number[][]> {
          return texts.map(() => []);
        }
      }
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined); // "install default-embed"
      try {
        registerEmbeddingFunction('default-embed', ChromaDefault);
        const client = new ChromaClient({ host: '127.0.0.1', port: chroma!.port });
        const collection = await client.getCollection({ name: COLLECTION });
        expect(collection.embeddingFunction).toBeInstanceOf(ChromaDefault);
        expect(await collection.count()).toBe(3);
      } finally {
        warn.mockRestore();
      }
      const raw = (await (
        await fetch(
          `${chroma!.url}/api/v2/tenants/default_tenant/databases/default_database/collections/${COLLECTION}`,
        )
      ).json()) as { configuration_json: { embedding_function: unknown }; metadata: Record<string, unknown> };
      expect(raw.configuration_json.embedding_function).toEqual({
        type: 'known',
        name: 'default',
        config: {},
      });
      expect(raw.metadata['kbgate:embedding']).toBe('default');
      expect(JSON.parse(raw.metadata['kbgate:last_ingest'] as string)).toMatchObject({
        files: 3,
        unchanged: 3,
      });
    }, 120_000);

    it('should search through another replica with the shapes of embedded mode', async () => {
      const res = await fetch(`${b.url}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'How do I restore a backup?', top_k: 3 }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: Record<string, unknown>[]; modes: string[] };
      expect(body.modes).toEqual(['vector', 'lexical']);
      const top = body.results[0]!;
      expect(Object.keys(top).sort()).toEqual(['id', 'relevance', 'scores', 'source', 'text']);
      expect(top.source).toMatchObject({
        path: 'backup.md',
        title: 'Backups',
        heading: 'Restore',
        anchor: 'restore',
      });
      expect(top.relevance).toBe(1);
      expect((top.scores as { lexical: number }).lexical).toBeGreaterThan(0);
      const overview = (await (await fetch(`${b.url}/console/api/overview`)).json()) as {
        collections: {
          name: string;
          records: number;
          embedding: string;
          lastIngest: { files: number } | null;
        }[];
      };
      expect(overview.collections.find((c) => c.name === COLLECTION)).toMatchObject({
        records: 3,
        embedding: 'default',
        lastIngest: { files: 3 },
      });
      const lexical = await fetch(`${b.url}/search?query=firewall&mode=lexical`);
      const hits = ((await lexical.json()) as { results: { source: { path: string } }[] }).results;
      expect(hits.map((h) => h.source.path)).toEqual(['network.md']);
    });

    it('should ground a chat in passages from Chroma through the retrieval proxy', async () => {
      const res = await askRestore(b.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-kbgate-retrieval')).toBe('added');
      expect(res.headers.get('x-kbgate-sources')).toContain('backup.md');
      const forwarded = fastchat.requests.filter((r) => r.url.endsWith('/chat/completions')).at(-1);
      expect(JSON.stringify(forwarded?.body)).toContain('stop the server and run the restore command');
    });

    it('should switch its own Chroma API off with a 404 that names the Chroma server', async () => {
      const res = await fetch(
        `${a.url}/api/v2/tenants/default_tenant/databases/default_database/collections`,
      );
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toContain(chroma!.url);
    });

    it('should keep answering on one replica while another is killed mid-load', async () => {
      const search = (url: string) =>
        fetch(`${url}/search?query=install%20package`).then(
          (r) => r.status,
          () => 'refused' as const,
        );
      const load = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? search(b.url) : search(a.url)));
      await a.kill();
      const after = await Promise.all([...load, ...Array.from({ length: 10 }, () => search(b.url))]);
      const fromB = after.filter((_, i) => i % 2 === 0 || i >= 40);
      expect(fromB.every((status) => status === 200)).toBe(true);
      a = await startReplica(env); // a replacement, as an orchestrator would start
      expect(await search(a.url)).toBe(200);
    }, 120_000);

    it('should report not ready and answer 503s while Chroma is down, and recover when it returns', async () => {
      await chroma!.kill();
      await waitFor(async () => (await fetch(`${b.url}/api/v2/healthcheck`)).status === 503);
      const health = await fetch(`${b.url}/api/v2/healthcheck`);
      const reason = ((await health.json()) as { message: string }).message;
      expect(reason).toContain('Chroma at KBGATE_CHROMA_URL is unreachable');
      expect(reason).not.toContain(chroma!.url); // the healthcheck is public: no internal address
      const search = await fetch(`${b.url}/search?query=restore`);
      expect(search.status).toBe(503);
      expect(await search.json()).toMatchObject({ error: 'ServiceUnavailableError' });
      const chat = await askRestore(b.url);
      expect(chat.status).toBe(200);
      expect(chat.headers.get('x-kbgate-retrieval')).toBe('failed');
      const ingest = await runKbgate(['ingest', docs], env);
      expect(ingest.status).toBe(2);
      expect(ingest.stderr).toContain('unreachable');
      expect((await fetch(`${b.url}/api/v2/heartbeat`)).status).toBe(200); // alive: liveness is not readiness

      await chroma!.restart();
      await waitFor(async () => (await fetch(`${b.url}/api/v2/healthcheck`)).status === 200);
      const back = await fetch(`${b.url}/search?query=restore%20backup&top_k=1`);
      expect(back.status).toBe(200);
      const hits = ((await back.json()) as { results: { source: { path: string } }[] }).results;
      expect(hits[0]?.source.path).toBe('backup.md');
      expect(b.child.exitCode).toBeNull();
    }, 120_000);
  },
);

/** Asks the retrieval proxy at `url` how to restore a backup (the question the test's documents answer). */
function askRestore(url: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: FAKE_MODEL,
      messages: [{ role: 'user', content: 'How do I restore a backup?' }],
    }),
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
