/**
 * Servers the Chroma parity contract runs against: kbgate (an in-memory app on an ephemeral port) always, and a
 * real Chroma 1.x server when `KBGATE_TEST_CHROMA_URL` names one (e.g. one started with `../shared/tools/chroma-server.sh`).
 */
import { randomUUID } from 'node:crypto';
import { createTestApp, listenEphemeral } from '../http/test-app.js';

/** One server under test, spoken to over HTTP as a client would. */
export interface ChromaTarget {
  name: 'kbgate' | 'chroma';
  /** Starts (kbgate) or checks (Chroma) the server; returns its base URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/** Wire JSON as tests read it: asserted field by field, so left untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireJson = any;

/** An HTTP answer: status, parsed JSON body (or the text) and the raw text. */
export interface Answer {
  status: number;
  body: WireJson;
  text: string;
}

/** kbgate, plus Chroma when `KBGATE_TEST_CHROMA_URL` is set. */
export function chromaTargets(): ChromaTarget[] {
  let close: (() => Promise<void>) | undefined;
  const kbgate: ChromaTarget = {
    name: 'kbgate',
    start: async () => {
      const server = await listenEphemeral(createTestApp().app);
      close = server.close;
      return `http://127.0.0.1:${server.port}`;
    },
    stop: async () => close?.(),
  };
  const url = process.env['KBGATE_TEST_CHROMA_URL']?.replace(/\/+$/, '');
  if (!url) return [kbgate];
  const chroma: ChromaTarget = {
    name: 'chroma',
    start: async () => {
      const res = await fetch(`${url}/api/v2/heartbeat`);
      if (!res.ok) throw new Error(`KBGATE_TEST_CHROMA_URL ${url} does not answer its heartbeat`);
      return url;
    },
    stop: async () => undefined,
  };
  return [kbgate, chroma];
}

/** A small client for one target: JSON calls, and fresh names so runs against a long-lived server never clash. */
export class ChromaCaller {
  constructor(readonly base: string) {}

  /** Sends `body` as JSON (a string is sent as is) and returns the answer. */
  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, text };
  }

  /** Creates a database with a fresh name in `tenant` and returns the path of its collections. */
  async freshDatabase(tenant = 'default_tenant'): Promise<string> {
    const name = uniqueName('db');
    const res = await this.call('POST', `/api/v2/tenants/${tenant}/databases`, { name });
    if (res.status !== 200) throw new Error(`creating database ${name}: ${res.status} ${res.text}`);
    return `/api/v2/tenants/${tenant}/databases/${name}/collections`;
  }

  /** Creates a collection in a fresh database and returns the path of its record routes and its JSON. */
  async freshCollection(body: Record<string, unknown> = {}): Promise<{ path: string; json: WireJson }> {
    const collections = await this.freshDatabase();
    const res = await this.call('POST', collections, { name: uniqueName('col'), ...body });
    if (res.status !== 200) throw new Error(`creating a collection: ${res.status} ${res.text}`);
    return { path: `${collections}/${res.body.id as string}`, json: res.body };
  }
}

/** A name no earlier run used: a prefix and 12 hex digits. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}
