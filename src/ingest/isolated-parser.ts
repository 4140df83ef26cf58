/** Parses and chunks files in a worker thread with a time and memory budget, so no file can hang or crash an ingest. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ConversionFailure } from './converted-document.js';
import { DEFAULT_CONVERTER_MEMORY_MB, DEFAULT_CONVERTER_SECONDS } from './document-converter.js';
import type { ParseJob, ParseOutcome } from './parse-job.js';

/** Limits of an {@link IsolatedParser}: the same per-file budget as the converter's. */
export interface ParserOptions {
  /** Longest one file may take to parse and chunk, in seconds. */
  seconds?: number;
  /** Heap the worker may use, in MiB. */
  memoryMb?: number;
}

interface Pending {
  resolve(outcome: ParseOutcome): void;
  timer: NodeJS.Timeout;
}

/**
 * Runs {@link ParseJob}s in a worker thread started on first use and reused for the next files.
 *
 * @remarks Hostile Markdown (YAML alias bombs, thousands of nested lists or quotes, pathological inline syntax)
 * costs the parser time, memory or stack. A file that takes longer than `seconds` has its worker terminated and
 * fails with `timeout`; one that exhausts the worker's heap fails with `over-limit`; the next file gets a fresh
 * worker, and the ingest goes on. Call {@link close} when done (the worker never keeps the process alive).
 */
export class IsolatedParser {
  readonly #seconds: number;
  readonly #memoryMb: number;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(options: ParserOptions = {}) {
    this.#seconds = options.seconds ?? DEFAULT_CONVERTER_SECONDS;
    this.#memoryMb = options.memoryMb ?? DEFAULT_CONVERTER_MEMORY_MB;
  }

  /** Parses one file; resolves to a failure (never rejects) when the file cannot be parsed within the budget. */
  parse(job: ParseJob): Promise<ParseOutcome> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#fail(worker, 'timeout', `took longer than ${this.#seconds} s to parse, the limit`);
      }, this.#seconds * 1000);
      this.#pending.set(id, { resolve, timer });
      worker.postMessage({ id, job });
    });
  }

  /** Stops the worker; parses still running fail. */
  async close(): Promise<void> {
    if (this.#worker !== null) this.#fail(this.#worker, 'timeout', 'the ingest stopped before it was parsed');
  }

  #ensureWorker(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = startWorker(this.#memoryMb);
    worker.unref();
    worker.on('message', (message: { id: number } & ParseOutcome) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      const { id: _id, ...outcome } = message;
      pending.resolve(outcome);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = memory
        ? `needed more than the parser's ${this.#memoryMb} MiB of memory, the limit`
        : `the parser failed on it: ${error.message}`;
      this.#fail(worker, memory ? 'over-limit' : 'corrupt', message);
    });
    worker.on('exit', () => this.#fail(worker, 'corrupt', 'the parser stopped while parsing it'));
    this.#worker = worker;
    return worker;
  }

  /** Fails every parse of `worker` and terminates it; the next parse starts a new one. */
  #fail(worker: Worker, reason: ConversionFailure, message: string): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.resolve({ ok: false, reason, message });
    }
    this.#pending.clear();
    void worker.terminate();
  }
}

/** Starts the worker from its compiled file, or from its TypeScript source through tsx's loader. */
function startWorker(memoryMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb };
  const compiled = new URL('./parse-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return new Worker(compiled, { resourceLimits });
  const source = new URL('./parse-worker.ts', import.meta.url).href;
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
