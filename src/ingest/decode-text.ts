/** Bytes of a text file to text: UTF-8 (with mojibake repaired), a byte order mark, a declared or detected encoding. */
import iconv from 'iconv-lite';
import { detectEncoding, isDetected, plausibility, MIN_PLAUSIBILITY } from './detect-encoding.js';
import { repairMojibake, type MisreadEncoding, type Repair } from './repair-encoding.js';

/** How a file's bytes were read. */
export type EncodingSource = 'utf-8' | 'bom' | 'declared' | 'detected' | 'undecided';

/** What decoding did, for the per-file report. */
export interface EncodingReport {
  source: EncodingSource;
  /** The encoding read (iconv-lite name); `utf-8` when undecided. */
  encoding: string;
  /** The detector's confidence (detected) or its best candidate's (undecided). */
  confidence?: number;
  /** The detector's best candidate when it was not good enough (undecided). */
  candidate?: string | null;
  /** Other encodings that would have read the file differently, about as likely (detected). */
  alternatives?: string[];
  /** Invalid UTF-8 sequences replaced by U+FFFD (undecided). */
  replaced?: number;
  /** A declared encoding that was not used, and why (HTML `<meta charset>`). */
  ignoredDeclaration?: string;
}

/** The outcome of {@link decodeText}. */
export type DecodeResult =
  | { ok: true; text: string; encoding: EncodingReport; repair: Repair }
  | { ok: false; reason: 'binary'; message: string };

/** Options of {@link decodeText}. */
export interface DecodeOptions {
  /** The encoding the file declares (an HTML `<meta charset>`), trusted when it decodes the bytes as text. */
  declared?: string | null;
  /** The file is markup: tags are left out of what the detector weighs. */
  markup?: boolean;
}

const BOMS: readonly { bytes: number[]; encoding: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];
const MISREAD_NAMES: Readonly<Record<MisreadEncoding, string>> = {
  macintosh: 'Mac Roman',
  'windows-1252': 'Windows-1252',
  latin1: 'Latin-1',
};
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads text in any encoding, saying how.
 *
 * @remarks In order: a byte order mark (UTF-8, UTF-16) decides; NUL bytes without one mean binary; valid UTF-8 is
 * UTF-8 (then lines of mojibake are repaired, see {@link repairMojibake}); then an encoding the file declares, if
 * it reads as text; then a detector's verdict. When none of these decides, the file is read as UTF-8 with its
 * invalid bytes replaced by U+FFFD, and the report says so: nothing is guessed silently.
 */
export function decodeText(bytes: Buffer, options: DecodeOptions = {}): DecodeResult {
  const bom = BOMS.find((candidate) => candidate.bytes.every((byte, i) => bytes[i] === byte));
  if (bom) {
    const text = iconv.decode(bytes.subarray(bom.bytes.length), bom.encoding);
    return withRepair(text, { source: bom.encoding === 'utf-8' ? 'utf-8' : 'bom', encoding: bom.encoding });
  }
  if (bytes.includes(0)) return { ok: false, reason: 'binary', message: 'contains NUL bytes (binary)' };
  const utf8 = tryUtf8(bytes);
  if (utf8 !== null) return withRepair(utf8, { source: 'utf-8', encoding: 'utf-8' });
  const declared = fromDeclaration(bytes, options.declared ?? null);
  if (declared.text !== null)
    return withRepair(declared.text, {
      source: 'declared',
      encoding: (options.declared ?? '').trim().toLowerCase(),
    });
  const ignoredDeclaration = declared.ignored ?? undefined;
  const detected = detectEncoding(bytes, { markup: options.markup });
  if (isDetected(detected)) {
    const { encoding, confidence, alternatives } = detected;
    const report = { source: 'detected', encoding, confidence, alternatives, ignoredDeclaration } as const;
    return { ok: true, text: detected.text, encoding: report, repair: unrepaired(detected.text) };
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  const replaced = [...text.matchAll(/\ufffd/g)].length;
  const report: EncodingReport = {
    source: 'undecided',
    encoding: 'utf-8',
    confidence: detected.confidence,
    candidate: detected.best,
    replaced,
    ignoredDeclaration,
  };
  return { ok: true, text, encoding: report, repair: unrepaired(text) };
}

/**
 * The report line for a file whose reading deserves a mention, or null for plain UTF-8.
 *
 * @remarks Every encoding other than UTF-8 is reported, declared ones included, so that no reading goes unseen.
 */
export function describeEncoding(report: EncodingReport): string | null {
  const ignored = report.ignoredDeclaration ? `; ${report.ignoredDeclaration}` : '';
  switch (report.source) {
    case 'utf-8':
      return null;
    case 'bom':
      return `decoded as ${report.encoding.toUpperCase()} (byte order mark)`;
    case 'declared':
      return `decoded as ${report.encoding}, as the file declares`;
    case 'detected': {
      const others = report.alternatives?.slice(0, 2) ?? [];
      const also = others.length > 0 ? `; ${others.join(' or ')} would read it differently` : '';
      return `not UTF-8: decoded as ${report.encoding} (detected, confidence ${(report.confidence ?? 0).toFixed(2)}${also})${ignored}`;
    }
    case 'undecided': {
      const best = report.candidate
        ? `the best guess, ${report.candidate}, has confidence ${(report.confidence ?? 0).toFixed(2)}`
        : 'no candidate';
      return `not UTF-8 and its encoding could not be decided (${best}): ingested as it is, ${report.replaced ?? 0} invalid byte sequence(s) shown as U+FFFD${ignored}`;
    }
  }
}

/** Everything worth telling about how a file was read: its encoding, then any mojibake repaired. */
export function describeDecoding(result: Extract<DecodeResult, { ok: true }>): string[] {
  const messages: string[] = [];
  const encoding = describeEncoding(result.encoding);
  if (encoding !== null) messages.push(encoding);
  if (result.repair.misreadAs !== null)
    messages.push(
      `repaired ${result.repair.lines} mis-encoded line(s): UTF-8 text that had been read as ` +
        `${MISREAD_NAMES[result.repair.misreadAs]} and saved again`,
    );
  return messages;
}

function tryUtf8(bytes: Buffer): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** The text an encoding the file declares gives, or why that declaration was not used (null: none made). */
function fromDeclaration(
  bytes: Buffer,
  declared: string | null,
): { text: string | null; ignored: string | null } {
  if (declared === null) return { text: null, ignored: null };
  const encoding = declared.trim().toLowerCase();
  if (!iconv.encodingExists(encoding))
    return { text: null, ignored: `its declared charset "${declared}" is unknown` };
  if (/^utf-?8$/.test(encoding)) return { text: null, ignored: 'it declares UTF-8 but is not valid UTF-8' };
  const text = iconv.decode(bytes, encoding);
  if (plausibility(text) < MIN_PLAUSIBILITY)
    return { text: null, ignored: `its declared charset "${declared}" does not read it as text` };
  return { text, ignored: null };
}

function withRepair(text: string, encoding: EncodingReport): DecodeResult {
  const repair = repairMojibake(text);
  return { ok: true, text: repair.text, encoding, repair };
}

function unrepaired(text: string): Repair {
  return { text, misreadAs: null, lines: 0 };
}
