/** Keeps a search response under a size limit by shortening passage texts, never by silently dropping fields. */
/** A response with passage texts that can be shortened. */
export interface ResponseWithTexts {
  results: { text: string }[];
  truncated?: boolean;
}

/** The ChatGPT plugin limit on a response body, in characters. */
export const MAX_RESPONSE_CHARS = 100_000;

const ELLIPSIS = '…';
const SHRINK = 0.9;

/**
 * Returns `response` unchanged when its JSON fits in `maxChars`; otherwise cuts every passage text to one common
 * length (longest first, so short passages stay whole), marks `truncated: true`, and drops trailing results only
 * if even empty texts do not fit.
 *
 * @remarks Sizes are measured on `JSON.stringify` output in UTF-16 code units, which is never fewer than the
 * characters a client counts. Cuts never split a surrogate pair.
 */
export function fitResponse<R extends ResponseWithTexts>(response: R, maxChars = MAX_RESPONSE_CHARS): R {
  if (size(response) <= maxChars) return response;
  let results = response.results;
  const bare = (count: number): R => ({
    ...response,
    results: results.slice(0, count).map((hit) => ({ ...hit, text: '' })),
    truncated: true,
  });
  let count = results.length;
  while (count > 0 && size(bare(count)) > maxChars) count--;
  results = results.slice(0, count);
  const overhead = size(bare(count));
  let cap = capFor(
    results.map((hit) => hit.text.length),
    maxChars - overhead,
  );
  for (;;) {
    const fitted: R = {
      ...response,
      results: results.map((hit) => ({ ...hit, text: cut(hit.text, cap) })),
      truncated: true,
    };
    if (size(fitted) <= maxChars || cap === 0) return fitted;
    cap = Math.floor(cap * SHRINK);
  }
}

/** The largest per-text length whose total (with ellipses) stays within `budget`. */
function capFor(lengths: number[], budget: number): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  let remaining = budget;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(remaining / (sorted.length - i));
    const length = sorted[i] as number;
    if (length > share) return Math.max(0, share - ELLIPSIS.length);
    remaining -= length;
  }
  return Math.max(0, ...lengths);
}

function cut(text: string, cap: number): string {
  if (text.length <= cap) return text;
  let end = cap;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + ELLIPSIS;
}

function size(response: ResponseWithTexts): number {
  return JSON.stringify(response).length;
}
