/** `npm run model:download`: fetches the default embedding model into KBGATE_MODEL_DIR (default ./models). */
import { Command } from 'commander';
import { loadConfig } from '../src/config.js';
import { downloadModel } from '../src/embed/download-model.js';
import { DEFAULT_MODEL } from '../src/embed/transformers.js';

const DEFAULT_MODEL_DIR = './models';

const program = new Command('model:download')
  .description('Download the embedding model so that kbgate can run with KBGATE_OFFLINE=1.')
  .option('--dir <path>', `model directory (default: KBGATE_MODEL_DIR, else ${DEFAULT_MODEL_DIR})`)
  .option('--model <id>', 'Hugging Face model id', DEFAULT_MODEL)
  .option('--host <url>', 'Hugging Face mirror to download from (default: https://huggingface.co/)')
  .parse();

const options = program.opts<{ dir?: string; model: string; host?: string }>();

try {
  const modelDir = options.dir ?? loadConfig(process.env).modelDir ?? DEFAULT_MODEL_DIR;
  const result = await downloadModel({ modelDir, model: options.model, remoteHost: options.host });
  console.log(`${options.model} is in ${result.directory} (${result.dimension} dimensions).`);
  console.log(`Run kbgate with KBGATE_MODEL_DIR=${modelDir} (and KBGATE_OFFLINE=1 to never download).`);
} catch (err) {
  console.error(`model:download failed: ${err instanceof Error ? err.message : String(err)}`);
  if (err instanceof Error && err.cause instanceof Error) console.error(`  cause: ${err.cause.message}`);
  process.exitCode = 1;
}
