/** Local embedding functions run through transformers.js (ONNX Runtime): `default` and `multilingual`. */
import { EngineError } from '../engine/errors.js';
import type { EmbeddingFunction } from '../engine/ports.js';

/** A local model kbgate knows by name: which files to load and the prefixes it was trained with. */
export interface TransformersPreset {
  /** The registry name of the function, as a collection's binding spells it. */
  name: string;
  /** Hugging Face repository id: a folder under the model directory. */
  model: string;
  /** Put before every query text. */
  queryPrefix: string;
  /** Put before every document. */
  documentPrefix: string;
}

/**
 * The local presets: both 384-dimensional, mean-pooled and normalized.
 *
 * @remarks
 * all-MiniLM-L6-v2 (Chroma's default) is English-only and symmetric. multilingual-e5-small covers about 100
 * languages and, as its model card requires, reads `query: ` before questions and `passage: ` before documents.
 */
export const TRANSFORMERS_PRESETS = {
  default: { name: 'default', model: 'Xenova/all-MiniLM-L6-v2', queryPrefix: '', documentPrefix: '' },
  multilingual: {
    name: 'multilingual',
    model: 'Xenova/multilingual-e5-small',
    queryPrefix: 'query: ',
    documentPrefix: 'passage: ',
  },
} as const satisfies Record<string, TransformersPreset>;

/** The name of a local preset. */
export type TransformersPresetName = keyof typeof TRANSFORMERS_PRESETS;

/** The Hugging Face model the default function loads: 384-dimensional English sentence embeddings. */
export const DEFAULT_MODEL = TRANSFORMERS_PRESETS.default.model;
/** The Hugging Face model the multilingual function loads: 384-dimensional multilingual e5 embeddings. */
export const MULTILINGUAL_MODEL = TRANSFORMERS_PRESETS.multilingual.model;

/** Whether a name is one of the local presets. */
export function isTransformersPreset(name: string): name is TransformersPresetName {
  return Object.hasOwn(TRANSFORMERS_PRESETS, name);
}

/** The command that fills a model directory with a preset's files, for error messages and docs. */
export function downloadCommand(preset: TransformersPresetName): string {
  return preset === 'default' ? 'npm run model:download' : `npm run model:download -- ${preset}`;
}

/** How many texts go through the model in one run. */
export const DEFAULT_BATCH_SIZE = 32;

/** Where the model comes from and how it runs. */
export interface TransformersEmbeddingOptions {
  /** Which preset: its name, model and prefixes (default `default`). */
  preset?: TransformersPresetName;
  /** A directory holding `<model>/...` files (KBGATE_MODEL_DIR); downloads are cached there too. */
  modelDir?: string;
  /** Never download (KBGATE_OFFLINE): the model must already be in `modelDir`. */
  offline?: boolean;
  /** Model name, a folder under `modelDir` or a Hugging Face repository id; default: the preset's model. */
  model?: string;
  /** Load `onnx/model_quantized.onnx` rather than `onnx/model.onnx`. */
  quantized?: boolean;
  batchSize?: number;
  /** Where to download from instead of the Hugging Face Hub, e.g. a mirror with the same URL layout. */
  remoteHost?: string;
}

type ResolvedOptions = Required<Omit<TransformersEmbeddingOptions, 'modelDir' | 'remoteHost'>> &
  Pick<TransformersEmbeddingOptions, 'modelDir' | 'remoteHost'>;

/** The part of transformers.js's feature-extraction pipeline this module uses. */
type Extractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ dims: number[]; data: Float32Array }>;

// One load per configuration per process; a failed load is forgotten so that a later call may retry.
const LOADED = new Map<string, Promise<Extractor>>();
// transformers.js keeps its settings in one global `env`: loads run one at a time so they cannot interleave.
let loadQueue: Promise<unknown> = Promise.resolve();

/**
 * Mean-pooled, L2-normalized sentence embeddings from a local ONNX model.
 *
 * @remarks
 * The model loads lazily on the first `embed` and is shared by every instance with the same options. When it cannot
 * be had, `embed` throws FAILED_PRECONDITION naming the fix; nothing else in the process is affected. Documents
 * and query texts get the preset's prefixes; the caller passes them bare.
 */
export class TransformersEmbedding implements EmbeddingFunction {
  readonly name: string;
  readonly #options: ResolvedOptions;

  constructor(options: TransformersEmbeddingOptions = {}) {
    const preset = options.preset ?? 'default';
    this.name = TRANSFORMERS_PRESETS[preset].name;
    this.#options = {
      preset,
      modelDir: options.modelDir,
      offline: options.offline ?? false,
      model: options.model ?? TRANSFORMERS_PRESETS[preset].model,
      quantized: options.quantized ?? true,
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      remoteHost: options.remoteHost,
    };
    if (!Number.isInteger(this.#options.batchSize) || this.#options.batchSize < 1) {
      throw new EngineError(
        'INVALID_ARGUMENT',
        `batchSize must be a positive integer, got ${options.batchSize}`,
      );
    }
  }

