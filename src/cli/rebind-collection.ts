/** Changing a collection's embedding binding: every stored document re-embedded into a copy that then takes its place. */
import { parseEmbeddingName } from '../embed/registry.js';
import { DEFAULT_DATABASE, DEFAULT_TENANT, type Engine } from '../engine/database.js';
import { EngineError, isEngineError } from '../engine/errors.js';
import type { CollectionModel } from '../engine/types.js';

/** Records read and re-embedded per step. */
const PAGE_SIZE = 128;
/** Suffix of the copy a rebind builds; a leftover from an interrupted rebind is discarded by the next one. */
export const REBIND_SUFFIX = '-rebind';

/** Progress of a rebind: records copied so far out of the total. */
export interface RebindProgress {
  done: number;
  total: number;
}

/** What a rebind did. */
export interface RebindResult {
  from: string | null;
  to: string;
  records: number;
}

/**
 * Rebinds collection `name` to embedding function `embedding`, re-embedding every stored document.
 *
 * @remarks The documents, metadata and uris are copied into a new collection bound to `embedding`; only when all of
 * them are in does the copy replace the original (same name, same configuration, a new id). Interrupted before
 * that, the original is untouched. Records without a document cannot be re-embedded and stop the rebind.
 */
export async function rebindCollection(
  engine: Engine,
  name: string,
  embedding: string,
  onProgress?: (progress: RebindProgress) => void,
): Promise<RebindResult> {
  parseEmbeddingName(embedding);
  const original = engine.getCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
  const total = await engine.count(original.id);
  const result = { from: original.embedding, to: embedding, records: total };
  if (original.embedding === embedding) return { ...result, records: 0 };
  const copy = createCopy(engine, original, embedding);
  try {
    await copyRecords(engine, original.id, copy.id, total, onProgress);
  } catch (error) {
    engine.deleteCollection(DEFAULT_TENANT, DEFAULT_DATABASE, copy.name);
    throw error;
  }
  engine.deleteCollection(DEFAULT_TENANT, DEFAULT_DATABASE, name);
  engine.modifyCollection(copy.id, { name });
  return result;
}

function createCopy(engine: Engine, original: CollectionModel, embedding: string): CollectionModel {
  const copyName = `${original.name}${REBIND_SUFFIX}`;
  try {
    engine.deleteCollection(DEFAULT_TENANT, DEFAULT_DATABASE, copyName);
  } catch (error) {
    if (!isEngineError(error, 'NOT_FOUND')) throw error;
  }
  return engine.createCollection(DEFAULT_TENANT, DEFAULT_DATABASE, {
    name: copyName,
    metadata: original.metadata,
    configuration: original.configuration,
    embedding,
  });
}

async function copyRecords(
  engine: Engine,
  fromId: string,
  toId: string,
  total: number,
  onProgress?: (progress: RebindProgress) => void,
): Promise<void> {
  onProgress?.({ done: 0, total });
  for (let offset = 0; offset < total; offset += PAGE_SIZE) {
    const page = await engine.get(fromId, {
      limit: PAGE_SIZE,
      offset,
      include: ['documents', 'metadatas', 'uris'],
    });
    if (page.ids.length === 0) break;
    const documents = page.documents ?? [];
    const missing = page.ids.find((_, i) => typeof documents[i] !== 'string');
    if (missing !== undefined) {
      throw new EngineError(
        'FAILED_PRECONDITION',
        `record ${JSON.stringify(missing)} has no document to re-embed; only collections whose records all have documents can be rebound`,
      );
    }
    await engine.upsert(toId, {
      ids: page.ids,
      documents: documents as string[],
      metadatas: page.metadatas,
      ...(page.uris?.some((uri) => uri !== null) ? { uris: page.uris } : {}),
    });
    onProgress?.({ done: Math.min(offset + page.ids.length, total), total });
  }
}
