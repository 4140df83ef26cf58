import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { makeTempDir } from '../helpers/clients.js';
import { startFakeEmbeddingServer, type FakeEmbeddingServer } from '../helpers/fake-embedding-server.js';
import { runKbgate } from '../helpers/run-kbgate.js';

let data: ReturnType<typeof makeTempDir>;
let embeddings: FakeEmbeddingServer;

beforeEach(async () => {
  data = makeTempDir('kbgate-collections-');
  embeddings = await startFakeEmbeddingServer();
  const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
  const docs = await client.createCollection({ name: 'docs', configuration: { hnsw: { space: 'cosine' } } });
  await docs.add({
    ids: Array.from({ length: 300 }, (_, i) => `doc-${i}`),
    documents: Array.from({ length: 300 }, (_, i) => `passage number ${i}`),
    metadatas: Array.from({ length: 300 }, (_, i) => ({ source: `file-${i % 7}.md`, n: i })),
  });
  await client.createCollection({ name: 'empty-one' });
  client.close();
});

afterEach(async () => {
  await embeddings.close();
  data.dispose();
});

const env = () => ({ KBGATE_DATA_DIR: data.path, KBGATE_EMBEDDING_URL: embeddings.baseUrl });

describe('kbgate collections', () => {
  it('should list collections with record counts and embedding, and describe one', async () => {
    const list = await runKbgate(['collections', 'list'], env());
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+RECORDS\s+EMBEDDING\s+DIMENSION\n/);
    expect(list.stdout).toMatch(/^docs\s+300\s+none\s+-$/m);
    expect(list.stdout).toMatch(/^empty-one\s+0\s+none\s+-$/m);
    const info = await runKbgate(['collections', 'info', 'docs'], env());
    expect(info.stdout).toMatch(/records:\s+300 \(from 7 ingested source files\)/);
    expect(info.stdout).toMatch(/space:\s+cosine/);
    const missing = await runKbgate(['collections', 'info', 'nope'], env());
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('kbgate: Collection "nope" does not exist');
  });

  it('should delete an empty collection, and one with records only with --yes', async () => {
    expect((await runKbgate(['collections', 'delete', 'empty-one'], env())).status).toBe(0);
    const refused = await runKbgate(['collections', 'delete', 'docs'], env());
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/holds 300 records; add --yes/);
    const deleted = await runKbgate(['collections', 'delete', 'docs', '--yes'], env());
    expect(deleted.stdout).toMatch(/deleted collection "docs" \(300 records\)/);
    expect((await runKbgate(['collections', 'list'], env())).stdout).toMatch(/^no collections in /);
  });

  it('should rebind a collection, re-embedding every record with progress, keeping data and configuration', async () => {
    const run = await runKbgate(['collections', 'rebind', 'docs', '--embedding', 'openai:fake-model'], env());
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^rebind: 0\/300 records$/m);
    expect(run.stderr).toMatch(/^rebind: 300\/300 records$/m);
    expect(run.stdout).toMatch(/300 records re-embedded, "none" -> "openai:fake-model"/);
    const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
    try {
      const model = client.engine.getCollection(client.tenant, client.database, 'docs');
      expect(model).toMatchObject({
        embedding: 'openai:fake-model',
        dimension: 4,
        hnsw: { space: 'cosine' },
      });
      const docs = await client.getCollection({ name: 'docs' });
      const got = await docs.get({ ids: ['doc-42'], include: ['documents', 'metadatas', 'embeddings'] });
      expect(got.documents).toEqual(['passage number 42']);
      expect(got.metadatas).toEqual([{ source: 'file-0.md', n: 42 }]);
      expect(got.embeddings?.[0]).toHaveLength(4);
      expect((await client.listCollections()).map((c) => c.name).sort()).toEqual(['docs', 'empty-one']);
    } finally {
      client.close();
    }
  });

  it('should leave the collection as it was when the new embedding fails', async () => {
    await embeddings.close();
    const run = await runKbgate(['collections', 'rebind', 'docs', '--embedding', 'openai:fake-model'], env());
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/rebind stopped, collection "docs" is unchanged/);
    const list = await runKbgate(['collections', 'list'], env());
    expect(list.stdout).toMatch(/^docs\s+300\s+none/m);
    expect(list.stdout).not.toMatch(/rebind/);
    embeddings = await startFakeEmbeddingServer();
  });
});
