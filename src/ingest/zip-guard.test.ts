import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeDocx } from '../../test/helpers/document-fixtures.js';
import { ConversionError } from './converted-document.js';
import { checkZip } from './zip-guard.js';

/** The zip with one entry's data replaced by `data` (deflated), declaring `declared` as its inflated size. */
function replaceEntry(zip: Buffer, name: string, inflated: Buffer, declared = inflated.length): Buffer {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString() === name) {
      const data = deflateRawSync(inflated);
      const local = zip.readUInt32LE(at + 42);
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const oldSize = zip.readUInt32LE(at + 20);
      const out = Buffer.concat([zip.subarray(0, start), data, zip.subarray(start + oldSize)]);
      const shift = data.length - oldSize;
      const central = at + shift;
      out.writeUInt16LE(8, central + 10);
      out.writeUInt32LE(data.length, central + 20);
      out.writeUInt32LE(declared, central + 24);
      out.writeUInt32LE(zip.readUInt32LE(eocd + 16) + shift, eocd + shift + 16);
      return out;
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  throw new Error(`no entry ${name}`);
}

function failure(run: () => unknown): { reason?: string; message?: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ConversionError) return { reason: error.reason, message: error.message };
    throw error;
  }
  return {};
}

describe('checkZip', () => {
  it('should return the XML parts of a Word document', async () => {
    const parts = checkZip(await makeDocx([{ paragraph: 'Hello' }], { title: 'Greeting' }));
    expect(parts.get('word/document.xml')).toContain('Hello');
    expect(parts.get('docProps/core.xml')).toContain('Greeting');
  });

  it('should refuse a part that inflates to more than it declares (a zip bomb)', async () => {
    const bomb = replaceEntry(
      await makeDocx([{ paragraph: 'x' }]),
      'word/document.xml',
      Buffer.alloc(4_000_000, 0x20),
      1000,
    );
    expect(failure(() => checkZip(bomb))).toEqual({
      reason: 'corrupt',
      message:
        'its part word/document.xml does not inflate to the 1000 bytes it declares (damaged, or a zip bomb)',
    });
  });

  it('should refuse XML parts that add up to more than the limit', async () => {
    const big = replaceEntry(
      await makeDocx([{ paragraph: 'x' }]),
      'word/document.xml',
      Buffer.alloc(2_000_000, 0x20),
    );
    expect(failure(() => checkZip(big, { maxEntries: 100, maxXmlBytes: 1_000_000 }))).toMatchObject({
      reason: 'over-limit',
    });
    expect(failure(() => checkZip(big, { maxEntries: 3, maxXmlBytes: 10_000_000 }))).toMatchObject({
      reason: 'over-limit',
      message: expect.stringMatching(/zip entries, over the limit of 3$/),
    });
  });

  it('should refuse XML entity declarations, encrypted documents and files that are no zip', async () => {
    const entities = replaceEntry(
      await makeDocx([{ paragraph: 'x' }]),
      'word/document.xml',
      Buffer.from('<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>'),
    );
    expect(failure(() => checkZip(entities))).toMatchObject({
      reason: 'corrupt',
      message: expect.stringMatching(/entities/),
    });
    const ole = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(600),
    ]);
    expect(failure(() => checkZip(ole))).toMatchObject({ reason: 'encrypted' });
    expect(failure(() => checkZip(Buffer.from('just text, not a zip')))).toMatchObject({ reason: 'corrupt' });
  });
});
