/** Reading the start of an upstream body, for error bodies that are relayed or redacted but never streamed. */

/** Largest upstream error body read; the rest is dropped. */
export const MAX_ERROR_BYTES = 64 * 1024;

/** The first `limit` bytes of a body as UTF-8 (the rest is not read); '' without a body. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
