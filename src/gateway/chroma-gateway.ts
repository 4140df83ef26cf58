/** The Chroma server kbgate is a gateway over: one official client, collections by name, errors as engine codes. */
import {
  ChromaClient,
  ChromaClientError,
  ChromaConnectionError,
  ChromaForbiddenError,
  ChromaNotFoundError,
  ChromaUnauthorizedError,
  ChromaUniqueError,
  ChromaValueError,
  type Collection,
  type EmbeddingFunction as ChromaEmbeddingFunction,
} from 'chromadb';
import type { ChromaSettings } from '../config.js';
import type { EmbeddingResolver } from '../engine/database.js';
import { EngineError } from '../engine/errors.js';
import type { EmbeddingFunction } from '../engine/ports.js';
import type { Metadata } from '../engine/types.js';
import { BINDING_KEY, bindingOf, chromaEmbeddingConfig, type BindingContext } from './embedding-binding.js';

/** Milliseconds a call to Chroma may take before it is answered as unavailable. */
export const CHROMA_TIMEOUT_MS = 15_000;
/** Milliseconds a collection looked up by name is reused (renames and deletions show after at most this). */
const COLLECTION_TTL_MS = 2_000;

/** A collection on the Chroma server, with what kbgate reads from it. */
export interface RemoteCollection {
  handle: Collection;
  id: string;
  name: string;
  /** kbgate's binding (see {@link bindingOf}); null when none is recorded or recognised. */
  binding: string | null;
  space: string;
  metadata: Metadata | null;
}

/** What a gateway is built from. */
export interface ChromaGatewayOptions {
  settings: ChromaSettings;
  resolveEmbedding: EmbeddingResolver;
  /** Binding of the collections kbgate creates (KBGATE_EMBEDDING). */
  defaultEmbedding: string;
  binding: BindingContext;
  timeoutMs?: number;
}

/** Never called: handed to the client so that it does not try to load an embedding package of its own. */
const UNUSED_EMBEDDING: ChromaEmbeddingFunction = {
  generate: () => Promise.reject(new Error('kbgate computes embeddings itself')),
};

/**
 * The official `chromadb` client over the configured server, tenant and database.
 *
 * @remarks Stateless apart from a two-second cache of collection lookups, so any number of replicas can serve one
 * Chroma. Every failure comes out as an {@link EngineError}: Chroma unreachable, timing out, refusing kbgate's
 * token or failing itself is UNAVAILABLE (503); a missing collection NOT_FOUND; a request Chroma rejects
 * INVALID_ARGUMENT.
 */
export class ChromaGateway {
  readonly client: ChromaClient;
  readonly settings: ChromaSettings;
  readonly #options: ChromaGatewayOptions;
  readonly #collections = new Map<string, { at: number; value: Promise<RemoteCollection> }>();

  constructor(options: ChromaGatewayOptions) {
    silenceDefaultEmbeddingWarning();
    const url = new URL(options.settings.url);
    const token = options.settings.token;
    this.#options = options;
    this.settings = options.settings;
    this.client = new ChromaClient({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ssl: url.protocol === 'https:',
      tenant: options.settings.tenant,
      database: options.settings.database,
      ...(token === null ? {} : { headers: { 'x-chroma-token': token, authorization: `Bearer ${token}` } }),
    });
  }

  /** The embedding function of a binding; FAILED_PRECONDITION when the collection has none. */
  embedder(binding: string | null): EmbeddingFunction {
    if (binding === null || binding === 'none') {
      throw new EngineError('FAILED_PRECONDITION', 'the collection has no embedding function kbgate knows');
    }
    return this.#options.resolveEmbedding(binding);
  }

  /** Runs one call to Chroma with a timeout, turning its failures into engine errors. */
  async call<T>(what: string, run: () => Promise<T>, timeoutMs?: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError('UNAVAILABLE', `Chroma at ${this.settings.url} did not answer ${what} in time`),
          ),
        timeoutMs ?? this.#options.timeoutMs ?? CHROMA_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      throw toEngineError(err, what, this.settings.url);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Answers when Chroma's heartbeat does, within `timeoutMs`. */
  async heartbeat(timeoutMs?: number): Promise<void> {
    await this.call('heartbeat', () => this.client.heartbeat(), timeoutMs);
  }

  /** A collection by name (NOT_FOUND when missing), from a short-lived cache unless `fresh`. */
  collection(name: string, fresh = false): Promise<RemoteCollection> {
    const cached = this.#collections.get(name);
    if (!fresh && cached && Date.now() - cached.at < COLLECTION_TTL_MS) return cached.value;
    const value = this.call(`get collection "${name}"`, () =>
      this.client.getCollection({ name, embeddingFunction: UNUSED_EMBEDDING }),
    ).then(describe, (err: unknown) => {
      this.#collections.delete(name);
      throw isNotFound(err) ? collectionNotFound(name, this.settings) : err;
    });
    this.#collections.set(name, { at: Date.now(), value });
    return value;
  }

