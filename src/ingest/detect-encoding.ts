/** Deciding the encoding of text that is not UTF-8: a detector's candidates, checked by what they decode to. */
import iconv from 'iconv-lite';
import jschardet from 'jschardet';

/** A detector's candidate whose decoding made sense. */
export interface DetectedEncoding {
  /** The iconv-lite name of the encoding, lower case (`windows-1251`, `gb18030`, `shift_jis`). */
  encoding: string;
  /** The detector's confidence, 0 to 1. */
  confidence: number;
  text: string;
  /** Other encodings the detector found about as likely, which would read the file differently. */
  alternatives: string[];
}

/** Why no encoding was decided: the detector's best candidate, if any, and its confidence. */
export interface Undecided {
  best: string | null;
  confidence: number;
}

/** Below this, a detector's candidate is noise. */
export const MIN_CONFIDENCE = 0.05;
/** Candidates this close to the best one are weighed by what they decode to. */
const NEAR_TIE = 0.9;
/** The share of non-ASCII characters that must be letters, digits, punctuation or spaces. */
export const MIN_PLAUSIBILITY = 0.9;
/** Bytes of text given to the detector; enough for a verdict, bounded for huge files. */
const SAMPLE_BYTES = 256 * 1024;
/** The encodings most files come in, preferred when the detector cannot tell them apart. */
const PREFERRED = [
  'windows-1252',
  'windows-1251',
  'windows-1250',
  'gb18030',
  'big5',
  'shift_jis',
  'cp932',
  'euc-jp',
  'euc-kr',
  'cp949',
  'windows-874',
  'tis-620',
  'koi8-r',
  'iso-8859-1',
];
/** jschardet names that iconv-lite spells differently. */
const ALIASES: Readonly<Record<string, string>> = { cp874: 'windows-874', ascii: 'utf-8' };
const PLAIN_SYMBOLS = new Set('©®°±×÷№™€£¥§¶·¤¦¨´¸¼½¾');

/**
 * Decides the encoding of `bytes` (not valid UTF-8) from a detector's candidates.
 *
 * @remarks The detector (jschardet, a port of Mozilla's universal charset detector) ranks encodings by byte
 * statistics; the candidates it finds about as likely as its best one are decoded, and the one whose text is
 * most plausible (letters, digits, punctuation and spaces rather than symbols and control characters) wins,
 * common encodings first on a tie. Nothing is decided when the best candidate is too unlikely or reads as noise.
 */
export function detectEncoding(
  bytes: Buffer,
  options: { markup?: boolean } = {},
): DetectedEncoding | Undecided {
  const sample = detectionSample(bytes, options.markup === true);
  const candidates = jschardet
    .detectAll(sample, { minimumThreshold: 0 })
    .map((c) => ({ encoding: toIconvName(c.encoding ?? ''), confidence: c.confidence }))
    .filter((c): c is { encoding: string; confidence: number } => c.encoding !== null);
  const best = candidates[0];
  if (best === undefined || best.confidence < MIN_CONFIDENCE)
    return { best: best?.encoding ?? null, confidence: best?.confidence ?? 0 };
  const weighed = candidates
    .filter((c) => c.confidence >= best.confidence * NEAR_TIE)
    .map((c) => {
      const text = iconv.decode(bytes, c.encoding);
      return { ...c, text, plausibility: plausibility(text) };
    })
    .sort((a, b) => b.plausibility - a.plausibility || preference(a.encoding) - preference(b.encoding));
  const winner = weighed[0];
  if (winner === undefined || winner.plausibility < MIN_PLAUSIBILITY)
    return { best: best.encoding, confidence: best.confidence };
  const alternatives = weighed
    .slice(1)
    .filter((c) => c.text !== winner.text && c.plausibility >= MIN_PLAUSIBILITY)
    .map((c) => c.encoding);
  return { encoding: winner.encoding, confidence: winner.confidence, text: winner.text, alternatives };
}

/** Whether a result of {@link detectEncoding} decided an encoding. */
export function isDetected(result: DetectedEncoding | Undecided): result is DetectedEncoding {
  return 'encoding' in result;
}

/**
 * The share of non-ASCII characters that read as text: letters, marks, digits, punctuation, spaces and a few
 * common signs; symbols, control and private-use characters are what a wrong table produces.
 */
export function plausibility(text: string): number {
  let total = 0;
  let good = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    total += 1;
    if (/[\p{L}\p{M}\p{N}\p{P}\p{Zs}]/u.test(char) || PLAIN_SYMBOLS.has(char)) good += 1;
  }
  return total === 0 ? 1 : good / total;
}

/**
 * The lines that carry the signal (those with bytes over 0x7f), markup tags blanked for HTML, so that ASCII
 * markup and code do not dilute the detector's statistics.
 */
function detectionSample(bytes: Buffer, markup: boolean): Buffer {
  const lines: Buffer[] = [];
  let size = 0;
  let start = 0;
  for (let i = 0; i <= bytes.length && size < SAMPLE_BYTES; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const line = bytes.subarray(start, i + 1);
    start = i + 1;
    if (!line.some((byte) => byte >= 0x80)) continue;
    const kept = markup ? blankTags(line) : line;
    lines.push(kept);
    size += kept.length;
  }
  return lines.length === 0 ? bytes.subarray(0, SAMPLE_BYTES) : Buffer.concat(lines);
}

function blankTags(line: Buffer): Buffer {
  const out = Buffer.from(line);
  let inTag = false;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0x3c) inTag = true;
    if (inTag) {
      if (out[i] === 0x3e) inTag = false;
      out[i] = 0x20;
    }
  }
  return out;
}

function toIconvName(name: string): string | null {
  const lower = name.toLowerCase();
  const mapped = ALIASES[lower] ?? lower;
  return mapped !== 'utf-8' && iconv.encodingExists(mapped) ? mapped : null;
}

function preference(encoding: string): number {
  const rank = PREFERRED.indexOf(encoding);
  return rank === -1 ? PREFERRED.length : rank;
}
