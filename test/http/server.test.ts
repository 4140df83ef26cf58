import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { INDEX_DIR } from '../../src/engine-factory.js';
import { silentLogger } from '../../src/http/logging.js';
import { startServer } from '../../src/server.js';
import { makeTempDir } from '../helpers/clients.js';

const SCOPE = '/api/v2/tenants/default_tenant/databases/default_database';

describe('startServer', () => {
  it('should save changed vector indexes once no request has come for a while', async () => {
    const dir = makeTempDir();
    const config = loadConfig({ KBGATE_DATA_DIR: dir.path, KBGATE_PORT: '0', KBGATE_EMBEDDING: 'none' });
    const running = await startServer(config, silentLogger(), { indexSaveIdleMs: 100 });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${running.url}${SCOPE}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = (await (await post('/collections', { name: 'saved' })).json()) as { id: string };
      const added = await post(`/collections/${created.id}/add`, { ids: ['a'], embeddings: [[1, 2, 3]] });
      expect(added.status).toBe(201);
      const queried = await post(`/collections/${created.id}/query`, { query_embeddings: [[1, 2, 3]] });
      expect(queried.status).toBe(200);
      const indexDir = join(dir.path, INDEX_DIR);
      const deadline = Date.now() + 5_000;
      while (!readdirSync(indexDir).some((f) => f.endsWith('.hnsw')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(readdirSync(indexDir).filter((f) => f.endsWith('.hnsw'))).toHaveLength(1);
    } finally {
      await running.shutdown();
      dir.dispose();
    }
  });
});
