import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EphemeralClient, type Collection } from '../src/client.js';
import { DEFAULT_CONVERSION_LIMITS } from '../src/ingest/convert-document.js';
import { DocumentConverter } from '../src/ingest/document-converter.js';
import { syncFolders, type SyncOptions } from '../src/ingest/sync.js';
import { makeDocx, makePdf } from './helpers/document-fixtures.js';

let base: string;
let kb: string;
let client: EphemeralClient;
let collection: Collection;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'kbgate-limits-'));
  kb = path.join(base, 'kb');
  await mkdir(kb);
  client = new EphemeralClient({ defaultEmbedding: 'none' });
  collection = await client.createCollection({ name: 'docs' });
  await writeFile(path.join(kb, 'good.md'), '# Good\n\nStill ingested.');
});

afterEach(async () => {
  client.close();
  await rm(base, { recursive: true, force: true });
});

async function syncOne(name: string, content: Buffer | string, options: Partial<SyncOptions> = {}) {
  await writeFile(path.join(kb, name), content);
  const report = await syncFolders(collection, { folders: [kb], ...options });
  expect(report.added).toBe(1);
  expect((await collection.get()).ids).toEqual(['good.md#0']);
  return report.failures;
}

/** A Word file whose document.xml inflates to 64 MiB of spaces while its zip directory says 1 KiB. */
async function zipBomb(): Promise<Buffer> {
  const zip = await makeDocx([{ paragraph: 'x' }]);
  const eocd = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  let at = zip.readUInt32LE(eocd + 16);
  for (;;) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString() === 'word/document.xml') break;
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
  const local = zip.readUInt32LE(at + 42);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const shift = bomb.length - zip.readUInt32LE(at + 20);
  const out = Buffer.concat([zip.subarray(0, start), bomb, zip.subarray(start + zip.readUInt32LE(at + 20))]);
  out.writeUInt32LE(bomb.length, at + shift + 20);
  out.writeUInt32LE(1024, at + shift + 24);
  out.writeUInt32LE(zip.readUInt32LE(eocd + 16) + shift, eocd + shift + 16);
  return out;
}

describe('hostile and oversized files', () => {
  it('should fail a Word zip bomb alone, before anything inflates it', async () => {
    expect(await syncOne('bomb.docx', await zipBomb())).toEqual([
      {
        source: 'bomb.docx',
        reason: 'corrupt',
        message:
          'its part word/document.xml does not inflate to the 1024 bytes it declares (damaged, or a zip bomb)',
      },
    ]);
  });

  it('should fail a PDF with more pages than the limit', async () => {
    const pages = Array.from({ length: 12 }, (_, i) => ({ lines: [`page ${i + 1}`] }));
    const limits = { ...DEFAULT_CONVERSION_LIMITS, maxPages: 10 };
    expect(await syncOne('long.pdf', await makePdf(pages), { converter: { limits } })).toEqual([
      { source: 'long.pdf', reason: 'over-limit', message: '12 pages, over the limit of 10' },
    ]);
  });

  it('should fail HTML nested deeper than the limit', async () => {
    const failures = await syncOne('deep.html', '<div>'.repeat(100_000) + 'deep');
    expect(failures).toEqual([
      { source: 'deep.html', reason: 'over-limit', message: expect.stringMatching(/over the limit of 512$/) },
    ]);
  });

  it('should fail a file over the size limit without reading it', async () => {
    expect(await syncOne('big.pdf', Buffer.alloc(2048), { maxBytes: 1024 })).toEqual([
      { source: 'big.pdf', reason: 'too-large', message: '2048 bytes, over the 1024-byte limit' },
    ]);
  });

  it('should fail a file that takes longer than the time limit', async () => {
    expect(await syncOne('slow.html', '<p>slow</p>', { converter: { seconds: 0 } })).toEqual([
      { source: 'slow.html', reason: 'timeout', message: 'took longer than 0 s to convert, the limit' },
    ]);
  });
});

describe('DocumentConverter', () => {
  it('should fail a file whose conversion runs out of memory, and convert the next one in a fresh worker', async () => {
    const converter = new DocumentConverter({ memoryMb: 64 });
    try {
      expect(await converter.convert('html', Buffer.from('<p>before</p>'))).toMatchObject({ ok: true });
      expect(await converter.convert('html', Buffer.from('<p>word</p>'.repeat(450_000)))).toEqual({
        ok: false,
        reason: 'over-limit',
        message: "needed more than the converter's 64 MiB of memory, the limit",
      });
      const after = await converter.convert('html', Buffer.from('<p>after</p>'));
      expect(after.ok && after.document.markdown).toBe('after\n');
    } finally {
      await converter.close();
    }
  });
});
