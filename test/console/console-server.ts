/** A listening kbgate whose `docs` collection was filled by the real ingester from the Markdown fixtures. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../src/engine/database.js';
import { createApp } from '../../src/http/app.js';
import { runIngestCli } from '../../src/ingest/cli.js';
import { EngineError } from '../../src/engine/errors.js';
import type { EmbeddingFunction } from '../../src/engine/ports.js';
import { openEngine } from '../../src/engine-factory.js';
import { indexTerms } from '../../src/text/analyze.js';
import { CONCEPT_BINDING, conceptEmbedding } from '../plugin/concept-embedding.js';
import { loadPassages } from '../plugin/fixture-corpus.js';

/** The fixture folder: English, Chinese, Russian and Thai Markdown. */
export const FIXTURE_KB = fileURLToPath(new URL('./fixtures/kb/', import.meta.url));
/** The collection the fixtures are ingested into (KBGATE_COLLECTION). */
export const DOCS_COLLECTION = 'docs';

/** Binding of {@link bagOfWords}, the fixture collection's embedding. */
export const BAG_OF_WORDS_BINDING = 'openai:bag-of-words';
const BAG_DIMENSION = 256;

/**
 * A stand-in embedding model (no model weights can be had in tests): the text's index terms hashed into 256
 * dimensions, L2-normalised, so cosine similarity measures shared (stemmed) words, in any language.
 */
export const bagOfWords: EmbeddingFunction = {
  name: BAG_OF_WORDS_BINDING,
  embed: async (texts) =>
    texts.map((text) => {
      const vector = new Float32Array(BAG_DIMENSION);
      for (const term of indexTerms(text).split(' ')) {
        if (term === '') continue;
        let hash = 2166136261;
        for (const char of term) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
        vector[hash % BAG_DIMENSION] = (vector[hash % BAG_DIMENSION] ?? 0) + 1;
      }
      const norm = Math.hypot(...vector) || 1;
      return vector.map((x) => x / norm);
    }),
};

/** A running console fixture. */
export interface ConsoleServer {
  baseUrl: string;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * Starts kbgate on a loopback port with `env` (e.g. KBGATE_AUTH_TOKEN), ingests the fixtures through `--url` (so
 * the last run is recorded as in docker compose), and adds the small `handbook` collection of the plugin tests.
 */
export async function startConsoleServer(env: Record<string, string> = {}): Promise<ConsoleServer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_COLLECTION: DOCS_COLLECTION,
    KBGATE_PUBLIC_URL: baseUrl,
    ...env,
  });
  const { engine } = openEngine({
    defaultEmbedding: 'none',
    resolveEmbedding: (name) => {
      if (name === BAG_OF_WORDS_BINDING) return bagOfWords;
      if (name === CONCEPT_BINDING) return conceptEmbedding;
      throw new EngineError('FAILED_PRECONDITION', `no embedding function ${name} in tests`);
    },
  });
  const docs = { name: DOCS_COLLECTION, embedding: BAG_OF_WORDS_BINDING };
  engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, docs);
  await loadPassages(engine, 'handbook');
  server.on('request', createApp({ engine, config }));
  const token = env.KBGATE_AUTH_TOKEN;
  const args = [
    FIXTURE_KB,
    '--url',
    baseUrl,
    '--collection',
    DOCS_COLLECTION,
    ...(token ? ['--token', token] : []),
  ];
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const code = await runIngestCli(args, { env: { KBGATE_DATA_DIR: ':memory:' }, stdout: sink, stderr: sink });
  if (code !== 0) throw new Error(`ingesting the console fixtures exited with ${code}`);
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      engine.close();
    });
  return { baseUrl, engine, close };
}
