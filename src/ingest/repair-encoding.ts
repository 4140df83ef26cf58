/** Mojibake repair: text that was UTF-8, decoded as a single-byte encoding and saved again as UTF-8. */
import iconv from 'iconv-lite';

/** The single-byte encodings such text is most often misread as, most specific first. */
export const MISREAD_ENCODINGS = ['macintosh', 'windows-1252', 'latin1'] as const;

/** A single-byte encoding UTF-8 text can have been misread as. */
export type MisreadEncoding = (typeof MISREAD_ENCODINGS)[number];

/** What {@link repairMojibake} did. */
export interface Repair {
  text: string;
  /** The encoding the text had been misread as, or null when nothing was changed. */
  misreadAs: MisreadEncoding | null;
  /** Lines repaired. */
  lines: number;
}

/**
 * Characters that the same byte decodes to in other common tables (Apple's Ω and logo, Unicode's Ohm sign), so
 * that text produced by either table maps back to its byte.
 */
const ALIASES: Readonly<Record<MisreadEncoding, Readonly<Record<string, number>>>> = {
  macintosh: { '\u03a9': 0xbd, '\u2126': 0xbd, '\uf8ff': 0xf0, '\u00b5': 0xb5, '\u03bc': 0xb5 },
  'windows-1252': {},
  latin1: {},
};

const REVERSE = new Map<MisreadEncoding, ReadonlyMap<string, number>>();
const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Characters that only show up in such text: Latin-1 supplement and the punctuation single-byte tables hold. */
const SUSPECT =
  /[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2044\u2122\u2202-\u222b\u2248-\u2265\u25ca\u03a9\u2126\uf8ff]/u;

/**
 * Repairs lines of `text` that read as valid UTF-8 once turned back into the bytes of one misread encoding.
 *
 * @remarks
 * A line changes only when every character maps to a byte of that encoding and the bytes are valid UTF-8 that is
 * shorter than the line (several mojibake characters collapse into one): correct text with accents or any
 * non-Latin script fails one of the two tests and stays as it is. The encoding repairing the most lines wins;
 * lines are judged one by one, so a file that is only partly damaged is repaired where it is damaged.
 */
export function repairMojibake(text: string): Repair {
  if (!SUSPECT.test(text)) return { text, misreadAs: null, lines: 0 };
  let best: Repair = { text, misreadAs: null, lines: 0 };
  for (const encoding of MISREAD_ENCODINGS) {
    let lines = 0;
    const repaired = text
      .split('\n')
      .map((line) => {
        const fixed = repairLine(line, encoding);
        if (fixed !== null) lines += 1;
        return fixed ?? line;
      })
      .join('\n');
    if (lines > best.lines) best = { text: repaired, misreadAs: encoding, lines };
  }
  return best;
}

function repairLine(line: string, encoding: MisreadEncoding): string | null {
  if (!SUSPECT.test(line)) return null;
  const reverse = reverseTable(encoding);
  const bytes: number[] = [];
  for (const char of line) {
    const byte = reverse.get(char);
    if (byte === undefined) return null;
    bytes.push(byte);
  }
  try {
    const decoded = UTF8.decode(Uint8Array.from(bytes));
    return decoded.length < line.length ? decoded : null;
  } catch {
    return null;
  }
}

function reverseTable(encoding: MisreadEncoding): ReadonlyMap<string, number> {
  let table = REVERSE.get(encoding);
  if (table === undefined) {
    const map = new Map<string, number>();
    for (let byte = 0; byte < 256; byte += 1) {
      map.set(iconv.decode(Buffer.from([byte]), encoding), byte);
    }
    for (const [char, byte] of Object.entries(ALIASES[encoding])) map.set(char, byte);
    table = map;
    REVERSE.set(encoding, table);
  }
  return table;
}
