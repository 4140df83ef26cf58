/**
 * A deterministic embedding without model weights: words (stemmed as the lexical index stems them) hashed into a
 * fixed number of dimensions, log-scaled by count and L2-normalised.
 *
 * @remarks For evaluations and benchmarks on machines without model files (`npm run eval:scifact -- --embedding
 * openai:hashed-words`): it carries the signal of word overlap, so vector search over it ranks sensibly, and it is
 * the same function wherever it runs. Not an embedding model: it knows no synonyms.
 */
import type { EmbeddingFunction } from '../src/engine/ports.js';
import { indexTerms } from '../src/text/analyze.js';

/** Dimensions of {@link HashedWordsEmbedding} vectors. */
export const HASHED_WORDS_DIMENSION = 256;

/** The embedding function described above, named as the binding that selects it. */
export class HashedWordsEmbedding implements EmbeddingFunction {
  constructor(
    readonly name: string,
    readonly dimension = HASHED_WORDS_DIMENSION,
  ) {}

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.#vector(text));
  }

  #vector(text: string): Float32Array {
    const counts = new Map<string, number>();
    for (const term of indexTerms(text).split(' '))
      if (term !== '') counts.set(term, (counts.get(term) ?? 0) + 1);
    const vector = new Float32Array(this.dimension);
    for (const [term, count] of counts) {
      const hash = fnv1a(term);
      vector[hash % this.dimension]! += (hash & 0x80000000 ? -1 : 1) * (1 + Math.log(count));
    }
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((v) => v / norm);
  }
}

function fnv1a(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash;
}