  /** Embeds documents (with the preset's document prefix) in batches; one vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]> {
    return this.#embedPrefixed(TRANSFORMERS_PRESETS[this.#options.preset].documentPrefix, texts);
  }

  /** Embeds query texts (with the preset's query prefix) in batches; one vector per text, in input order. */
  embedQuery(texts: string[]): Promise<Float32Array[]> {
    return this.#embedPrefixed(TRANSFORMERS_PRESETS[this.#options.preset].queryPrefix, texts);
  }

  /** Loads the model now (or waits for the load under way), e.g. to warm up before serving. */
  async load(): Promise<void> {
    await this.#extractor();
  }

  async #embedPrefixed(prefix: string, texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const extractor = await this.#extractor();
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#options.batchSize) {
      const batch = texts.slice(start, start + this.#options.batchSize).map((text) => prefix + text);
      vectors.push(...(await runBatch(extractor, batch)));
    }
    return vectors;
  }

  #extractor(): Promise<Extractor> {
    const key = JSON.stringify(this.#options, ['modelDir', 'offline', 'model', 'quantized', 'remoteHost']);
    let loading = LOADED.get(key);
    if (!loading) {
      loading = enqueueLoad(this.#options);
      LOADED.set(key, loading);
      loading.catch(() => LOADED.delete(key));
    }
    return loading;
  }
}

function enqueueLoad(options: ResolvedOptions): Promise<Extractor> {
  const run = loadQueue.then(() => loadExtractor(options));
  loadQueue = run.catch(() => undefined);
  return run;
}

async function loadExtractor(options: ResolvedOptions): Promise<Extractor> {
  try {
    const transformers = await import('@xenova/transformers');
    configureEnv(transformers.env, options);
    const extractor = await transformers.pipeline('feature-extraction', options.model, {
      quantized: options.quantized,
      local_files_only: options.offline,
    });
    return extractor as unknown as Extractor;
  } catch (err) {
    throw modelUnavailable(options, err);
  }
}

interface TransformersEnv {
  remoteHost: string;
  localModelPath: string;
  cacheDir: string | null;
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
}

let defaultEnv: Pick<TransformersEnv, 'remoteHost' | 'localModelPath' | 'cacheDir'> | undefined;

/** Points transformers.js at the model directory; with one, downloads are cached there in the same layout. */
function configureEnv(env: TransformersEnv, options: ResolvedOptions): void {
  defaultEnv ??= { remoteHost: env.remoteHost, localModelPath: env.localModelPath, cacheDir: env.cacheDir };
  env.remoteHost = options.remoteHost ?? defaultEnv.remoteHost;
  env.allowLocalModels = true;
  env.allowRemoteModels = !options.offline;
  env.localModelPath = options.modelDir ?? defaultEnv.localModelPath;
  env.cacheDir = options.modelDir ?? defaultEnv.cacheDir;
}

/** The FAILED_PRECONDITION error for a model that cannot be loaded, naming the fix for this configuration. */
function modelUnavailable(options: ResolvedOptions, cause: unknown): EngineError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = `embedding model ${options.model} ${describeFix(options)} (${reason.slice(0, 300)})`;
  return new EngineError('FAILED_PRECONDITION', message, { cause });
}

function describeFix({ modelDir, offline, preset }: ResolvedOptions): string {
  const download = 'or unset KBGATE_OFFLINE to download it on first use';
  const command = `\`${downloadCommand(preset)}\``;
  if (offline && modelDir) {
    return (
      `is not in KBGATE_MODEL_DIR (${modelDir}) and KBGATE_OFFLINE forbids downloading it: fill that directory ` +
      `with ${command} (here or on a connected machine, then copy it), ${download}`
    );
  }
  if (offline) {
    return (
      'is not available: KBGATE_OFFLINE is set but KBGATE_MODEL_DIR is not; set KBGATE_MODEL_DIR to a directory ' +
      `filled by ${command}, ${download}`
    );
  }
  return (
    'could not be loaded or downloaded: allow network access to huggingface.co, or fill a directory with ' +
    `${command} on a connected machine and set KBGATE_MODEL_DIR to it`
  );
}

async function runBatch(extractor: Extractor, texts: string[]): Promise<Float32Array[]> {
  const output = await extractor(texts, { pooling: 'mean', normalize: true });
  const [rows, dimension] = output.dims;
  if (output.dims.length !== 2 || rows !== texts.length || !dimension) {
    throw new EngineError('INTERNAL', `embedding model returned shape [${output.dims.join(', ')}]`);
  }
  return Array.from({ length: rows }, (_, i) => output.data.slice(i * dimension, (i + 1) * dimension));
}
