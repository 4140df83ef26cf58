import { afterEach, describe, expect, it } from 'vitest';
import { isEngineError } from '../engine/errors.js';
import {
  embeddingsReply,
  startFakeEmbeddingServer,
  vectorFor,
  type FakeEmbeddingServer,
  type FakeHandler,
} from '../../test/helpers/fake-embedding-server.js';
import {
  OpenAICompatibleEmbedding,
  parseEmbeddingResponse,
  parseRetryAfter,
  type OpenAICompatibleEmbeddingOptions,
} from './openai-compatible.js';

const TEXTS = Array.from({ length: 10 }, (_, i) => `text number ${i}`);

describe('OpenAICompatibleEmbedding', () => {
  let server: FakeEmbeddingServer | undefined;
  let delays: number[];

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(
    handler?: FakeHandler,
    options: Partial<OpenAICompatibleEmbeddingOptions> = {},
  ): Promise<OpenAICompatibleEmbedding> {
    server = await startFakeEmbeddingServer(handler);
    delays = [];
    return new OpenAICompatibleEmbedding({
      baseUrl: server.baseUrl,
      model: 'text-embedder',
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...options,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<Error> {
    const error: unknown = await promise.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isEngineError(error, 'UNAVAILABLE')).toBe(true);
    return error as Error;
  }

  it('should be named after its model', async () => {
    const embedding = await start();
    expect(embedding.name).toBe('openai:text-embedder');
  });

  it('should POST the model and inputs to {baseUrl}/embeddings and return the vectors in order', async () => {
    const embedding = await start();
    const vectors = await embedding.embed(['alpha', 'beta']);
    expect(server?.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/embeddings',
      body: { model: 'text-embedder', input: ['alpha', 'beta'] },
    });
    expect(vectors.map((v) => Array.from(v))).toEqual([vectorFor('alpha', 4), vectorFor('beta', 4)]);
    expect(vectors[0]).toBeInstanceOf(Float32Array);
  });

  it('should accept a base URL with a trailing slash', async () => {
    server = await startFakeEmbeddingServer();
    const embedding = new OpenAICompatibleEmbedding({ baseUrl: `${server.baseUrl}/`, model: 'm' });
    await embedding.embed(['alpha']);
    expect(server.requests[0]?.path).toBe('/v1/embeddings');
  });

  it('should split inputs into batches of the configured size', async () => {
    const embedding = await start(undefined, { batchSize: 4 });
    const vectors = await embedding.embed(TEXTS);
    expect(server?.requests.map((r) => (r.body.input as string[]).length)).toEqual([4, 4, 2]);
    expect(vectors.map((v) => Array.from(v))).toEqual(TEXTS.map((t) => vectorFor(t, 4)));
  });

  it('should send no request for no texts', async () => {
    const embedding = await start();
    await expect(embedding.embed([])).resolves.toEqual([]);
    expect(server?.requests).toHaveLength(0);
  });

  it('should order vectors by index when the server returns them shuffled', async () => {
    const embedding = await start((request) => {
      const reply = embeddingsReply(request);
      const json = (reply as { json: { data: unknown[] } }).json;
      return { json: { ...json, data: [...json.data].reverse() } };
    });
    const vectors = await embedding.embed(['alpha', 'beta', 'gamma']);
    expect(vectors.map((v) => Array.from(v))).toEqual(['alpha', 'beta', 'gamma'].map((t) => vectorFor(t, 4)));
  });

  describe('authorization', () => {
    it('should send a bearer token when an API key is given', async () => {
      const embedding = await start(undefined, { apiKey: 'sk-secret' });
      await embedding.embed(['alpha']);
      expect(server?.requests[0]?.headers.authorization).toBe('Bearer sk-secret');
    });

    it('should send no authorization header without an API key', async () => {
      const embedding = await start();
      await embedding.embed(['alpha']);
      expect(server?.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('should not retry a rejected key, nor reveal it in the error', async () => {
      const embedding = await start(() => ({ status: 401, json: { error: 'bad key' } }), {
        apiKey: 'sk-secret',
      });
      const error = await failure(embedding.embed(['alpha']));
      expect(server?.requests).toHaveLength(1);
      expect(error.message).toMatch(/401/);
      expect(error.message).not.toMatch(/sk-secret/);
    });
  });

  describe('retries', () => {
    it('should retry on 429 and 503, then succeed', async () => {
      const embedding = await start((request, i) =>
        i === 0
          ? { status: 429, json: {} }
          : i === 1
            ? { status: 503, raw: 'busy' }
            : embeddingsReply(request),
      );
      const vectors = await embedding.embed(['alpha']);
      expect(vectors).toHaveLength(1);
      expect(server?.requests).toHaveLength(3);
    });

    it('should back off exponentially between attempts', async () => {
      const embedding = await start(() => ({ status: 500, raw: 'oops' }), {
        maxRetries: 3,
        retryBaseDelayMs: 100,
      });
      await failure(embedding.embed(['alpha']));
      expect(delays).toEqual([75, 150, 300]);
    });

    it('should cap the backoff delay', async () => {
      const embedding = await start(() => ({ status: 502, raw: '' }), {
        maxRetries: 4,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 200,
      });
      await failure(embedding.embed(['alpha']));
      expect(delays).toEqual([75, 150, 150, 150]);
    });

    it('should wait as long as Retry-After says', async () => {
      const embedding = await start((request, i) =>
        i === 0 ? { status: 429, headers: { 'retry-after': '2' }, json: {} } : embeddingsReply(request),
      );
      await embedding.embed(['alpha']);
      expect(delays).toEqual([2000]);
    });

    it('should give up after the configured number of retries with UNAVAILABLE', async () => {
      const embedding = await start(() => ({ status: 503, raw: 'down' }), { maxRetries: 2 });
      const error = await failure(embedding.embed(['alpha']));
      expect(server?.requests).toHaveLength(3);
      expect(error.message).toMatch(/3 attempts/);
      expect(error.message).toMatch(/503/);
    });

    it('should retry network errors and report them when retries run out', async () => {
      server = await startFakeEmbeddingServer();
      const baseUrl = server.baseUrl;
      await server.close();
      server = undefined;
      const sleeps: number[] = [];
      const embedding = new OpenAICompatibleEmbedding({
        baseUrl,
        model: 'm',
        maxRetries: 1,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      const error = await failure(embedding.embed(['alpha']));
      expect(sleeps).toHaveLength(1);
      expect(error.cause).toBeInstanceOf(Error);
    });
  });

  describe('timeouts', () => {
    it('should abort a request the server does not answer in time and give up with UNAVAILABLE', async () => {
      const embedding = await start(() => 'hang', { timeoutMs: 50, maxRetries: 0 });
      const error = await failure(embedding.embed(['alpha']));
      expect(error.message).toMatch(/timed out after 50 ms/);
    });

    it('should retry after a timeout and succeed when the server answers', async () => {
      const embedding = await start((request, i) => (i === 0 ? 'hang' : embeddingsReply(request)), {
        timeoutMs: 50,
        maxRetries: 1,
      });
      await expect(embedding.embed(['alpha'])).resolves.toHaveLength(1);
      expect(server?.requests).toHaveLength(2);
    });
  });

  describe('malformed responses', () => {
    const cases: [string, FakeHandler][] = [
      ['a body that is not JSON', () => ({ raw: '<html>proxy error</html>' })],
      ['no data array', () => ({ json: { object: 'list' } })],
      ['too few embeddings', () => ({ json: { data: [{ index: 0, embedding: [1, 2] }] } })],
      [
        'a repeated index',
        () => ({
          json: {
            data: [
              { index: 0, embedding: [1, 2] },
              { index: 0, embedding: [1, 2] },
            ],
          },
        }),
      ],
      [
        'an embedding that is not numbers',
        () => ({
          json: {
            data: [
              { index: 0, embedding: [1, 'x'] },
              { index: 1, embedding: [1, 2] },
            ],
          },
        }),
      ],
      [
        'embeddings of different dimensions',
        () => ({
          json: {
            data: [
              { index: 0, embedding: [1, 2] },
              { index: 1, embedding: [1, 2, 3] },
            ],
          },
        }),
      ],
    ];

    it.each(cases)('should fail with UNAVAILABLE on %s, without retrying', async (_, handler) => {
      const embedding = await start(handler);
      await failure(embedding.embed(['alpha', 'beta']));
      expect(server?.requests).toHaveLength(1);
    });

    it('should fail with UNAVAILABLE when batches disagree on the dimension', async () => {
      const embedding = await start((request, i) => embeddingsReply(request, i === 0 ? 4 : 5), {
        batchSize: 1,
      });
      const error = await failure(embedding.embed(['alpha', 'beta']));
      expect(error.message).toMatch(/dimension from 4 to 5/);
    });
  });

  it('should reject settings that cannot work', () => {
    const bad: Partial<OpenAICompatibleEmbeddingOptions>[] = [
      { baseUrl: 'ftp://example.org/v1' },
      { batchSize: 0 },
      { timeoutMs: -1 },
      { maxRetries: 1.5 },
    ];
    for (const options of bad) {
      expect(
        () => new OpenAICompatibleEmbedding({ baseUrl: 'http://x/v1', model: 'm', ...options }),
      ).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('parseEmbeddingResponse', () => {
  it('should return vectors in index order', () => {
    const body = {
      data: [
        { index: 1, embedding: [3, 4] },
        { index: 0, embedding: [1, 2] },
      ],
    };
    expect(parseEmbeddingResponse(body, 2)).toEqual([Float32Array.from([1, 2]), Float32Array.from([3, 4])]);
  });

  it('should describe an index out of range', () => {
    expect(parseEmbeddingResponse({ data: [{ index: 3, embedding: [1] }] }, 1)).toMatch(/index 3/);
  });

  it('should reject non-finite values', () => {
    expect(parseEmbeddingResponse({ data: [{ index: 0, embedding: [1, null] }] }, 1)).toMatch(/finite/);
  });
});

describe('parseRetryAfter', () => {
  it('should read delay-seconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
  });

  it('should read an HTTP date relative to now', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
  });

  it('should ignore a missing or unreadable header', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
