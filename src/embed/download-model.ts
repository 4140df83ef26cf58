/** Fetches a local embedding model (a preset's, by default `default`'s) into a model directory, for offline use. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../engine/errors.js';
import {
  downloadCommand,
  TRANSFORMERS_PRESETS,
  TransformersEmbedding,
  type TransformersPresetName,
} from './transformers.js';

/** What to fetch and where to put it. */
export interface DownloadModelOptions {
  /** The model directory (KBGATE_MODEL_DIR); files land in `<modelDir>/<model>/`. */
  modelDir: string;
  /** The preset whose model to fetch (default `default`). */
  preset?: TransformersPresetName;
  /** A model id other than the preset's. */
  model?: string;
  quantized?: boolean;
  /** A Hugging Face mirror with the Hub's URL layout, instead of huggingface.co. */
  remoteHost?: string;
}

/** Where the model now is and the dimension it embeds to. */
export interface DownloadedModel {
  directory: string;
  dimension: number;
}

/**
 * Downloads the model's config, tokenizer and ONNX weights (files already present are kept) and checks it embeds.
 *
 * @remarks
 * Throws UNAVAILABLE naming the way out when the files cannot be fetched (typically: no network on this machine).
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadedModel> {
  const preset = options.preset ?? 'default';
  const model = options.model ?? TRANSFORMERS_PRESETS[preset].model;
  const quantized = options.quantized ?? true;
  const directory = join(options.modelDir, model);
  const embedding = new TransformersEmbedding({ ...options, preset, model, quantized, offline: false });
  let vector: Float32Array | undefined;
  try {
    [vector] = await embedding.embed(['kbgate checks the embedding model']);
  } catch (err) {
    const host = options.remoteHost ?? 'huggingface.co';
    throw new EngineError(
      'UNAVAILABLE',
      `could not download ${model} from ${host} into ${directory}: run \`${downloadCommand(preset)}\` on a machine ` +
        `with network access to ${host} and copy its model directory to KBGATE_MODEL_DIR here`,
      { cause: err },
    );
  }
  const weights = join(directory, 'onnx', quantized ? 'model_quantized.onnx' : 'model.onnx');
  if (!vector || !existsSync(weights)) {
    throw new EngineError('INTERNAL', `${model} loaded, but ${weights} is not in the model directory`);
  }
  return { directory, dimension: vector.length };
}
