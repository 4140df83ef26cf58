/** The default embedding function: all-MiniLM-L6-v2 run locally through transformers.js (ONNX Runtime). */
import { EngineError } from '../engine/errors.js';
import type { EmbeddingFunction } from '../engine/ports.js';

/** The Hugging Face model the default function loads: 384-dimensional sentence embeddings. */
export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

/** How many texts go through the model in one run. */
export const DEFAULT_BATCH_SIZE = 32;

/** Where the model comes from and how it runs. */
export interface TransformersEmbeddingOptions {
  /** A directory holding `<model>/...` files (KBGATE_MODEL_DIR); downloads are cached there too. */
  modelDir?: string;
  /** Never download (KBGATE_OFFLINE): the model must already be in `modelDir`. */
  offline?: boolean;
  /** Model name, a folder under `modelDir` or a Hugging Face repository id. */
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
 * be had, `embed` throws FAILED_PRECONDITION naming the fix; nothing else in the process is affected.
 */
export class TransformersEmbedding implements EmbeddingFunction {
  readonly name = 'default';
  readonly #options: ResolvedOptions;

  constructor(options: TransformersEmbeddingOptions = {}) {
    this.#options = {
      modelDir: options.modelDir,
      offline: options.offline ?? false,
      model: options.model ?? DEFAULT_MODEL,
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

  /** Embeds texts in batches; one vector per text, in input order. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const extractor = await this.#extractor();
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#options.batchSize) {
      const batch = texts.slice(start, start + this.#options.batchSize);
      vectors.push(...(await runBatch(extractor, batch)));
    }
    return vectors;
  }

  /** Loads the model now (or waits for the load under way), e.g. to warm up before serving. */
  async load(): Promise<void> {
    await this.#extractor();
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

function describeFix({ modelDir, offline }: ResolvedOptions): string {
  const download = 'or unset KBGATE_OFFLINE to download it on first use';
  if (offline && modelDir) {
    return (
      `is not in KBGATE_MODEL_DIR (${modelDir}) and KBGATE_OFFLINE forbids downloading it: fill that directory ` +
      `with \`npm run model:download\` (here or on a connected machine, then copy it), ${download}`
    );
  }
  if (offline) {
    return (
      'is not available: KBGATE_OFFLINE is set but KBGATE_MODEL_DIR is not; set KBGATE_MODEL_DIR to a directory ' +
      `filled by \`npm run model:download\`, ${download}`
    );
  }
  return (
    'could not be loaded or downloaded: allow network access to huggingface.co, or fill a directory with ' +
    '`npm run model:download` on a connected machine and set KBGATE_MODEL_DIR to it'
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
