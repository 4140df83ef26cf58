/** Checks a Word file's zip container before any library inflates it: entry count, true sizes, no encryption. */
import { inflateRawSync } from 'node:zlib';
import { ConversionError } from './converted-document.js';

/** Limits of {@link checkZip}. */
export interface ZipLimits {
  /** Most entries a container may hold. */
  maxEntries: number;
  /** Most bytes the XML parts may inflate to, together. */
  maxXmlBytes: number;
}

/** Defaults: far above any real Word document, far below what would exhaust memory. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 10_000, maxXmlBytes: 64 * 1024 * 1024 };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const XML_PART = /\.(xml|rels)$/i;

/**
 * Inflates every XML part of a zip with its declared size as a hard cap and returns them by name.
 *
 * @remarks A zip bomb declares small sizes and inflates to huge ones; since every part a converter reads is an
 * XML part, checking that each inflates to no more than it declares, and that the declared sizes add up to less
 * than `maxXmlBytes`, bounds the memory any later reader of the same bytes can use. Other parts (images) are never
 * inflated. Encrypted entries, ZIP64 and compression other than deflate are refused; so are XML parts that declare
 * entities (a DTD), which Word never writes.
 *
 * @throws {ConversionError} `encrypted`, `corrupt` or `over-limit`, with the reason.
 */
export function checkZip(bytes: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, string> {
  if (bytes.subarray(0, OLE.length).equals(OLE))
    throw new ConversionError(
      'encrypted',
      'an encrypted (password-protected) Word document, or an old binary .doc: save it as an unprotected .docx',
    );
  const { count, offset } = centralDirectory(bytes);
  if (count > limits.maxEntries)
    throw new ConversionError('over-limit', `${count} zip entries, over the limit of ${limits.maxEntries}`);
  const parts = new Map<string, string>();
  let xmlBytes = 0;
  let at = offset;
  for (let i = 0; i < count; i++) {
    const entry = readEntry(bytes, at);
    at = entry.next;
    if (!XML_PART.test(entry.name)) continue;
    xmlBytes += entry.size;
    if (xmlBytes > limits.maxXmlBytes)
      throw new ConversionError(
        'over-limit',
        `its XML parts inflate to more than ${limits.maxXmlBytes} bytes (the limit)`,
      );
    const xml = inflateEntry(bytes, entry).toString('utf8');
    if (/<!ENTITY/i.test(xml)) corrupt(`${entry.name} declares XML entities, which Word never writes`);
    parts.set(entry.name, xml);
  }
  return parts;
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  next: number;
}

function centralDirectory(bytes: Buffer): { count: number; offset: number } {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) !== EOCD) continue;
    const count = bytes.readUInt16LE(at + 10);
    const offset = bytes.readUInt32LE(at + 16);
    if (count === 0xffff || offset === 0xffffffff)
      corrupt('a ZIP64 container, which Word documents never need');
    if (offset >= bytes.length) corrupt('its zip directory lies outside the file');
    return { count, offset };
  }
  return corrupt('not a zip container, so not a .docx');
}

function readEntry(bytes: Buffer, at: number): ZipEntry {
  if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) corrupt('its zip directory is damaged');
  const flags = bytes.readUInt16LE(at + 8);
  const nameLength = bytes.readUInt16LE(at + 28);
  const entry = {
    method: bytes.readUInt16LE(at + 10),
    compressedSize: bytes.readUInt32LE(at + 20),
    size: bytes.readUInt32LE(at + 24),
    localOffset: bytes.readUInt32LE(at + 42),
    name: bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
    next: at + 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32),
  };
  if (flags & 1) throw new ConversionError('encrypted', `its part ${entry.name} is encrypted`);
  if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff)
    corrupt('a ZIP64 container, which Word documents never need');
  return entry;
}

function inflateEntry(bytes: Buffer, entry: ZipEntry): Buffer {
  const local = entry.localOffset;
  if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL)
    corrupt(`its part ${entry.name} is damaged`);
  const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length < entry.compressedSize) corrupt(`its part ${entry.name} is cut short`);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) corrupt(`its stored part ${entry.name} has inconsistent sizes`);
    return data;
  }
  if (entry.method !== 8) corrupt(`its part ${entry.name} uses zip compression method ${entry.method}`);
  try {
    // One byte more than declared, so a part that inflates to more than it declares is caught.
    const inflated = inflateRawSync(data, { maxOutputLength: entry.size + 1 });
    if (inflated.length !== entry.size) throw new Error('size mismatch');
    return inflated;
  } catch {
    return corrupt(
      `its part ${entry.name} does not inflate to the ${entry.size} bytes it declares (damaged, or a zip bomb)`,
    );
  }
}

function corrupt(message: string): never {
  throw new ConversionError('corrupt', message);
}
