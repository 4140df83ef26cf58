/** Opens the collection an ingest writes: in the data directory or on a server, created only when it is missing. */
import { PersistentClient } from '../client.js';
import type { Config } from '../config.js';
import { embeddingOptionsFrom } from '../engine-factory.js';
import { isEngineError } from '../engine/errors.js';
import { ChromaGateway } from '../gateway/chroma-gateway.js';
import { ChromaIngestTarget, checkGatewayBinding } from '../gateway/chroma-ingest-target.js';
import { HttpCollection, HttpTargetError } from './http-collection.js';
import { withLastIngest } from './last-ingest.js';
import type { SyncReport, SyncTarget } from './sync.js';

/** Where an ingest writes and how it was opened. */
export interface IngestTargetRequest {
  collection: string;
  dryRun?: boolean;
  url?: string;
  token?: string;
}

/** An opened collection, with what the run needs to clean up after itself. */
export interface OpenedTarget {
  target: SyncTarget;
  /** Whether this run created the collection (a run that stores nothing removes it again). */
  created: boolean;
  /** The collection's embedding binding; undefined when unknown (a Chroma server). */
  embedding: string | null | undefined;
  count(): Promise<number>;
  /** Deletes the collection. */
  drop(): Promise<void>;
  /** Records a finished run in the collection's metadata ({@link withLastIngest}). */
  recordRun(report: SyncReport): Promise<void>;
  close(): void;
}

/** A collection that does not exist yet, as a dry run sees it: empty, and never written. */
const EMPTY_TARGET: SyncTarget = {
  get: async () => ({ ids: [], embeddings: null, documents: null, metadatas: [], uris: null, include: [] }),
  upsert: async () => {
    throw new Error('a dry run never writes');
  },
  delete: async () => {
    throw new Error('a dry run never writes');
  },
};

/** Opens the target of a run; a dry run never creates anything and sees a missing collection as empty. */
export async function openIngestTarget(request: IngestTargetRequest, config: Config): Promise<OpenedTarget> {
  if (request.url) return openHttp(request, config);
  if (config.chroma !== null) return openChroma(request, config);
  if (config.dataDir === null)
    throw new Error('KBGATE_DATA_DIR is :memory:; ingest needs a data directory or --url');
  const client = new PersistentClient({ path: config.dataDir, ...embeddingOptionsFrom(config) });
  try {
    return await openEmbedded(client, request);
  } catch (error) {
    client.close();
    throw error;
  }
}

async function openEmbedded(client: PersistentClient, request: IngestTargetRequest): Promise<OpenedTarget> {
  const name = request.collection;
  const close = () => client.close();
  const binding = () => client.engine.getCollection(client.tenant, client.database, name).embedding;
  const recordRun = async (report: SyncReport) => {
    const model = client.engine.getCollection(client.tenant, client.database, name);
    client.engine.modifyCollection(model.id, {
      metadata: withLastIngest(model.metadata, report, new Date()),
    });
  };
  try {
    const collection = await client.getCollection({ name });
    const count = () => collection.count();
    const drop = () => client.deleteCollection({ name });
    return { target: collection, created: false, embedding: binding(), count, drop, recordRun, close };
  } catch (error) {
    if (!isEngineError(error, 'NOT_FOUND')) throw error;
  }
  if (request.dryRun) return emptyTarget(close);
  const collection = await client.createCollection({ name });
  const drop = () => client.deleteCollection({ name });
  return {
    target: collection,
    created: true,
    embedding: binding(),
    count: () => collection.count(),
    drop,
    recordRun,
    close,
  };
}

async function openHttp(request: IngestTargetRequest, config: Config): Promise<OpenedTarget> {
  const options = { url: request.url as string, token: request.token ?? config.authToken };
  try {
    const collection = await HttpCollection.open(options, request.collection, !request.dryRun);
    return {
      target: collection,
      created: collection.created,
      embedding: collection.embedding,
      count: () => collection.count(),
      drop: () => collection.drop(),
      recordRun: (report) => collection.recordRun(report),
      close: () => {},
    };
  } catch (error) {
    if (request.dryRun && error instanceof HttpTargetError && error.status === 404)
      return emptyTarget(() => {});
    throw error;
  }
}

/** Gateway mode (KBGATE_CHROMA_URL): the collection on the Chroma server, embedded here. */
async function openChroma(request: IngestTargetRequest, config: Config): Promise<OpenedTarget> {
  const embedding = embeddingOptionsFrom(config);
  const gateway = new ChromaGateway({
    settings: config.chroma!,
    resolveEmbedding: embedding.resolveEmbedding,
    defaultEmbedding: config.embedding,
    binding: { openaiUrl: config.embeddingUrl },
  });
  const name = request.collection;
  const existing = await ChromaIngestTarget.open(gateway, name, false);
  if (existing === null) {
    if (request.dryRun) return emptyTarget(() => {});
    checkGatewayBinding(config.embedding, name);
  } else {
    checkGatewayBinding(existing.remote.binding, name);
  }
  const opened = existing ?? (await ChromaIngestTarget.open(gateway, name, true))!;
  const { target } = opened;
  return {
    target,
    created: opened.created,
    embedding: opened.remote.binding,
    count: () => target.count(),
    drop: () => gateway.deleteCollection(name),
    recordRun: (report) => target.recordRun(report),
    close: () => {},
  };
}

function emptyTarget(close: () => void): OpenedTarget {
  const nothing = async () => {};
  return {
    target: EMPTY_TARGET,
    created: false,
    embedding: undefined,
    count: async () => 0,
    drop: nothing,
    recordRun: nothing,
    close,
  };
}
