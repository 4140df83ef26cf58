/** The few Chroma v2 REST calls ingest makes against a running server (kbgate or Chroma), over fetch. */
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../engine/database.js';
import type { AddArgs, DeleteArgs, GetArgs } from '../engine/inputs.js';
import type { GetResult, Metadata } from '../engine/types.js';
import { withLastIngest } from './last-ingest.js';
import type { SyncReport, SyncTarget } from './sync.js';

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

/** The status {@link HttpTargetError} carries when the server could not be reached at all. */
export const UNREACHABLE = 0;

/** A collection as the server describes it (kbgate adds its embedding binding; Chroma does not). */
interface WireCollection {
  id: string;
  name: string;
  kbgate?: { embedding?: string | null } | null;
}

/** A collection on a running server, offering what sync needs. */
export class HttpCollection implements SyncTarget {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #byName: string;
  /** Whether {@link HttpCollection.open} created the collection. */
  readonly created: boolean;
  /** The server-side embedding binding; undefined when the server does not say (Chroma). */
  readonly embedding: string | null | undefined;

  private constructor(
    scope: string,
    headers: Record<string, string>,
    wire: WireCollection,
    created: boolean,
  ) {
    this.#base = `${scope}/collections/${encodeURIComponent(wire.id)}`;
    this.#byName = `${scope}/collections/${encodeURIComponent(wire.name)}`;
    this.#headers = headers;
    this.created = created;
    this.embedding = wire.kbgate ? (wire.kbgate.embedding ?? null) : undefined;
  }

  /** Gets the named collection, creating it unless `create` is false (then a missing one is an error). */
  static async open(options: HttpTargetOptions, name: string, create: boolean): Promise<HttpCollection> {
    const scope = `${options.url.replace(/\/+$/, '')}/api/v2/tenants/${encodeURIComponent(options.tenant ?? DEFAULT_TENANT)}/databases/${encodeURIComponent(options.database ?? DEFAULT_DATABASE)}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    try {
      const found = await send<WireCollection>(
        `${scope}/collections/${encodeURIComponent(name)}`,
        'GET',
        headers,
      );
      return new HttpCollection(scope, headers, found, false);
    } catch (error) {
      if (!create || !(error instanceof HttpTargetError) || error.status !== 404) throw error;
    }
    const made = await send<WireCollection>(`${scope}/collections`, 'POST', headers, {
      name,
      get_or_create: true,
    });
    return new HttpCollection(scope, headers, made, true);
  }

  /** How many records the collection holds. */
  async count(): Promise<number> {
    return send<number>(`${this.#base}/count`, 'GET', this.#headers);
  }

  /** Deletes the collection. */
  async drop(): Promise<void> {
    await send(this.#byName, 'DELETE', this.#headers);
  }

  /** Records a finished run in the collection's metadata, keeping the rest of it. */
  async recordRun(report: SyncReport): Promise<void> {
    const { metadata } = await send<{ metadata?: Metadata | null }>(this.#byName, 'GET', this.#headers);
    const body = { new_metadata: withLastIngest(metadata ?? null, report, new Date()) };
    await send(this.#base, 'PUT', this.#headers, body);
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
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message;
    const origin = new URL(url).origin;
    throw new HttpTargetError(
      UNREACHABLE,
      'Unreachable',
      `cannot reach a server at ${origin}${code ? ` (${code})` : ''}: is kbgate running there? Check --url`,
    );
  }
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
