import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { makeTempDir } from '../helpers/clients.js';
import { runKbgate } from '../helpers/run-kbgate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const QUICK_START = README.slice(README.indexOf('## Quick start'), README.indexOf('## The `kbgate` command'));

/** The quick start's `npm run ingest -- <args>` lines as argument lists, with the variables set before them. */
function ingestLines(): { env: Record<string, string>; args: string[] }[] {
  return [...QUICK_START.matchAll(/^((?:[A-Z_]+=\S+ )*)npm run ingest -- (.+)$/gm)].map((m) => ({
    env: Object.fromEntries(
      (m[1] ?? '')
        .trim()
        .split(' ')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    ),
    args: [...(m[2] as string).matchAll(/'([^']*)'|(\S+)/g)].map((a) => a[1] ?? (a[2] as string)),
  }));
}

describe('README quick start on a machine that cannot download the embedding model', () => {
  it('should end with a lexical knowledge base that search finds passages in', async () => {
    const data = makeTempDir('kbgate-quick-start-');
    const models = makeTempDir('kbgate-models-');
    const noModel = { KBGATE_DATA_DIR: data.path, KBGATE_OFFLINE: '1', KBGATE_MODEL_DIR: models.path };
    try {
      const [first, lexical] = ingestLines();
      const failed = await runKbgate(['ingest', ...first!.args], { ...noModel, ...first!.env }, ROOT);
      expect(failed.status).toBe(2);
      expect(failed.stderr).toContain('KBGATE_EMBEDDING=none');
      const run = await runKbgate(['ingest', ...lexical!.args], { ...noModel, ...lexical!.env }, ROOT);
      expect(run.stdout).toMatch(/^docs: [1-9]\d* added/);
      expect(run.status).toBe(0);
      const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
      try {
        const docs = await client.getCollection({ name: 'docs' });
        const hits = await client.engine.lexicalQuery(docs.id, { queryText: 'ingest Markdown', nResults: 3 });
        expect(hits.ids.length).toBeGreaterThan(0);
      } finally {
        client.close();
      }
    } finally {
      data.dispose();
      models.dispose();
    }
  });
});
