/** The few Chroma v2 REST calls ingest makes against a running server (kbgate or Chroma), over fetch. */
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import type { AddArgs, DeleteArgs, GetArgs } from '../engine/inputs.js';
import type { GetResult } from '../engine/types.js';
import type { SyncTarget } from './sync.js';

/** How to reach the server. */
export interface HttpTargetOptions {
  url: string;
  token?: string | null;
  tenant?: string;
  database?: string;
}

/** A server answered with an error status; `status` and Chroma's error name are kept for the caller. */
export class HttpTargetError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpTargetError';
  }
}

/** A collection on a running server, offering what sync needs. */
export class HttpCollection implements SyncTarget {
  readonly #base: string;
  readonly #headers: Record<string, string>;

  private constructor(base: string, headers: Record<string, string>) {
    this.#base = base;
    this.#headers = headers;
  }

  /** Gets the named collection, creating it unless `create` is false (then a missing one is an error). */
  static async open(options: HttpTargetOptions, name: string, create: boolean): Promise<HttpCollection> {
    const scope = `${options.url.replace(/\/+$/, '')}/api/v2/tenants/${encodeURIComponent(options.tenant ?? DEFAULT_TENANT)}/databases/${encodeURIComponent(options.database ?? DEFAULT_DATABASE)}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const collection = create
      ? await send<{ id: string }>(`${scope}/collections`, 'POST', headers, { name, get_or_create: true })
      : await send<{ id: string }>(`${scope}/collections/${encodeURIComponent(name)}`, 'GET', headers);
    return new HttpCollection(`${scope}/collections/${encodeURIComponent(collection.id)}`, headers);
  }

  async get(args: GetArgs): Promise<GetResult> {
    const body = {
      ids: args.ids,
      where: args.where,
      limit: args.limit,
      offset: args.offset,
      include: args.include,
    };
    return send<GetResult>(`${this.#base}/get`, 'POST', this.#headers, body);
  }

  async upsert(args: AddArgs): Promise<void> {
    const body = { ids: args.ids, documents: args.documents, metadatas: args.metadatas, uris: args.uris };
    await send(`${this.#base}/upsert`, 'POST', this.#headers, body);
  }

  async delete(args: DeleteArgs): Promise<void> {
    await send(`${this.#base}/delete`, 'POST', this.#headers, { ids: args.ids, where: args.where });
  }
}

async function send<T>(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = parseJson(text);
  if (!response.ok) {
    const error = (parsed ?? {}) as { error?: string; message?: string };
    throw new HttpTargetError(
      response.status,
      error.error ?? 'HttpError',
      `${method} ${url}: ${response.status} ${error.message ?? text}`,
    );
  }
  return parsed as T;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
