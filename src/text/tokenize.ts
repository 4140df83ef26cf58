/** Word segmentation for scripts written without spaces (Chinese, Japanese, Thai, ...), for the lexical index. */

/**
 * Runs of characters from scripts that do not separate words with spaces.
 *
 * @remarks Script_Extensions, so marks shared between scripts (the prolonged sound mark `ー`, the iteration mark
 * `々`, Thai/Lao combining vowels) stay inside their run.
 */
const UNSPACED_RUN =
  /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]+/gu;

const WORD_SEGMENTER = new Intl.Segmenter(undefined, { granularity: 'word' });

/**
 * Characters ICU segments at once. Its dictionary segmentation of one long run without spaces is superlinear
 * (40,000 Thai characters: 0.35 s; 80,000: 7.5 s), so longer texts go through in windows of this size.
 */
export const SEGMENT_WINDOW = 1_000;

/**
 * Puts a space between the words of every run of an unspaced script (ICU dictionary segmentation), leaving all
 * other text as it is, so a word-based index (FTS5 unicode61) sees Chinese, Japanese and Thai words as tokens.
 *
 * @remarks Deterministic and context-local: the same run segments the same way in a document and in a query.
 * Text is NFKC-normalised first (full-width Latin and digits become ASCII, decomposed accents recompose).
 */
export function segmentWords(text: string): string {
  const normalized = normalizeText(text);
  UNSPACED_RUN.lastIndex = 0;
  if (!UNSPACED_RUN.test(normalized)) return normalized;
  return normalized.replace(UNSPACED_RUN, (run, offset: number, whole: string) => {
    const words = splitWords(run).join(' ');
    const before = offset > 0 && !/\s/u.test(whole[offset - 1] ?? ' ') ? ' ' : '';
    const after = offset + run.length < whole.length && !/\s/u.test(whole[offset + run.length] ?? ' ');
    return `${before}${words}${after ? ' ' : ''}`;
  });
}

/**
 * NFKC, except that Thai SARA AM and Lao AM stay single characters.
 *
 * @remarks NFKC decomposes `ำ` into NIKHAHIT + SARA AA (and Lao `ຳ` likewise), which ICU's dictionary no longer
 * recognises: "การสำรอง" would segment as "กา รสํา รอง" instead of "การ สำรอง".
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\u0e4d\u0e32/gu, '\u0e33')
    .replace(/\u0ecd\u0eb2/gu, '\u0eb3');
}

/** The word-like segments of `text`, in order (punctuation and spaces dropped). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  for (const part of segmentWordsBounded(text)) {
    if (part.isWordLike) words.push(part.segment);
  }
  return words;
}

/** One word-granularity segment, as `Intl.Segmenter` yields it. */
export interface WordSegment {
  segment: string;
  /** Offset in the whole text. */
  index: number;
  isWordLike: boolean;
}

/**
 * Word segments of `text` like `Intl.Segmenter`'s, in time linear in the length of the text.
 *
 * @remarks The text is segmented in windows of at most {@link SEGMENT_WINDOW} characters, cut after a space or a
 * punctuation mark where the window's last quarter has one (ICU then segments exactly as it does the whole text);
 * in a long run with neither, the window's last two segments are segmented again with the next window. Windows
 * never split a surrogate pair.
 */
export function* segmentWordsBounded(text: string): Generator<WordSegment> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + SEGMENT_WINDOW);
    if (end < text.length) end = safeCut(text, start, end);
    const parts = [...WORD_SEGMENTER.segment(text.slice(start, end))];
    // Without a space or punctuation to cut at, the window's end may have cut a word, and ICU's dictionary reads
    // the words before it in that light: keep all but the last two segments and segment those again.
    const resume = end < text.length && !isBoundary(text, end - 1) ? (parts.at(-2)?.index ?? 0) : 0;
    const keep = resume > 0 ? parts.length - 2 : parts.length;
    for (let i = 0; i < keep; i += 1) {
      const part = parts[i]!;
      yield { segment: part.segment, index: start + part.index, isWordLike: part.isWordLike ?? false };
    }
    start = resume > 0 ? start + resume : end;
  }
}

/** Where to end a window: just after the last space or punctuation in its last quarter, else at `end`. */
function safeCut(text: string, start: number, end: number): number {
  for (let i = end - 1; i > start + (SEGMENT_WINDOW * 3) / 4; i -= 1) if (isBoundary(text, i)) return i + 1;
  return isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
}

function isBoundary(text: string, index: number): boolean {
  return /[\s\p{P}]/u.test(text[index] ?? '');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
