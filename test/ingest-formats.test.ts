import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Collection } from '../src/client.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../src/engine/database.js';
import { openEngine } from '../src/engine-factory.js';
import type { Metadata } from '../src/engine/types.js';
import { createApp } from '../src/http/app.js';
import { describeSource } from '../src/http/openai/context-builder.js';
import { sourceOf } from '../src/retrieval/source-of.js';
import { syncFolders, type SyncOptions } from '../src/ingest/sync.js';
import { makeDocx, makeEncryptedPdf, makePdf, type PdfPage } from './helpers/document-fixtures.js';

let base: string;
let kb: string;
let engine: Engine;
let collection: Collection;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-formats-'));
  kb = path.join(base, 'kb');
  await mkdir(kb);
  engine = openEngine({ defaultEmbedding: 'none' }).engine;
  const model = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
    name: 'docs',
    embedding: 'none',
  });
  collection = new Collection(engine, model);
});

afterEach(async () => {
  engine.close();
  await rm(base, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer): Promise<void> {
  const file = path.join(kb, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** Small chunks, so that each section of the small fixtures is a chunk of its own. */
const SMALL: Partial<SyncOptions> = { chunking: { targetChars: 120, maxChars: 400, overlapChars: 0 } };

async function sync(options: Partial<SyncOptions> = {}) {
  return syncFolders(collection, { folders: [kb], ...SMALL, ...options });
}

async function chunksOf(source: string): Promise<{ text: string; meta: Metadata }[]> {
  const got = await collection.get({ where: { source }, include: ['documents', 'metadatas'] });
  return got.ids
    .map((id, i) => ({ id, text: got.documents?.[i] ?? '', meta: got.metadatas?.[i] ?? {} }))
    .sort((a, b) => Number(a.meta.chunk_index) - Number(b.meta.chunk_index));
}

const MANUAL: PdfPage[] = [
  {
    header: 'ACME Corp internal',
    footer: 'Page 1 of 3',
    lines: [
      { text: 'Backup Manual', size: 22 },
      'This manual explains how the nightly backup of the vector store works and',
      'how to restore it after a failure.',
    ],
  },
  {
    header: 'ACME Corp internal',
    footer: 'Page 2 of 3',
    lines: [{ text: 'Scheduling', size: 16 }, 'Backups run every night at two and keep fourteen copies.'],
  },
  {
    header: 'ACME Corp internal',
    footer: 'Page 3 of 3',
    lines: [{ text: 'Restoring', size: 16 }, 'Stop the server, copy the snapshot back and start it again.'],
  },
];

describe('ingest of HTML, Word, PDF and plain text', () => {
  it('should store an HTML page’s content with its headings and ids as anchors, without its navigation', async () => {
    await write(
      'site/install.html',
      `<html><head><title>Install | Acme</title><script>track()</script></head><body>
       <nav><a href="/">Home</a> <a href="/pricing">Pricing</a></nav>
       <h1 id="install">Install</h1><p>Download the package and unpack it somewhere on the path.</p>
       <h2 id="linux">On Linux</h2><p>Use the distribution's package manager to install the service.</p>
       <footer>Copyright Acme Corporation</footer></body></html>`,
    );
    const report = await sync();
    expect(report).toMatchObject({ added: 1, failed: 0, warnings: [] });
    const chunks = await chunksOf('site/install.html');
    expect(chunks.map((c) => c.meta.heading)).toEqual(['Install', 'On Linux']);
    expect(chunks.map((c) => c.meta.anchor)).toEqual(['install', 'linux']);
    expect(chunks[1]?.text).toBe(
      "Install > On Linux\n\nUse the distribution's package manager to install the service.",
    );
    expect(chunks[0]?.meta).toMatchObject({ title: 'Install', heading_path: 'Install' });
    expect(chunks[0]?.meta).not.toHaveProperty('start_line');
    const all = chunks.map((c) => c.text).join('\n');
    for (const chrome of ['Home', 'Pricing', 'Copyright', 'track']) expect(all).not.toContain(chrome);
  });

  it('should store a Word document’s headings, lists and tables, titled by its Title', async () => {
    await write(
      'policy.docx',
      await makeDocx(
        [
          { heading: 'Backup policy', level: 0 },
          { heading: 'Scope', level: 1 },
          { paragraph: 'This policy covers every production database ', bold: 'and its replicas.' },
          { heading: 'Schedule', level: 2 },
          { bullet: 'Nightly full backups' },
          { bullet: 'Hourly incremental backups' },
          {
            table: [
              ['tier', 'retention'],
              ['gold', '90 days'],
            ],
          },
        ],
        { title: 'Policy 7', creator: 'Ops team' },
      ),
    );
    expect(await sync()).toMatchObject({ added: 1, failed: 0 });
    const chunks = await chunksOf('policy.docx');
    expect(chunks.map((c) => [c.meta.heading_path, c.meta.anchor])).toEqual([
      ['Scope', 'scope'],
      ['Scope > Schedule', 'schedule'],
    ]);
    expect(chunks[0]?.meta).toMatchObject({ title: 'Backup policy', author: 'Ops team' });
    expect(chunks[0]?.text).toBe(
      'Backup policy > Scope\n\nThis policy covers every production database **and its replicas.**',
    );
    expect(chunks[1]?.text).toContain('- Nightly full backups\n- Hourly incremental backups');
    expect(chunks[1]?.text).toContain('| tier | retention |');
    expect(chunks[1]?.text).toContain('| gold | 90 days   |');
  });

  it('should cite PDF pages: headings from the outline, and page and a page=N anchor on every chunk', async () => {
    const outline = [
      {
        title: 'Backup Manual',
        page: 0,
        y: 780,
        children: [
          { title: 'Scheduling', page: 1 },
          { title: 'Restoring', page: 2 },
        ],
      },
    ];
    await write('manual.pdf', await makePdf(MANUAL, { outline, title: 'ACME Backup Manual, release 7' }));
    expect(await sync()).toMatchObject({ added: 1, failed: 0 });
    const chunks = await chunksOf('manual.pdf');
    expect(chunks[0]?.meta.title).toBe('ACME Backup Manual, release 7');
    expect(chunks.map((c) => [c.meta.heading_path, c.meta.page, c.meta.page_end, c.meta.anchor])).toEqual([
      ['Backup Manual', 1, 1, 'page=1'],
      ['Backup Manual > Scheduling', 2, 2, 'page=2'],
      ['Backup Manual > Restoring', 3, 3, 'page=3'],
    ]);
    expect(chunks[0]?.text).toBe(
      'ACME Backup Manual, release 7 > Backup Manual\n\nThis manual explains how the nightly backup of the vector store works and how to restore it after a failure.',
    );
    expect(chunks[2]?.text).toBe(
      'ACME Backup Manual, release 7 > Backup Manual > Restoring\n\nStop the server, copy the snapshot back and start it again.',
    );
    const all = chunks.map((c) => c.text).join('\n');
    expect(all).not.toMatch(/ACME Corp internal|Page \d of 3/);
    expect(chunks[0]?.meta).not.toHaveProperty('start_line');
  });

  it('should recover headings from font sizes in a PDF without an outline, titled by its title page', async () => {
    await write('manual.pdf', await makePdf(MANUAL, { title: 'Microsoft Word - manual.docx' }));
    await sync();
    const chunks = await chunksOf('manual.pdf');
    expect(chunks.map((c) => [c.meta.heading, c.meta.page, c.meta.anchor])).toEqual([
      ['Backup Manual', 1, 'page=1'],
      ['Scheduling', 2, 'page=2'],
      ['Restoring', 3, 'page=3'],
    ]);
    expect(chunks[1]?.meta).toMatchObject({
      title: 'Backup Manual',
      heading_path: 'Backup Manual > Scheduling',
    });
  });

  it('should read plain text as paragraphs cited by their lines, titled by the file name', async () => {
    await write(
      'notes/ops.txt',
      'Rotate the logs weekly.\nKeep four weeks.\n\n\nCheck the disk every morning.\n',
    );
    await sync({ chunking: { targetChars: 30, maxChars: 60, overlapChars: 0 } });
    const chunks = await chunksOf('notes/ops.txt');
    expect(chunks.map((c) => [c.text, c.meta.start_line, c.meta.end_line])).toEqual([
      ['ops\n\nRotate the logs weekly.\nKeep four weeks.', 1, 2],
      ['ops\n\nCheck the disk every morning.', 5, 5],
    ]);
    expect(chunks[0]?.meta).toMatchObject({ title: 'ops', heading: '' });
  });

  it('should read Windows-1251 text and repair the Mac Roman mojibake of UTF-8 Chinese and Thai, per file', async () => {
    const russian = 'Резервное копирование: остановите контейнер и сохраните том с данными.';
    const chinese = '# 备份\n\n先停止容器，然后保存数据卷。\n';
    const thai = '<h1>การสำรองข้อมูล</h1><p>ให้หยุดคอนเทนเนอร์ก่อนแล้วบันทึกโวลุ่มข้อมูล</p>';
    const macRoman = (text: string) => iconv.decode(Buffer.from(text), 'macintosh');
    await write('ru.txt', iconv.encode(russian, 'windows-1251'));
    await write('zh.md', macRoman(chinese));
    await write('th.html', macRoman(thai));
    const report = await sync();
    expect((await chunksOf('ru.txt'))[0]?.text).toBe(`ru\n\n${russian}`);
    expect((await chunksOf('zh.md'))[0]?.text).toBe('备份\n\n先停止容器，然后保存数据卷。');
    expect((await chunksOf('th.html'))[0]).toMatchObject({
      text: 'การสำรองข้อมูล\n\nให้หยุดคอนเทนเนอร์ก่อนแล้วบันทึกโวลุ่มข้อมูล',
      meta: { heading: 'การสำรองข้อมูล' },
    });
    expect(report.warnings.sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      { source: 'ru.txt', message: expect.stringMatching(/^not UTF-8: decoded as windows-1251 \(detected/) },
      { source: 'th.html', message: expect.stringMatching(/^repaired 1 mis-encoded line.*Mac Roman/) },
      { source: 'zh.md', message: expect.stringMatching(/^repaired 2 mis-encoded line.*Mac Roman/) },
    ]);
  });

  it('should skip unchanged files of every format, convert an edited one again and prune a deleted one', async () => {
    await write('a.html', '<h1>A</h1><p>alpha</p>');
    await write('b.docx', await makeDocx([{ heading: 'B', level: 1 }, { paragraph: 'beta' }]));
    await write('c.pdf', await makePdf([{ lines: [{ text: 'C', size: 18 }, 'gamma'] }]));
    await write('d.txt', 'delta');
    expect(await sync()).toMatchObject({
      added: 4,
      formats: { html: 1, docx: 1, pdf: 1, text: 1, markdown: 0, mdx: 0 },
    });
    expect(await sync()).toMatchObject({ added: 0, updated: 0, unchanged: 4, chunks: 0 });
    await write('c.pdf', await makePdf([{ lines: [{ text: 'C', size: 18 }, 'gamma, edited'] }]));
    await rm(path.join(kb, 'b.docx'));
    expect(await sync({ prune: true })).toMatchObject({ updated: 1, unchanged: 2, removed: 1 });
    expect((await chunksOf('c.pdf'))[0]?.text).toBe('C\n\ngamma, edited');
    expect(await chunksOf('b.docx')).toEqual([]);
  });

  it('should fail a damaged PDF, an encrypted PDF and an encrypted Word file alone, each with its reason', async () => {
    await write('good.md', '# Good\n\nfine');
    await write('damaged.pdf', '%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthe rest is missing');
    await write('locked.pdf', await makeEncryptedPdf());
    await write('locked.docx', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024)]));
    const report = await sync();
    expect(report.failures.sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      { source: 'damaged.pdf', reason: 'corrupt', message: expect.stringMatching(/^not a readable PDF/) },
      { source: 'locked.docx', reason: 'encrypted', message: expect.stringMatching(/password-protected/) },
      {
        source: 'locked.pdf',
        reason: 'encrypted',
        message: 'an encrypted PDF that needs a password to open',
      },
    ]);
    expect(report).toMatchObject({ added: 1, failed: 3 });
  });

  it('should show the page of PDF passages in /search results and in the proxy’s citations', async () => {
    const outline = [
      { title: 'Scheduling', page: 1 },
      { title: 'Restoring', page: 2 },
    ];
    await write('manual.pdf', await makePdf(MANUAL, { outline }));
    await sync();
    const config = loadConfig({
      KBGATE_DATA_DIR: ':memory:',
      KBGATE_EMBEDDING: 'none',
      KBGATE_COLLECTION: 'docs',
    });
    const res = await request(createApp({ engine, config }))
      .post('/search')
      .send({ query: 'snapshot restore', top_k: 1 });
    expect(res.status).toBe(200);
    const hit = res.body.results[0];
    expect(hit.source).toEqual({
      path: 'manual.pdf',
      title: 'Backup Manual',
      heading: 'Restoring',
      anchor: 'page=3',
      page: 3,
    });
    const stored = await collection.get({ ids: [hit.id], include: ['metadatas'] });
    expect(describeSource(sourceOf(stored.metadatas?.[0] ?? null), hit.id)).toBe(
      'Backup Manual — manual.pdf#page=3',
    );
  });
});
