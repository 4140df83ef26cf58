import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../engine/errors.js';
import { TINY_HIDDEN_SIZE, writeTinyModel } from '../../test/helpers/tiny-model.js';
import { downloadModel } from './download-model.js';
import { MULTILINGUAL_MODEL } from './transformers.js';

/** Serves `<root>/<model>/<file>` at `/<model>/resolve/main/<file>`, as the Hugging Face Hub lays out files. */
async function startFakeHub(root: string): Promise<{ host: string; paths: string[]; server: Server }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '');
    paths.push(path);
    const file = join(root, path.replace('/resolve/main/', '/'));
    if (path.includes('..') || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, paths, server };
}

describe('downloadModel', () => {
  let root: string;
  let hub: Awaited<ReturnType<typeof startFakeHub>>;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kbgate-download-'));
    writeTinyModel(join(root, 'hub'), 'org/hub-bert');
    hub = await startFakeHub(join(root, 'hub'));
  });

  afterAll(async () => {
    hub.server.closeAllConnections();
    await new Promise((resolve) => hub.server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  it('should fetch the model files into <modelDir>/<model> and report its dimension', async () => {
    const modelDir = join(root, 'downloaded');
    const result = await downloadModel({ modelDir, model: 'org/hub-bert', remoteHost: hub.host });
    expect(result).toEqual({ directory: join(modelDir, 'org/hub-bert'), dimension: TINY_HIDDEN_SIZE });
    expect(existsSync(join(modelDir, 'org/hub-bert', 'onnx', 'model_quantized.onnx'))).toBe(true);
    expect(existsSync(join(modelDir, 'org/hub-bert', 'tokenizer.json'))).toBe(true);
    expect(hub.paths).toContain('/org/hub-bert/resolve/main/onnx/model_quantized.onnx');
  });

  it("should fetch a preset's model when given only the preset", async () => {
    writeTinyModel(join(root, 'hub'), MULTILINGUAL_MODEL);
    const modelDir = join(root, 'preset');
    const result = await downloadModel({ modelDir, preset: 'multilingual', remoteHost: hub.host });
    expect(result).toEqual({ directory: join(modelDir, MULTILINGUAL_MODEL), dimension: TINY_HIDDEN_SIZE });
    expect(hub.paths).toContain(`/${MULTILINGUAL_MODEL}/resolve/main/onnx/model_quantized.onnx`);
  });

  it('should keep a model that is already in the directory without fetching it', async () => {
    const tiny = writeTinyModel(join(root, 'present'), 'org/present-bert');
    const before = hub.paths.length;
    const result = await downloadModel({ modelDir: tiny.modelDir, model: tiny.model, remoteHost: hub.host });
    expect(result.dimension).toBe(TINY_HIDDEN_SIZE);
    expect(hub.paths.length).toBe(before);
  });

  it('should fail with UNAVAILABLE naming the way out when the files cannot be fetched', async () => {
    const error: unknown = await downloadModel({
      modelDir: join(root, 'nowhere'),
      model: 'org/absent-bert',
      remoteHost: hub.host,
    }).catch((err: unknown) => err);
    expect(isEngineError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/KBGATE_MODEL_DIR/);
  });

  it("should name the preset's download command when its model cannot be fetched", async () => {
    const error: unknown = await downloadModel({
      modelDir: join(root, 'nowhere-multilingual'),
      preset: 'multilingual',
      model: 'org/absent-e5',
      remoteHost: hub.host,
    }).catch((err: unknown) => err);
    expect(isEngineError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('npm run model:download -- multilingual');
  });
});
