import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEmbeddingResolver } from '../../src/embed/registry.js';
import { MULTILINGUAL_MODEL } from '../../src/embed/transformers.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { makeTempDir } from '../helpers/clients.js';
import { TINY_HIDDEN_SIZE, writeTinyModel } from '../helpers/tiny-model.js';
import { DEFAULT_SCOPE } from './test-app.js';

describe('server-side embedding over HTTP', () => {
  const models = makeTempDir('kbgate-models-');
  afterAll(() => models.dispose());
  writeTinyModel(models.path);
  writeTinyModel(models.path, MULTILINGUAL_MODEL);
  const resolveEmbedding = createEmbeddingResolver({
    modelDir: models.path,
    offline: true,
    transformers: { model: 'tiny-bert' },
  });
  const { engine } = openEngine({ resolveEmbedding, defaultEmbedding: 'default' });
  const config = loadConfig({ KBGATE_DATA_DIR: ':memory:', KBGATE_EMBEDDING: 'default' });
  const app = createApp({ engine, config });

  it('should embed documents added without embeddings and answer query_texts', async () => {
    const created = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'embedded' })
      .expect(200);
    expect(created.body.kbgate).toEqual({ embedding: 'default' });
    const base = `${DEFAULT_SCOPE}/collections/${created.body.id}`;
    await request(app)
      .post(`${base}/add`)
      .send({ ids: ['a', 'b'], documents: ['hello world', 'the quick fox'] })
      .expect(201);
    const got = await request(app)
      .post(`${base}/get`)
      .send({ include: ['embeddings'] })
      .expect(200);
    expect(got.body.embeddings.map((e: number[]) => e.length)).toEqual([TINY_HIDDEN_SIZE, TINY_HIDDEN_SIZE]);
    const res = await request(app)
      .post(`${base}/query`)
      .send({ query_texts: ['the quick fox'], n_results: 1 })
      .expect(200);
    expect(res.body.ids).toEqual([['b']]);
    expect(res.body.distances[0][0]).toBeCloseTo(0, 5);
  });

  it('should bind a collection to multilingual through kbgate.embedding and answer query_texts', async () => {
    const created = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'multilingual-docs', kbgate: { embedding: 'multilingual' } })
      .expect(200);
    expect(created.body.kbgate).toEqual({ embedding: 'multilingual' });
    const base = `${DEFAULT_SCOPE}/collections/${created.body.id}`;
    await request(app)
      .post(`${base}/add`)
      .send({ ids: ['a', 'b'], documents: ['hello world', 'the cat sat on the mat'] })
      .expect(201);
    const res = await request(app)
      .post(`${base}/query`)
      .send({ query_texts: ['the cat sat on the mat'], n_results: 1 })
      .expect(200);
    expect(res.body.ids).toEqual([['b']]);
    // The query is embedded as "query: ...", the document as "passage: ...": close, but not the same vector.
    expect(res.body.distances[0][0]).toBeGreaterThan(1e-3);
  });

  it('should answer 400 naming the fix when a lexical-only collection gets query_texts', async () => {
    const created = await request(app)
      .post(`${DEFAULT_SCOPE}/collections`)
      .send({ name: 'lexical', kbgate: { embedding: 'none' } })
      .expect(200);
    const base = `${DEFAULT_SCOPE}/collections/${created.body.id}`;
    await request(app)
      .post(`${base}/add`)
      .send({ ids: ['a'], documents: ['kept as text only'] })
      .expect(201);
    const res = await request(app)
      .post(`${base}/query`)
      .send({ query_texts: ['text'] })
      .expect(400);
    expect(res.body.message).toMatch(/queryEmbeddings|embedding/);
  });
});
