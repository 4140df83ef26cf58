import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EphemeralClient, PersistentClient, type Collection } from '../src/client.js';
import type { GetResult } from '../src/engine/types.js';
import { runIngestCli } from '../src/ingest/cli.js';
import { syncFolders, SyncStoppedError, type SyncTarget } from '../src/ingest/sync.js';

let base: string;
let kb: string;
let client: EphemeralClient;
let collection: Collection;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-ingest-'));
  kb = path.join(base, 'kb');
  await mkdir(kb);
  client = new EphemeralClient({ defaultEmbedding: 'none' });
  collection = await client.createCollection({ name: 'docs' });
});

afterEach(async () => {
  client.close();
  await rm(base, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<void> {
  const file = path.join(kb, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function snapshot(target: Collection = collection): Promise<Record<string, unknown>> {
  const all: GetResult = await target.get({ include: ['documents', 'metadatas'] });
  return Object.fromEntries(
    all.ids.map((id, i) => [id, { document: all.documents?.[i], metadata: all.metadatas?.[i] }]),
  );
}

const GUIDE = [
  '---',
  'title: Install guide',
  'tags: [setup, linux]',
  'audience: admins',
  '---',
  '',
  '# Install',
  '',
  'Download the package.',
  '',
  '## Linux',
  '',
  '```sh',
  '# not a heading',
  'apt install kbgate',
  '```',
  '',
  '| os | command |',
  '| -- | ------- |',
  '| debian | apt |',
].join('\n');

describe('syncFolders', () => {
  it('should store chunks with deterministic ids and citation metadata', async () => {
    await write('guides/install.md', GUIDE);
    const report = await syncFolders(collection, { folders: [kb] });
    expect(report).toMatchObject({ added: 1, updated: 0, unchanged: 0, failed: 0, chunks: 1 });
    const stored = await collection.get({ include: ['documents', 'metadatas'] });
    expect(stored.ids).toEqual(['guides/install.md#0']);
    expect(stored.metadatas?.[0]).toMatchObject({
      source: 'guides/install.md',
      title: 'Install guide',
      heading: 'Install',
      heading_path: 'Install',
      anchor: 'install',
      headings: ['Install', 'Linux'],
      anchors: ['install', 'linux'],
      start_line: 7,
      end_line: 20,
      chunk_index: 0,
      chunk_count: 1,
      tags: ['setup', 'linux'],
      audience: 'admins',
    });
    expect(stored.metadatas?.[0]?.file_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.documents?.[0]).toContain('Install guide > Install\n\nDownload the package.');
    expect(stored.documents?.[0]).toContain('| debian | apt |');
  });

  it('should store Chinese, Thai and MDX documents', async () => {
    await write('zh.md', '# 安装\n\n' + '知识库很好用。'.repeat(400));
    await write('th.md', '# ติดตั้ง\n\n' + 'ภาษาไทยไม่มีการเว้นวรรค'.repeat(150));
    await write('page.mdx', "import X from './x'\n\n# Page\n\n<Note>Kept **text**</Note>\n");
    const report = await syncFolders(collection, { folders: [kb] });
    expect(report.failed).toBe(0);
    const pages = await collection.get({ where: { source: 'page.mdx' }, include: ['documents'] });
    expect(pages.documents).toEqual(['Page\n\nKept **text**']);
    const zh = await collection.get({ where: { source: 'zh.md' }, include: ['metadatas'] });
    expect(zh.ids.length).toBeGreaterThan(1);
    expect(zh.metadatas?.every((meta) => meta?.anchor === '安装')).toBe(true);
    expect((await collection.get({ where: { source: 'th.md' } })).ids.length).toBeGreaterThan(1);
  });

  it('should repair mojibake (UTF-8 once read as Mac Roman) and report it for the file', async () => {
    const original = '# Резервное копирование\n\nОстановите контейнер ChromaDB и сохраните том.\n';
    const misread = iconv.decode(Buffer.from(original, 'utf8'), 'macintosh');
    await write('ru/backup.md', misread);
    await write('en/plain.md', '# Plain\n\nNothing to repair here: café.\n');
    const report = await syncFolders(collection, { folders: [kb] });
    const stored = await collection.get({ include: ['documents', 'metadatas'] });
    const russian = stored.ids.indexOf('ru/backup.md#0');
    expect(stored.documents?.[russian]).toContain('Остановите контейнер ChromaDB');
    expect(stored.metadatas?.[russian]?.heading).toBe('Резервное копирование');
    expect(report.warnings).toEqual([
      { source: 'ru/backup.md', message: expect.stringMatching(/repaired 2 mis-encoded line.*Mac Roman/) },
    ]);
  });

  it('should skip unchanged files on a rerun', async () => {
    await write('a.md', '# A\n\nalpha');
    await write('b.md', '# B\n\nbeta');
    await syncFolders(collection, { folders: [kb] });
    const before = await snapshot();
    const report = await syncFolders(collection, { folders: [kb] });
    expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 2, chunks: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('should replace an edited file and drop the chunks it no longer has', async () => {
    const long = (word: string) =>
      `# Long\n\n${Array.from({ length: 12 }, (_, i) => `${word} ${i}. `.repeat(30)).join('\n\n')}`;
    await write('a.md', long('first'));
    await syncFolders(collection, { folders: [kb] });
    expect((await collection.count()) > 3).toBe(true);
    await write('a.md', '# Short\n\nnow tiny');
    const report = await syncFolders(collection, { folders: [kb] });
    expect(report).toMatchObject({ updated: 1, chunks: 1 });
    const stored = await collection.get({ include: ['documents'] });
    expect(stored.ids).toEqual(['a.md#0']);
    expect(stored.documents).toEqual(['Short\n\nnow tiny']);
  });

  it('should keep a deleted or renamed file’s chunks without --prune and remove them with it', async () => {
    await write('old.md', '# Old\n\ntext');
    await write('gone.md', '# Gone\n\ntext');
    await syncFolders(collection, { folders: [kb] });
    await rename(path.join(kb, 'old.md'), path.join(kb, 'new.md'));
    await rm(path.join(kb, 'gone.md'));
    const kept = await syncFolders(collection, { folders: [kb] });
    expect(kept).toMatchObject({ added: 1, removed: 0 });
    expect((await collection.get()).ids.sort()).toEqual(['gone.md#0', 'new.md#0', 'old.md#0']);
    const dry = await syncFolders(collection, { folders: [kb], prune: true, dryRun: true });
    expect(dry).toMatchObject({ removed: 2, unchanged: 1 });
    expect(await collection.count()).toBe(3);
    const pruned = await syncFolders(collection, { folders: [kb], prune: true });
    expect(pruned).toMatchObject({ removed: 2, unchanged: 1 });
    expect((await collection.get()).ids).toEqual(['new.md#0']);
  });

  it('should write nothing in a dry run', async () => {
    await write('a.md', '# A\n\nalpha');
    const report = await syncFolders(collection, { folders: [kb], dryRun: true });
    expect(report).toMatchObject({ added: 1, chunks: 1 });
    expect(await collection.count()).toBe(0);
  });

  it('should converge after an interrupted run to the state of a clean run', async () => {
    for (let i = 0; i < 6; i++) await write(`doc-${i}.md`, `# Doc ${i}\n\n${`Sentence ${i}. `.repeat(200)}`);
    let upserts = 0;
    const flaky: SyncTarget = {
      get: (args) => collection.get(args),
      delete: (args) => collection.delete(args),
      upsert: async (args) => {
        if (++upserts === 4) throw new Error('power cut');
        await collection.upsert(args);
      },
    };
    const interrupted = syncFolders(flaky, { folders: [kb], batchSize: 1 });
    await expect(interrupted).rejects.toBeInstanceOf(SyncStoppedError);
    const resumed = await syncFolders(collection, { folders: [kb] });
    expect(resumed.failed).toBe(0);
    expect(resumed.unchanged).toBeGreaterThan(0);
    const clean = await client.createCollection({ name: 'clean' });
    await syncFolders(clean, { folders: [kb] });
    expect(await snapshot()).toEqual(await snapshot(clean));
  });

  it('should report bad files, skip them and keep their old chunks', async () => {
    await write('good.md', '# Good\n\nfine');
    await write('keep.md', '# Keep\n\nv1');
    await syncFolders(collection, { folders: [kb] });
    await write('keep.md', Buffer.from([0x23, 0x00, 0x01]));
    await write('latin1.md', Buffer.from('caf\xe9', 'latin1'));
    await write('huge.md', 'x'.repeat(5000));
    await write('broken.pdf', '%PDF-1.7\nnot really a PDF');
    await writeFile(path.join(base, 'secret.md'), '# Secret');
    await symlink(path.join(base, 'secret.md'), path.join(kb, 'escape.md'));
    const report = await syncFolders(collection, { folders: [kb], prune: true, maxBytes: 4096 });
    expect(report.failures.map((failure) => [failure.source, failure.reason]).sort()).toEqual([
      ['broken.pdf', 'corrupt'],
      ['huge.md', 'too-large'],
      ['keep.md', 'binary'],
    ]);
    expect(report).toMatchObject({ failed: 3, added: 1, unchanged: 1, removed: 0, skipped: ['escape.md'] });
    expect(report.warnings).toEqual([
      {
        source: 'latin1.md',
        message: expect.stringMatching(/^not UTF-8 and its encoding could not be decided/),
      },
    ]);
    expect((await collection.get()).ids.sort()).toEqual(['good.md#0', 'keep.md#0', 'latin1.md#0']);
  });

  it('should prefix sources with the folder name when syncing several folders', async () => {
    await write('a.md', '# A\n\nalpha');
    const other = path.join(base, 'other');
    await mkdir(other);
    await writeFile(path.join(other, 'a.md'), '# A2\n\nbeta');
    await syncFolders(collection, { folders: [kb, other] });
    expect((await collection.get()).ids.sort()).toEqual(['kb/a.md#0', 'other/a.md#0']);
  });
});

describe('npm run ingest', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: { write: (text: string) => (out.stdout += text) } as unknown as NodeJS.WritableStream,
        stderr: { write: (text: string) => (out.stderr += text) } as unknown as NodeJS.WritableStream,
      },
    };
  };

  it('should write into KBGATE_DATA_DIR, print one summary line and exit 1 when a file failed', async () => {
    await write('a.md', '# A\n\nalpha');
    await write('bad.md', Buffer.from([0x00]));
    const dataDir = path.join(base, 'data');
    const env = { KBGATE_DATA_DIR: dataDir, KBGATE_EMBEDDING: 'none' };
    const first = io();
    const code = await runIngestCli([kb, '--collection', 'notes'], { env, ...first.io });
    expect(code).toBe(1);
    expect(first.out.stdout).toMatch(
      /^notes: 1 added, 0 updated, 0 unchanged, 0 removed, 1 failed; 1 chunks in [\d.]+ s; files: 2 Markdown\n$/,
    );
    expect(first.out.stderr).toContain('failed   bad.md: binary');
    await rm(path.join(kb, 'bad.md'));
    const second = io();
    expect(await runIngestCli([kb, '--collection', 'notes'], { env, ...second.io })).toBe(0);
    expect(second.out.stdout).toMatch(/^notes: 0 added, 0 updated, 1 unchanged/);
    const persistent = new PersistentClient({ path: dataDir });
    try {
      const notes = await persistent.getCollection({ name: 'notes' });
      expect((await notes.get()).ids).toEqual(['a.md#0']);
    } finally {
      persistent.close();
    }
  });

  it('should exit 2 on bad arguments or a missing folder', async () => {
    const env = { KBGATE_DATA_DIR: path.join(base, 'data'), KBGATE_EMBEDDING: 'none' };
    expect(await runIngestCli([], { env, ...io().io })).toBe(2);
    expect(await runIngestCli([kb, '--max-bytes', 'lots'], { env, ...io().io })).toBe(2);
    const missing = io();
    expect(await runIngestCli([path.join(base, 'nope')], { env, ...missing.io })).toBe(2);
    expect(missing.out.stderr).toMatch(/^ingest: /);
  });
});
