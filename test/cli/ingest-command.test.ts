import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PersistentClient } from '../../src/client.js';
import { makeTempDir } from '../helpers/clients.js';
import { runKbgate } from '../helpers/run-kbgate.js';

let docs: ReturnType<typeof makeTempDir>;
let data: ReturnType<typeof makeTempDir>;
let models: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  docs = makeTempDir('kbgate-docs-');
  data = makeTempDir('kbgate-data-');
  models = makeTempDir('kbgate-models-');
  for (let i = 0; i < 5; i++) writeFileSync(join(docs.path, `page-${i}.md`), `# Page ${i}\n\nText ${i}.\n`);
});

afterEach(() => {
  docs.dispose();
  data.dispose();
  models.dispose();
});

/** The local model cannot be had: KBGATE_OFFLINE with an empty model directory, as on a machine without network. */
const NO_MODEL = () => ({ KBGATE_DATA_DIR: data.path, KBGATE_OFFLINE: '1', KBGATE_MODEL_DIR: models.path });

/** A port nothing listens on: one the system just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function collectionNames(): Promise<string[]> {
  const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
  try {
    return (await client.listCollections()).map((c) => c.name);
  } finally {
    client.close();
  }
}

describe('kbgate ingest when the embedding cannot run', () => {
  it('should stop at the first file with one message naming every way out, and create no collection', async () => {
    const run = await runKbgate(['ingest', docs.path], NO_MODEL());
    expect(run.status).toBe(2);
    expect(run.stderr.match(/^ingest: stopped at /gm)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/^failed /m);
    for (const way of [
      'npm run model:download',
      'KBGATE_MODEL_DIR',
      'KBGATE_EMBEDDING=none',
      'KBGATE_EMBEDDING_URL',
    ])
      expect(run.stderr).toContain(way);
    expect(run.stderr).toMatch(/Nothing was stored; the collection "docs" was not created/);
    expect(await collectionNames()).toEqual([]);
  });

  it('should then ingest lexically with KBGATE_EMBEDDING=none, without any other command', async () => {
    await runKbgate(['ingest', docs.path], NO_MODEL());
    const run = await runKbgate(['ingest', docs.path], { ...NO_MODEL(), KBGATE_EMBEDDING: 'none' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^docs: 5 added/);
  });

  it('should point at rebind when an existing collection keeps a binding that cannot run', async () => {
    const client = new PersistentClient({ path: data.path, defaultEmbedding: 'none' });
    await client.createCollection({ name: 'docs', embedding: 'default' });
    client.close();
    const run = await runKbgate(['ingest', docs.path], { ...NO_MODEL(), KBGATE_EMBEDDING: 'none' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/keeps its binding.*`.*collections rebind docs --embedding none`/);
    const rebound = await runKbgate(['collections', 'rebind', 'docs', '--embedding', 'none'], NO_MODEL());
    expect(rebound.status).toBe(0);
    const again = await runKbgate(['ingest', docs.path], { ...NO_MODEL(), KBGATE_EMBEDDING: 'none' });
    expect(again.stdout).toMatch(/^docs: 5 added/);
  });
});

describe('kbgate ingest collection and folders', () => {
  it('should write the collection named by KBGATE_COLLECTION', async () => {
    const run = await runKbgate(['ingest', docs.path], {
      KBGATE_DATA_DIR: data.path,
      KBGATE_EMBEDDING: 'none',
      KBGATE_COLLECTION: 'handbook',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^handbook: 5 added/);
    expect(await collectionNames()).toEqual(['handbook']);
  });

  it('should name a missing folder, a file and a folder without documents, and exit non-zero for each', async () => {
    const env = { KBGATE_DATA_DIR: data.path, KBGATE_EMBEDDING: 'none' };
    const empty = join(docs.path, 'empty');
    const text = join(docs.path, 'text');
    mkdirSync(empty);
    mkdirSync(text);
    writeFileSync(join(text, 'notes.rtf'), 'not a format ingest reads');
    const missing = await runKbgate(['ingest', 'no-such-folder'], env, docs.path);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(
      /^ingest: folder no-such-folder does not exist \(looked for .*no-such-folder\)$/m,
    );
    expect(missing.stderr).not.toMatch(/ENOENT|realpath|\n\s+at /);
    const file = await runKbgate(['ingest', join(docs.path, 'page-0.md')], env);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/page-0\.md is a file, not a folder/);
    const none = await runKbgate(['ingest', empty], env);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(
      /no files match --glob "\*\*\/\*\.\{md,markdown,mdx,txt,text,html,htm,xhtml,docx,pdf\}"/,
    );
    expect(none.stderr).toMatch(/the folder is empty/);
    const other = await runKbgate(['ingest', text], env);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/1 other file, e\.g\. notes\.rtf/);
    expect(await collectionNames()).toEqual([]);
  });

  it('should say in one line that an unreachable --url cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runKbgate(['ingest', docs.path, '--url', url], { KBGATE_EMBEDDING: 'none' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      `ingest: cannot reach a server at ${url} (ECONNREFUSED): is kbgate running there? Check --url`,
    );
  });
});
