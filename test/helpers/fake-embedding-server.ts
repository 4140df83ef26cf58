/** An in-process stand-in for an OpenAI-compatible `/v1/embeddings` endpoint, scripted per request. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake server received it. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: { model?: unknown; input?: unknown };
}

/** What to answer: a JSON body, a raw body, or `hang` to never answer. */
export type FakeReply =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | { status?: number; headers?: Record<string, string>; raw: string }
  | 'hang';

/** Decides the reply to the `index`-th request (0-based). */
export type FakeHandler = (request: FakeRequest, index: number) => FakeReply;

/** A running fake server. */
export interface FakeEmbeddingServer {
  /** Base URL ending in `/v1`, as clients take it. */
  baseUrl: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** A deterministic vector for a text: the same text always gets the same vector. */
export function vectorFor(text: string, dimension: number): number[] {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
  return Array.from({ length: dimension }, (_, d) => (((hash >>> (d % 32)) & 0xff) - 128) / 128);
}

/** The successful OpenAI embeddings reply for a request's inputs. */
export function embeddingsReply(request: FakeRequest, dimension = 4): FakeReply {
  const input = Array.isArray(request.body.input) ? (request.body.input as string[]) : [];
  return {
    json: {
      object: 'list',
      model: request.body.model,
      data: input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: vectorFor(text, dimension),
      })),
      usage: { prompt_tokens: input.length, total_tokens: input.length },
    },
  };
}

function send(res: ServerResponse, reply: Exclude<FakeReply, 'hang'>): void {
  const body = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
  res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
  res.end(body);
}

function parseBody(text: string): FakeRequest['body'] {
  try {
    return JSON.parse(text) as FakeRequest['body'];
  } catch {
    return {};
  }
}

/** Starts the server on a free port of 127.0.0.1; by default every request succeeds. */
export async function startFakeEmbeddingServer(
  handler: FakeHandler = (request) => embeddingsReply(request),
): Promise<FakeEmbeddingServer> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: FakeRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      };
      const reply = handler(request, requests.push(request) - 1);
      if (reply !== 'hang') send(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