  /** Creates a collection bound to `binding` (default: KBGATE_EMBEDDING), recorded where Chroma's clients read it. */
  async createCollection(name: string, binding = this.#options.defaultEmbedding): Promise<RemoteCollection> {
    const embeddingFunction = recordedFunction(binding, this.#options.binding);
    const handle = await this.call(`create collection "${name}"`, () =>
      this.client.createCollection({ name, metadata: { [BINDING_KEY]: binding }, embeddingFunction }),
    );
    this.#collections.delete(name);
    return describe(handle);
  }

  /** Deletes a collection by name. */
  async deleteCollection(name: string): Promise<void> {
    this.#collections.delete(name);
    await this.call(`delete collection "${name}"`, () => this.client.deleteCollection({ name })).catch(
      (err: unknown) => {
        throw isNotFound(err) ? collectionNotFound(name, this.settings) : err;
      },
    );
  }

  /** Every collection of the database (by pages of 100). */
  async listCollections(): Promise<RemoteCollection[]> {
    const out: RemoteCollection[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.call('list collections', () =>
        this.client.listCollections({ limit: 100, offset }),
      );
      out.push(...page.map(describe));
      if (page.length < 100) return out;
    }
  }

  /** Every collection with its record count, binding and last ingest, as the console's overview lists them. */
  async describeCollections(): Promise<
    {
      name: string;
      id: string;
      records: number;
      binding: string | null;
      space: string;
      metadata: Metadata | null;
    }[]
  > {
    const remote = await this.listCollections();
    const counts = await Promise.all(remote.map((c) => this.call('count', () => c.handle.count())));
    return remote.map((c, i) => ({ ...c, records: counts[i] ?? 0 }));
  }

  /** Replaces a collection's metadata (Chroma's modify replaces it whole). */
  async setMetadata(collection: RemoteCollection, metadata: Metadata): Promise<void> {
    this.#collections.delete(collection.name);
    await this.call(`modify collection "${collection.name}"`, () =>
      collection.handle.modify({ metadata: metadata as Record<string, string | number | boolean | null> }),
    );
  }
}

/** The warning chromadb prints on every lookup of a collection bound to Chroma's `default` function. */
const DEFAULT_EMBED_WARNING = 'Cannot instantiate a collection with the DefaultEmbeddingFunction';
let warningSilenced = false;

/**
 * Drops chromadb's warning that `@chroma-core/default-embed` is not installed, which it prints each time it reads
 * a collection recorded with Chroma's `default` function: kbgate embeds with its own copy of that model, and
 * installing the package (and its model runtime) only to silence the line would be waste.
 */
function silenceDefaultEmbeddingWarning(): void {
  if (warningSilenced) return;
  warningSilenced = true;
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith(DEFAULT_EMBED_WARNING)) return;
    warn(...args);
  };
}

function describe(handle: Collection): RemoteCollection {
  const metadata = (handle.metadata ?? null) as Metadata | null;
  const configuration = handle.configuration as {
    hnsw?: { space?: string } | null;
    spann?: { space?: string } | null;
  };
  const hnswSpace = metadata?.['hnsw:space'];
  return {
    handle,
    id: handle.id,
    name: handle.name,
    binding: bindingOf(metadata, handle.configuration),
    space:
      configuration.hnsw?.space ??
      configuration.spann?.space ??
      (typeof hnswSpace === 'string' ? hnswSpace : 'l2'),
    metadata,
  };
}

/**
 * An embedding function object the client serializes into `configuration.embedding_function` as Chroma's
 * equivalent of `binding` (see {@link chromaEmbeddingConfig}); kbgate never calls it to embed.
 */
function recordedFunction(binding: string, context: BindingContext): ChromaEmbeddingFunction {
  const config = chromaEmbeddingConfig(binding, context);
  if (config.type !== 'known') return UNUSED_EMBEDDING;
  class RecordedEmbedding {
    readonly name = (config as { name: string }).name;
    static buildFromConfig(): never {
      throw new Error('kbgate computes embeddings itself');
    }
    getConfig(): Record<string, unknown> {
      return (config as { config: Record<string, unknown> }).config;
    }
    generate(): Promise<number[][]> {
      return UNUSED_EMBEDDING.generate([]);
    }
  }
  return new RecordedEmbedding();
}

function isNotFound(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'NOT_FOUND';
}

function collectionNotFound(name: string, settings: ChromaSettings): EngineError {
  return new EngineError(
    'NOT_FOUND',
    `Collection "${name}" does not exist in Chroma's ${settings.tenant}/${settings.database}`,
  );
}

/** Chroma's client errors as engine codes, keeping the cause. */
export function toEngineError(err: unknown, what: string, url: string): EngineError {
  if (err instanceof EngineError) return err;
  const message = (err as Error | null)?.message ?? String(err);
  if (err instanceof ChromaNotFoundError)
    return new EngineError('NOT_FOUND', `Chroma: ${what}: not found`, { cause: err });
  if (err instanceof ChromaUniqueError)
    return new EngineError('ALREADY_EXISTS', `Chroma: ${what}: already exists`, { cause: err });
  if (err instanceof ChromaClientError || err instanceof ChromaValueError) {
    const reason = message.replace(/^Bad request to .* with status: /, '');
    return new EngineError('INVALID_ARGUMENT', `Chroma refused ${what}: ${reason}`, { cause: err });
  }
  if (err instanceof ChromaUnauthorizedError || err instanceof ChromaForbiddenError) {
    return new EngineError(
      'UNAVAILABLE',
      `Chroma at ${url} refused kbgate's credentials (${what}); check KBGATE_CHROMA_TOKEN`,
      { cause: err },
    );
  }
  if (err instanceof ChromaConnectionError)
    return new EngineError('UNAVAILABLE', `Chroma at ${url} is unreachable (${what})`, { cause: err });
  return new EngineError('UNAVAILABLE', `Chroma at ${url} failed ${what}: ${message}`, { cause: err });
}
