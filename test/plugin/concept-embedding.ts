/** A deterministic fake embedding function that knows a few synonyms, so vector search finds what BM25 misses. */
import type { Engine } from '../../src/engine/database.js';
import { EngineError } from '../../src/engine/errors.js';
import type { EmbeddingFunction } from '../../src/engine/ports.js';
import { openEngine } from '../../src/engine-factory.js';

/** Words that share a dimension: the fake model's notion of meaning. */
const CONCEPTS: readonly (readonly string[])[] = [
  ['car', 'cars', 'automobile', 'automobiles', 'vehicle', 'vehicles'],
  ['dog', 'dogs', 'puppy', 'puppies', 'canine'],
  ['cook', 'cooking', 'recipe', 'recipes', 'kitchen'],
  ['money', 'finance', 'bank', 'banking', 'budget'],
];

/** Binding name of {@link conceptEmbedding} in engines made by {@link openConceptEngine}. */
export const CONCEPT_BINDING = 'openai:concepts';

/** Dimensions of {@link conceptEmbedding}: one per concept plus one that every text has. */
export const CONCEPT_DIMENSION = CONCEPTS.length + 1;

/** Embeds a text as counts of its concept words (plus a constant), L2-normalised. */
export function embedConcepts(text: string): Float32Array {
  const vector = new Float32Array(CONCEPT_DIMENSION);
  vector[CONCEPTS.length] = 0.1;
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    CONCEPTS.forEach((words, i) => {
      if (words.includes(word)) vector[i] = (vector[i] ?? 0) + 1;
    });
  }
  const norm = Math.hypot(...vector);
  return vector.map((x) => x / norm);
}

/** The fake embedding function. */
export const conceptEmbedding: EmbeddingFunction = {
  name: CONCEPT_BINDING,
  embed: async (texts) => texts.map(embedConcepts),
};

/** Binding of a function whose model is missing: every call fails with FAILED_PRECONDITION. */
export const BROKEN_BINDING = 'openai:missing-model';

const brokenEmbedding: EmbeddingFunction = {
  name: BROKEN_BINDING,
  embed: async () => {
    throw new EngineError('FAILED_PRECONDITION', 'model files are missing');
  },
};

/**
 * An engine in memory with the bindings {@link CONCEPT_BINDING} (working) and {@link BROKEN_BINDING} (failing);
 * collections default to `none` (lexical only).
 */
export function openConceptEngine(): Engine {
  const { engine } = openEngine({
    resolveEmbedding: (name) => {
      if (name === CONCEPT_BINDING) return conceptEmbedding;
      if (name === BROKEN_BINDING) return brokenEmbedding;
      throw new EngineError('FAILED_PRECONDITION', `no embedding function ${name} in tests`);
    },
    defaultEmbedding: 'none',
  });
  return engine;
}
