/**
 * A stand-in for NextChat's `/api/proxy` route (app/api/proxy.ts in NextChat 2.16): the web build sends plugin
 * calls there with `X-Base-URL: servers[0].url`, and the route forwards them to `${X-Base-URL}/${path}?${query}`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers NextChat's proxy never forwards, besides every `x-*` and `sec-*` header. */
const SKIPPED_HEADERS = ['connection', 'host', 'origin', 'referer', 'cookie'];

/** A running proxy and what it forwarded. */
export interface NextChatProxy {
  /** `http://127.0.0.1:<port>/api/proxy`: the `baseURL` NextChat's web build gives openapi-client-axios. */
  baseUrl: string;
  /** Every upstream URL the proxy fetched, in order. */
  forwarded: string[];
  close(): Promise<void>;
}

/** Starts the proxy on an ephemeral loopback port. */
export async function startNextChatProxy(): Promise<NextChatProxy> {
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    forward(req, forwarded).then(
      async (upstream) => {
        res.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'text/plain',
        });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      },
      (err: unknown) => {
        res.writeHead(500).end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/proxy`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function forward(req: IncomingMessage, forwarded: string[]): Promise<Response> {
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const subpath = url.pathname.replace(/^\/api\/proxy\/?/, '');
  const baseUrl = String(req.headers['x-base-url'] ?? '');
  const fetchUrl = `${baseUrl}/${subpath}?${url.searchParams.toString()}`;
  forwarded.push(fetchUrl);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.includes('x-') || name.includes('sec-') || SKIPPED_HEADERS.includes(name)) continue;
    if (typeof value === 'string') headers.set(name, value);
  }
  headers.delete('content-length');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return fetch(fetchUrl, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
    redirect: 'manual',
  });
}
