/** A kbgate app with a knowledge base, in front of a fake FastChat, driven by the official `openai` SDK. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../../src/engine/database.js';
import { openEngine } from '../../src/engine-factory.js';
import { createApp } from '../../src/http/app.js';
import { startFakeFastChat, type FakeFastChat, type ReceivedRequest } from '../helpers/fake-fastchat.js';

/** The key kbgate sends upstream; it must never reach a caller. */
export const UPSTREAM_KEY = 'sk-upstream-secret-4711';

/** A knowledge-base passage as the ingester stores it. */
export interface Passage {
  id: string;
  text: string;
  source: string;
  title: string;
}

/** Passages about two unrelated topics, so searches can be told apart. */
export const PASSAGES: Passage[] = [
  {
    id: 'install.md#0',
    text: 'Install kbgate > Requirements\n\nkbgate needs Node.js 20 and a C++ toolchain to build better-sqlite3.',
    source: 'docs/install.md',
    title: 'Install kbgate',
  },
  {
    id: 'backup.md#0',
    text: 'Backups > Snapshots\n\nTake a backup by copying the data directory while the server is stopped.',
    source: 'docs/backup.md',
    title: 'Backups',
  },
  {
    id: 'backup.md#1',
    text: 'Backups > Restore\n\nRestore a backup by replacing the data directory and restarting the server.',
    source: 'docs/backup.md',
    title: 'Backups',
  },
];

/** A running proxy under test. */
export interface Proxy {
  fake: FakeFastChat;
  engine: Engine;
  /** kbgate's base URL ending in `/v1`. */
  baseUrl: string;
  /** An SDK client presenting `apiKey` (default: no auth configured, any key). */
  client(apiKey?: string): OpenAI;
  close(): Promise<void>;
}

/** Starts a fake FastChat and a kbgate in front of it; `passages` (null: no collection) fill `docs`. */
export async function startProxy(
  env: Record<string, string> = {},
  passages: Passage[] | null = PASSAGES,
): Promise<Proxy> {
  const fake = await startFakeFastChat();
  const config = loadConfig({
    KBGATE_DATA_DIR: ':memory:',
    KBGATE_EMBEDDING: 'none',
    KBGATE_UPSTREAM_URL: fake.baseUrl,
    KBGATE_UPSTREAM_API_KEY: UPSTREAM_KEY,
    ...env,
  });
  const { engine } = openEngine({ defaultEmbedding: 'none' });
  if (passages !== null) await seed(engine, config.collection, passages);
  const server: Server = await new Promise((resolve) => {
    const s = createApp({ engine, config }).listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    fake,
    engine,
    baseUrl,
    client: (apiKey = 'any-key') => new OpenAI({ baseURL: baseUrl, apiKey, maxRetries: 0 }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
      engine.close();
    },
  };
}

/** Creates the collection and adds the passages with the ingester's metadata keys. */
export async function seed(engine: Engine, name: string, passages: Passage[]): Promise<void> {
  const collection = engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, { name, embedding: 'none' });
  if (passages.length === 0) return;
  await engine.add(collection.id, {
    ids: passages.map((p) => p.id),
    documents: passages.map((p) => p.text),
    metadatas: passages.map((p) => ({ source: p.source, title: p.title, start_line: 1, end_line: 3 })),
  });
}

/** The last chat request the fake upstream received. */
export function lastChatRequest(fake: FakeFastChat): ReceivedRequest | undefined {
  return fake.requests.filter((r) => r.url.startsWith('/v1/chat/completions')).at(-1);
}

/** The messages the fake upstream received in its last chat request. */
export function lastChatMessages(fake: FakeFastChat): { role: string; content: string }[] {
  return (lastChatRequest(fake)?.body?.messages ?? []) as { role: string; content: string }[];
}

/** The token checks the fake upstream was asked for. */
export function tokenChecks(fake: FakeFastChat): ReceivedRequest[] {
  return fake.requests.filter((r) => r.url === '/api/v1/token_check');
}

/** Posts a raw chat completion body to kbgate, as NextChat's server does. */
export function postChat(proxy: Proxy, raw: string): Promise<Response> {
  return fetch(`${proxy.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer any-key' },
    body: raw,
  });
}
