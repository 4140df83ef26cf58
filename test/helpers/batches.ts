/** Deterministic embeddings for the batches that crash and concurrency tests write. */

/** Dimension of the test batches' embeddings. */
export const BATCH_DIM = 8;

/** The embeddings of batch `batch` written under `prefix`: the same values every time. */
export function batchEmbeddings(prefix: string, batch: number, size: number): number[][] {
  const seed = [...prefix].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7);
  return Array.from({ length: size }, (_, i) =>
    Array.from({ length: BATCH_DIM }, (_, d) => Math.sin(seed + batch * 1000 + i * 31 + d * 7)),
  );
}
