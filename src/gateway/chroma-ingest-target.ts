/** The collection an ingest writes on a Chroma server (gateway mode), embedding documents here as the engine would. */
import type { Metadata as ChromaMetadata, Where } from 'chromadb';
import { EngineError, isEngineError } from '../engine/errors.js';
import type { AddArgs, DeleteArgs, GetArgs } from '../engine/inputs.js';
import type { GetResult, Metadata } from '../engine/types.js';
import { withLastIngest } from '../ingest/last-ingest.js';
import type { SyncReport, SyncTarget } from '../ingest/sync.js';
import type { ChromaGateway, RemoteCollection } from './chroma-gateway.js';

/**
 * A remote collection offering what sync needs; its file hashes and chunk counts live in the records' metadata,
 * so a sync started by any machine or replica resumes where another stopped.
 *
 * @remarks Chroma has no transactions across calls, so a changed file's new chunks are upserted before its stale
 * ones are deleted (a search in between may see both, never neither).
 */
export class ChromaIngestTarget implements SyncTarget {
  readonly #gateway: ChromaGateway;
  readonly #remote: RemoteCollection;

  constructor(gateway: ChromaGateway, remote: RemoteCollection) {
    this.#gateway = gateway;
    this.#remote = remote;
  }

  /** Opens the named collection, creating it (bound to KBGATE_EMBEDDING) unless `create` is false. */
  static async open(
    gateway: ChromaGateway,
    name: string,
    create: boolean,
  ): Promise<{ target: ChromaIngestTarget; created: boolean; remote: RemoteCollection } | null> {
    try {
      const remote = await gateway.collection(name, true);
      return { target: new ChromaIngestTarget(gateway, remote), created: false, remote };
    } catch (err) {
      if (!isEngineError(err, 'NOT_FOUND') || !create) {
        if (isEngineError(err, 'NOT_FOUND')) return null;
        throw err;
      }
    }
    const remote = await gateway.createCollection(name);
    return { target: new ChromaIngestTarget(gateway, remote), created: true, remote };
  }

  async get(args: GetArgs): Promise<GetResult> {
    const include = args.include ?? ['metadatas', 'documents'];
    const result = await this.#gateway.call('get', () =>
      this.#remote.handle.get({
        ...(args.ids ? { ids: args.ids } : {}),
        ...(args.where ? { where: args.where as Where } : {}),
        ...(args.limit !== undefined ? { limit: args.limit } : {}),
        ...(args.offset !== undefined ? { offset: args.offset } : {}),
        include: include.filter((i) => i !== 'distances'),
      }),
    );
    return {
      ids: result.ids,
      embeddings: include.includes('embeddings') ? result.embeddings : null,
      documents: include.includes('documents') ? result.documents : null,
      metadatas: include.includes('metadatas') ? (result.metadatas as (Metadata | null)[]) : null,
      uris: null,
      include,
    };
  }

  async upsert(args: AddArgs): Promise<void> {
    if (args.ids.length === 0) return;
    const documents = (args.documents ?? []).map((d) => d ?? '');
    const fn = this.#gateway.embedder(this.#remote.binding);
    const vectors = await fn.embed(documents);
    await this.#gateway.call('upsert', () =>
      this.#remote.handle.upsert({
        ids: args.ids,
        documents,
        embeddings: vectors.map((v) => Array.from(v)),
        metadatas: (args.metadatas ?? args.ids.map(() => null)).map((m) => (m ?? {}) as ChromaMetadata),
      }),
    );
  }

  async delete(args: DeleteArgs): Promise<void> {
    if (!args.ids && !args.where) return;
    await this.#gateway.call('delete', () =>
      this.#remote.handle.delete({
        ...(args.ids ? { ids: args.ids } : {}),
        ...(args.where ? { where: args.where as Where } : {}),
      }),
    );
  }

  /** How many records the collection holds. */
  count(): Promise<number> {
    return this.#gateway.call('count', () => this.#remote.handle.count());
  }

  /** Records a finished run in the collection's metadata, keeping the rest of it (the binding among it). */
  async recordRun(report: SyncReport): Promise<void> {
    const fresh = await this.#gateway.collection(this.#remote.name, true);
    await this.#gateway.setMetadata(fresh, withLastIngest(fresh.metadata, report, new Date()));
  }
}

/** Refuses lexical-only collections up front: Chroma stores an embedding with every record. */
export function checkGatewayBinding(binding: string | null, name: string): void {
  if (binding !== null && binding !== 'none') return;
  throw new EngineError(
    'FAILED_PRECONDITION',
    `Collection "${name}" has no embedding function kbgate knows (${binding ?? 'none recorded'}), and Chroma stores ` +
      'an embedding with every record: set KBGATE_EMBEDDING to default, multilingual or openai:<model> for new ' +
      'collections, or ingest into a collection created by kbgate',
  );
}
