/** `npm run model:download [-- multilingual]`: fetches a local embedding model into KBGATE_MODEL_DIR (default ./models). */
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../src/config.js';
import { downloadModel } from '../src/embed/download-model.js';
import {
  isTransformersPreset,
  TRANSFORMERS_PRESETS,
  type TransformersPresetName,
} from '../src/embed/transformers.js';

const DEFAULT_MODEL_DIR = './models';
const PRESETS = Object.keys(TRANSFORMERS_PRESETS).join(', ');

function parsePreset(value: string): TransformersPresetName {
  if (!isTransformersPreset(value)) throw new InvalidArgumentError(`expected one of ${PRESETS}`);
  return value;
}

const program = new Command('model:download')
  .description('Download an embedding model so that kbgate can run with KBGATE_OFFLINE=1.')
  .argument('[preset]', `embedding function whose model to fetch: ${PRESETS}`, parsePreset, 'default')
  .option('--dir <path>', `model directory (default: KBGATE_MODEL_DIR, else ${DEFAULT_MODEL_DIR})`)
  .option('--model <id>', "Hugging Face model id (default: the preset's)")
  .option('--host <url>', 'Hugging Face mirror to download from (default: https://huggingface.co/)')
  .parse();

const preset = program.processedArgs[0] as TransformersPresetName;
const options = program.opts<{ dir?: string; model?: string; host?: string }>();
const model = options.model ?? TRANSFORMERS_PRESETS[preset].model;

try {
  const modelDir = options.dir ?? loadConfig(process.env).modelDir ?? DEFAULT_MODEL_DIR;
  const result = await downloadModel({ modelDir, preset, model, remoteHost: options.host });
  console.log(`${model} is in ${result.directory} (${result.dimension} dimensions).`);
  console.log(`Run kbgate with KBGATE_MODEL_DIR=${modelDir} (and KBGATE_OFFLINE=1 to never download).`);
} catch (err) {
  console.error(`model:download failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof Error && err.cause instanceof Error) console.error(`  cause: ${err.cause.message}`);
  process.exitCode = 1;
}
