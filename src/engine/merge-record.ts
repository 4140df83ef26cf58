/** How an add, upsert or update combines with the record already stored. */
import type { Metadata, RecordInput, StoredRecord, UpdateMetadata } from './types.js';

/** One record's validated changes; `undefined` means "not given". */
export interface RecordPatch {
  id: string;
  embedding: Float32Array | undefined;
  document: string | null | undefined;
  metadata: UpdateMetadata | null | undefined;
  uri: string | null | undefined;
}

/**
 * The record to store after applying `patch` to `existing` (null for a new record).
 *
 * @remarks
 * Fields not given keep their stored value; metadata is merged key by key and a null value removes the key,
 * as Chroma's update and upsert do. Metadata left empty is stored as null.
 */
export function mergeRecord(existing: StoredRecord | null, patch: RecordPatch): RecordInput {
  return {
    id: patch.id,
    embedding: patch.embedding ?? existing?.embedding ?? null,
    document: patch.document ?? existing?.document ?? null,
    metadata: mergeMetadata(existing?.metadata ?? null, patch.metadata),
    uri: patch.uri ?? existing?.uri ?? null,
  };
}

function mergeMetadata(current: Metadata | null, patch: UpdateMetadata | null | undefined): Metadata | null {
  if (patch === undefined || patch === null) return current;
  const merged: Metadata = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return Object.keys(merged).length === 0 ? null : merged;
}
