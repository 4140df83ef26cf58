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
  const out = new Float32Array(decodedFloats(text, index));
  decodeInto(text, index, out);
  return out;
}

/** The number of float32 values a base64 string holds; throws when it is not whole, valid base64 of them. */
function decodedFloats(text: string, index: number): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = (text.length / 4) * 3 - padding;
  if (text.length % 4 !== 0 || bytes < 0) throw invalidArgument(`Embedding ${index} is not valid base64`);
  if (bytes % 4 !== 0) {
    // Rare: a string that also decodes short is reported as invalid base64, as decoding it first would.
    if (Buffer.from(text, 'base64').length !== bytes)
      throw invalidArgument(`Embedding ${index} is not valid base64`);
    throw invalidArgument(`Embedding ${index} has ${bytes} bytes, not a whole number of float32 values`);
  }
  return bytes / 4;
}

/**
 * Decodes base64 straight into `out`'s memory.
 *
 * @remarks Node skips characters outside the alphabet and stops at padding: any such string decodes short, and is
 * refused as invalid (checked before the byte count, as a decoded length would have been).
 */
function decodeInto(text: string, index: number, out: Float32Array): void {
  const target = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const written = LITTLE_ENDIAN_HOST ? target.write(text, 'base64') : -1;
  if (LITTLE_ENDIAN_HOST) {
    if (written !== out.byteLength) throw invalidArgument(`Embedding ${index} is not valid base64`);
    return;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== out.byteLength) throw invalidArgument(`Embedding ${index} is not valid base64`);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
}

/**
 * Converts a wire embedding list (each item a number list or a base64 string) to engine embeddings.
 *
 * @remarks
 * Number lists pass through unchanged (the engine validates every component); anything that is neither a list nor a
 * string is a body of the wrong shape (422).
 */
export function toEmbeddings(items: readonly unknown[], field: string): EmbeddingLike[] {
  if (items.length > 1 && items.every((item) => typeof item === 'string')) {
    return decodeBase64Batch(items as string[]);
  }
  return items.map((item, i) => toEmbedding(item, field, i));
}

/**
 * Decodes a batch of base64 embeddings into views of one block (one allocation instead of one per vector).
 *
 * @remarks Errors are those of decoding one string after another: when sizing finds a bad string, the batch is decoded
 * one by one so that an earlier string's error, if any, is the one reported.
 */
function decodeBase64Batch(texts: readonly string[]): Float32Array[] {
  let lengths: number[];
  try {
    lengths = texts.map((text, i) => decodedFloats(text, i));
  } catch {
    return texts.map((text, i) => decodeBase64Embedding(text, i));
  }
  const block = new Float32Array(lengths.reduce((sum, n) => sum + n, 0));
  let offset = 0;
  return texts.map((text, i) => {
    const view = block.subarray(offset, offset + (lengths[i] as number));
    offset += lengths[i] as number;
    decodeInto(text, i, view);
    return view;
  });
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
