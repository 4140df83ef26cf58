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
  for (const part of WORD_SEGMENTER.segment(text)) {
    if (part.isWordLike) words.push(part.segment);
  }
  return words;
}
