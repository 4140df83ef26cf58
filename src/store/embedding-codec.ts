/** Embeddings on disk: float32, little-endian, packed into a BLOB. */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Packs a vector into a little-endian float32 buffer (a view without copying on little-endian hosts). */
export function encodeEmbedding(vector: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => out.writeFloatLE(value, i * 4));
  return out;
}

/**
 * Unpacks a little-endian float32 buffer into a Float32Array that owns its memory.
 *
 * @remarks A blob read from SQLite is a fresh buffer of its own: when aligned it is viewed, not copied (one
 * allocation per vector read instead of two).
 */
export function decodeEmbedding(blob: Buffer): Float32Array {
  const owned = blob.byteOffset === 0 && blob.buffer.byteLength === blob.byteLength;
  if (LITTLE_ENDIAN && owned && blob.byteLength % 4 === 0) {
    return new Float32Array(blob.buffer, 0, blob.byteLength >>> 2);
  }
  const out = new Float32Array(blob.byteLength >>> 2);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(blob.subarray(0, out.byteLength));
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = blob.readFloatLE(i * 4);
  return out;
}
