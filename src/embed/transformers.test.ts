import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../engine/errors.js';
import {
  expectedEmbedding,
  TINY_HIDDEN_SIZE,
  writeTinyModel,
  type TinyModel,
} from '../../test/helpers/tiny-model.js';
import { MULTILINGUAL_MODEL, TransformersEmbedding } from './transformers.js';

function norm(vector: Float32Array): number {
  return Math.hypot(...vector);
}

function expectClose(actual: Float32Array | undefined, expected: Float32Array): void {
  expect(actual).toBeDefined();
  expect(Array.from(actual ?? [])).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 5)));
}

describe('TransformersEmbedding', () => {
  let root: string;
  let tiny: TinyModel;
  let embedding: TransformersEmbedding;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kbgate-embed-'));
    tiny = writeTinyModel(join(root, 'models'));
    embedding = new TransformersEmbedding({
      modelDir: tiny.modelDir,
      model: tiny.model,
      offline: true,
      batchSize: 4,
    });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('should be named default', () => {
    expect(embedding.name).toBe('default');
  });

  it('should return one unit-length vector of the hidden size per text', async () => {
    const vectors = await embedding.embed(['hello world', 'the cat sat on the mat', 'knowledge base']);
    expect(vectors).toHaveLength(3);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(TINY_HIDDEN_SIZE);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
  });

  it('should mean-pool the token embeddings of the tokenized text, ignoring padding', async () => {
    const [short, long] = await embedding.embed(['Hello world', 'The cats sat on the mat.']);
    expectClose(short, expectedEmbedding(tiny, ['[CLS]', 'hello', 'world', '[SEP]']));
    const catTokens = ['[CLS]', 'the', 'cat', '##s', 'sat', 'on', 'the', 'mat', '.', '[SEP]'];
    expectClose(long, expectedEmbedding(tiny, catTokens));
  });

  it('should map words outside the vocabulary to [UNK]', async () => {
    const [vector] = await embedding.embed(['hello zebra']);
    expectClose(vector, expectedEmbedding(tiny, ['[CLS]', 'hello', '[UNK]', '[SEP]']));
  });

  it('should give identical texts identical vectors', async () => {
    const [first, second] = await embedding.embed(['the knowledge base', 'the knowledge base']);
    expect(Array.from(first ?? [])).toEqual(Array.from(second ?? []));
  });

  it('should embed more texts than one batch holds, in input order', async () => {
    const words = ['hello', 'world', 'the', 'cat', 'sat', 'on', 'mat', 'knowledge', 'base', '.'];
    const vectors = await embedding.embed(words);
    expect(vectors).toHaveLength(words.length);
    words.forEach((word, i) => expectClose(vectors[i], expectedEmbedding(tiny, ['[CLS]', word, '[SEP]'])));
  });

  it('should return no vectors for no texts', async () => {
    await expect(embedding.embed([])).resolves.toEqual([]);
    await expect(embedding.embedQuery([])).resolves.toEqual([]);
  });

  it('should embed query texts exactly as documents, without prefixes', async () => {
    const [query] = await embedding.embedQuery(['hello world']);
    expectClose(query, expectedEmbedding(tiny, ['[CLS]', 'hello', 'world', '[SEP]']));
  });

  it('should share one loaded model between instances with the same options', async () => {
    const dir = join(root, 'shared');
    const model = writeTinyModel(dir, 'shared-bert');
    const options = { modelDir: dir, model: 'shared-bert', offline: true };
    await new TransformersEmbedding(options).load();
    rmSync(join(dir, 'shared-bert'), { recursive: true });
    const [vector] = await new TransformersEmbedding(options).embed(['hello']);
    expectClose(vector, expectedEmbedding(model, ['[CLS]', 'hello', '[SEP]']));
  });

  describe('when the model is missing and kbgate is offline', () => {
    it('should fail with FAILED_PRECONDITION naming the fix and keeping the cause', async () => {
      const missing = new TransformersEmbedding({
        modelDir: join(root, 'empty'),
        model: 'absent',
        offline: true,
      });
      const error: unknown = await missing.embed(['hello']).catch((err: unknown) => err);
      expect(isEngineError(error, 'FAILED_PRECONDITION')).toBe(true);
      expect((error as Error).message).toMatch(/KBGATE_MODEL_DIR/);
      expect((error as Error).message).toMatch(/model:download/);
      expect((error as Error).message).toMatch(/KBGATE_OFFLINE/);
      expect((error as Error).cause).toBeInstanceOf(Error);
    });

    it('should keep other embedding functions working', async () => {
      const missing = new TransformersEmbedding({
        modelDir: join(root, 'empty'),
        model: 'absent',
        offline: true,
      });
      await expect(missing.embed(['hello'])).rejects.toThrow();
      const [vector] = await embedding.embed(['hello world']);
      expectClose(vector, expectedEmbedding(tiny, ['[CLS]', 'hello', 'world', '[SEP]']));
    });

    it('should load the model on a later call once it has been put in place', async () => {
      const dir = join(root, 'late');
      const late = new TransformersEmbedding({ modelDir: dir, model: 'late-bert', offline: true });
      await expect(late.embed(['hello'])).rejects.toSatisfy((err) =>
        isEngineError(err, 'FAILED_PRECONDITION'),
      );
      const model = writeTinyModel(dir, 'late-bert', 7);
      const [vector] = await late.embed(['hello']);
      expectClose(vector, expectedEmbedding(model, ['[CLS]', 'hello', '[SEP]']));
    });
  });

  describe('with the multilingual preset', () => {
    let models: string;
    let e5: TinyModel;
    let multilingual: TransformersEmbedding;

    beforeAll(() => {
      models = join(root, 'multilingual');
      e5 = writeTinyModel(models, MULTILINGUAL_MODEL, 11);
      multilingual = new TransformersEmbedding({ preset: 'multilingual', modelDir: models, offline: true });
    });

    it('should be named multilingual and load the multilingual model from the model directory', async () => {
      expect(multilingual.name).toBe('multilingual');
      const [vector] = await multilingual.embed(['hello']);
      expect(vector).toHaveLength(TINY_HIDDEN_SIZE);
    });

    it('should embed documents as "passage: <text>"', async () => {
      const [vector] = await multilingual.embed(['hello world']);
      expectClose(vector, expectedEmbedding(e5, ['[CLS]', 'passage', ':', 'hello', 'world', '[SEP]']));
    });

    it('should embed query texts as "query: <text>"', async () => {
      const [vector] = await multilingual.embedQuery(['hello world']);
      expectClose(vector, expectedEmbedding(e5, ['[CLS]', 'query', ':', 'hello', 'world', '[SEP]']));
    });

    it('should prefix every text of a run longer than one batch', async () => {
      const small = new TransformersEmbedding({
        preset: 'multilingual',
        modelDir: models,
        offline: true,
        batchSize: 2,
      });
      const words = ['hello', 'world', 'cat', 'mat', 'base'];
      const vectors = await small.embedQuery(words);
      words.forEach((word, i) =>
        expectClose(vectors[i], expectedEmbedding(e5, ['[CLS]', 'query', ':', word, '[SEP]'])),
      );
    });

    it('should fail offline without the model with FAILED_PRECONDITION naming its download command', async () => {
      const missing = new TransformersEmbedding({
        preset: 'multilingual',
        modelDir: join(root, 'empty'),
        offline: true,
      });
      const error: unknown = await missing.embedQuery(['hello']).catch((err: unknown) => err);
      expect(isEngineError(error, 'FAILED_PRECONDITION')).toBe(true);
      expect((error as Error).message).toContain(MULTILINGUAL_MODEL);
      expect((error as Error).message).toContain('npm run model:download -- multilingual');
      expect((error as Error).message).toMatch(/KBGATE_MODEL_DIR/);
    });
  });

  it('should reject a batch size that is not a positive integer', () => {
    expect(() => new TransformersEmbedding({ batchSize: 0 })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
