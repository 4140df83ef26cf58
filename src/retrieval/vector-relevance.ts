/** Cosine similarity rescaled to a relevance in [0, 1] that means the same across embedding models. */

/** Similarities at or below `floor` mean unrelated (0), at or above `ceiling` a clear match (1). */
export interface SimilarityScale {
  floor: number;
  ceiling: number;
}

/**
 * Where each embedding model puts unrelated and clearly related passages.
 *
 * @remarks
 * Models spread cosine similarity differently: all-MiniLM-L6-v2 gives unrelated passages about 0-0.25 and answers
 * 0.5-0.8, while E5 models compress everything into 0.7-0.95. These are the published behaviours of the models,
 * not a calibration on this machine (it has no model weights); `npm run eval:scifact -- --embedding <name>` prints
 * the relevance of judged and unjudged hits to check them where the weights are available.
 */
export const SIMILARITY_SCALES: Readonly<Record<string, SimilarityScale>> = {
  default: { floor: 0.2, ceiling: 0.65 },
  multilingual: { floor: 0.75, ceiling: 0.9 },
};

/** The scale for embedding functions not listed above (OpenAI-compatible models vary; this is conservative). */
export const DEFAULT_SIMILARITY_SCALE: SimilarityScale = { floor: 0.2, ceiling: 0.75 };

/** The vector relevance of a cosine similarity for a collection bound to `embedding` (linear between the scale's ends). */
export function vectorRelevance(similarity: number, embedding: string | null): number {
  const { floor, ceiling } = (embedding !== null && SIMILARITY_SCALES[embedding]) || DEFAULT_SIMILARITY_SCALE;
  return Math.min(1, Math.max(0, (similarity - floor) / (ceiling - floor)));
}
