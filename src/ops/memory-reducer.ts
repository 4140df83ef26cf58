/** Gives memory back after large request bodies, instead of waiting for V8 to shrink its heap on its own. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes of request bodies after which a full garbage collection is scheduled. */
const BODY_BYTES_PER_COLLECTION = 8 * 1024 * 1024;
/** Bodies smaller than this (queries, small writes) neither count nor put the collection off. */
const LARGE_BODY_BYTES = 1024 * 1024;
/** Quiet time (no further body) before collecting, so a bulk load finishes first and is collected once. */
const COLLECT_DELAY_MS = 2_000;

/** Notes request body sizes and collects garbage once large bodies have come and gone. */
export interface MemoryReducer {
  /** Records a request body of `bytes` bytes. */
  noteBody(bytes: number): void;
  /** Cancels a scheduled collection. */
  stop(): void;
}

/**
 * Creates the memory reducer.
 *
 * @remarks
 * A batch of 5,000 embeddings is about 10 MB of JSON, which becomes strings, arrays and typed arrays several times
 * its size before it is committed and indexed: garbage in V8's old generation, which grows to hold it and is only
 * shrunk by a full collection that a lightly loaded server may not run for a long time. Once 8 MB of large bodies
 * (1 MB or more) have arrived, one full collection runs after two seconds without another: once per bulk load, not
 * per batch (a forced collection per batch cost more CPU than the memory it returned was worth), and not put off by
 * the queries that follow, so the process's resident memory returns towards its live size after the load.
 */
export function createMemoryReducer(): MemoryReducer {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  let bytesSince = 0;
  let timer: NodeJS.Timeout | null = null;
  return {
    noteBody(bytes: number): void {
      if (bytes < LARGE_BODY_BYTES) return;
      bytesSince += bytes;
      if (bytesSince < BODY_BYTES_PER_COLLECTION) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        bytesSince = 0;
        collect();
      }, COLLECT_DELAY_MS).unref();
    },
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
