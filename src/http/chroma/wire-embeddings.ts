/** Embeddings on the wire: plain float lists or base64-encoded little-endian float32, as Chroma's clients send them. */
import { endianness } from 'node:os';
import { invalidArgument } from '../../engine/errors.js';
import type { EmbeddingLike } from '../../engine/inputs.js';
import { HttpError } from '../error-handler.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Decodes one base64 string of little-endian float32 values.
 *
 * @remarks Values are not checked here: the engine rejects NaN and infinities for every embedding alike.
 */
export function decodeBase64Embedding(text: string, index: number): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  // Node skips characters outside the alphabet and stops at padding: any such string decodes short.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (text.length % 4 !== 0 || bytes.length !== (text.length / 4) * 3 - padding) {
    throw invalidArgument(`Embedding ${index} is not valid base64`);
  }
  if (bytes.length % 4 !== 0) {
    throw invalidArgument(
      `Embedding ${index} has ${bytes.length} bytes, not a whole number of float32 values`,
    );
  }
  const out = new Float32Array(bytes.length / 4);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  }
  return out;
}

/**
 * Converts a wire embedding list (each item a number list or a base64 string) to engine embeddings.
 *
 * @remarks
 * Number lists pass through unchanged (the engine validates every component); anything that is neither a list nor a
 * string is a body of the wrong shape (422).
 */
export function toEmbeddings(items: readonly unknown[], field: string): EmbeddingLike[] {
  return items.map((item, i) => toEmbedding(item, field, i));
}

function toEmbedding(item: unknown, field: string, index: number): EmbeddingLike {
  if (typeof item === 'string') return decodeBase64Embedding(item, index);
  if (Array.isArray(item)) return item as number[];
  throw new HttpError(
    'UNPROCESSABLE',
    `Invalid request body: ${field}.${index}: expected a list of numbers or a base64 string`,
  );
}

/** Encodes float32 values as base64 little-endian bytes (the inverse of {@link decodeBase64Embedding}). */
export function encodeBase64Embedding(values: readonly number[] | Float32Array): string {
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  const bytes = Buffer.alloc(floats.length * 4);
  for (let i = 0; i < floats.length; i++) bytes.writeFloatLE(floats[i] ?? 0, i * 4);
  return bytes.toString('base64');
}
