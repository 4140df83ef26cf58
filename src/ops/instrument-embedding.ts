/** Embedding functions that report their calls, texts and latency to the metrics registry. */
import type { EmbeddingResolver } from '../engine/database.js';
import type { EmbeddingFunction } from '../engine/ports.js';
import { recordEmbedding } from './metrics.js';

/** Wraps a resolver so every function it returns is measured; the same function always gets the same wrapper. */
export function instrumentEmbeddings(resolve: EmbeddingResolver): EmbeddingResolver {
  const wrappers = new WeakMap<EmbeddingFunction, EmbeddingFunction>();
  return (name) => {
    const fn = resolve(name);
    let wrapped = wrappers.get(fn);
    if (wrapped === undefined) {
      wrapped = measured(fn);
      wrappers.set(fn, wrapped);
    }
    return wrapped;
  };
}

function measured(fn: EmbeddingFunction): EmbeddingFunction {
  const embedQuery = fn.embedQuery;
  return {
    name: fn.name,
    embed: (texts) => timed(fn.name, 'document', texts, () => fn.embed(texts)),
    ...(embedQuery && {
      embedQuery: (texts: string[]) => timed(fn.name, 'query', texts, () => embedQuery.call(fn, texts)),
    }),
  };
}

async function timed(
  name: string,
  kind: 'document' | 'query',
  texts: string[],
  call: () => Promise<Float32Array[]>,
): Promise<Float32Array[]> {
  const started = performance.now();
  let ok = false;
  try {
    const vectors = await call();
    ok = true;
    return vectors;
  } finally {
    recordEmbedding(name, kind, texts.length, (performance.now() - started) / 1000, ok);
  }
}
