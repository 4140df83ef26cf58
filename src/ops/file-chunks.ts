/** Reading and hashing files in bounded chunks, so index files of any size pass through little memory. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** The file's bytes in chunks of at most `chunkBytes` (each a fresh buffer the caller may keep). */
export function* readFileChunks(path: string, chunkBytes: number): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const n = readSync(fd, buffer, 0, chunkBytes, null);
      if (n === 0) return;
      yield n === chunkBytes ? buffer : buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Size and SHA-256 (hex) of a sequence of chunks. */
export function measureChunks(chunks: Iterable<Buffer>): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
