/** Whether an embedding binding can work with this configuration: a cheap look (start-up) and a real try (doctor). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { embeddingOptionsFrom } from '../engine-factory.js';
import { TRANSFORMERS_PRESETS } from '../embed/transformers.js';

/** Milliseconds `probeEmbedding` waits for one embedding before calling the function unusable. */
const PROBE_TIMEOUT_MS = 60_000;

/** The outcome of a look at an embedding binding: `ok` null when it cannot be known without trying. */
export interface EmbeddingStatus {
  ok: boolean | null;
  detail: string;
}

/** Looks at a binding without loading anything: local model files present, embeddings URL set. */
export function lookAtEmbedding(name: string | null, config: Config): EmbeddingStatus {
  if (name === null || name === 'none') return { ok: true, detail: 'lexical only, no model needed' };
  if (name.startsWith('openai:')) {
    return config.embeddingUrl === null
      ? { ok: false, detail: 'KBGATE_EMBEDDING_URL is not set' }
      : { ok: null, detail: `served by ${config.embeddingUrl}` };
  }
  const preset = (TRANSFORMERS_PRESETS as Record<string, { model: string }>)[name];
  if (!preset) return { ok: false, detail: 'unknown embedding function' };
  if (config.modelDir !== null && existsSync(join(config.modelDir, preset.model, 'onnx')))
    return { ok: true, detail: `${preset.model} found in ${config.modelDir}` };
  if (config.offline)
    return {
      ok: false,
      detail: `${preset.model} is not in KBGATE_MODEL_DIR and KBGATE_OFFLINE forbids downloading it`,
    };
  return { ok: null, detail: `${preset.model} is downloaded from huggingface.co on first use` };
}

/** Embeds one text with the binding, so every way it can fail (files, network, server) shows. */
export async function probeEmbedding(name: string | null, config: Config): Promise<EmbeddingStatus> {
  if (name === null || name === 'none') return { ok: true, detail: 'lexical only, no model needed' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const fn = embeddingOptionsFrom(config).resolveEmbedding(name);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)),
        PROBE_TIMEOUT_MS,
      );
    });
    const [vector] = await Promise.race([fn.embed(['kbgate checks its embedding function']), timeout]);
    return { ok: true, detail: `embeds to ${vector?.length ?? 0} dimensions` };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
