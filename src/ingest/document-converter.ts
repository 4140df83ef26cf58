/** Runs conversions in a worker thread with a time and memory limit, so no file can hang or crash an ingest. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_CONVERSION_LIMITS,
  type ConversionLimits,
  type ConvertedFormat,
} from './convert-document.js';
import type { ConvertRequest } from './convert-worker.js';
import type { ConversionFailure, ConvertedDocument } from './converted-document.js';

/** The outcome of one conversion: the document, or why the file failed. */
export type ConversionResult =
  { ok: true; document: ConvertedDocument } | { ok: false; reason: ConversionFailure; message: string };

/** Limits of a {@link DocumentConverter}. */
export interface ConverterOptions {
  /** Longest one file may take, in seconds. */
  seconds?: number;
  /** Heap the worker may use, in MiB. */
  memoryMb?: number;
  limits?: ConversionLimits;
}

/** Defaults: two minutes and 1 GiB per file, far beyond what real documents need. */
export const DEFAULT_CONVERTER_SECONDS = 120;
export const DEFAULT_CONVERTER_MEMORY_MB = 1024;

interface Pending {
  resolve(result: ConversionResult): void;
  timer: NodeJS.Timeout;
}

/**
 * Converts HTML, Word and PDF files in a worker thread started on first use and reused for the next files.
 *
 * @remarks A file that takes longer than `seconds` has its worker terminated and fails with `timeout`; one that
 * exhausts the worker's heap fails with `over-limit`; either way the next file gets a fresh worker and the ingest
 * process itself is never at risk. Call {@link close} when done (the worker never keeps the process alive).
 */
export class DocumentConverter {
  readonly #seconds: number;
  readonly #memoryMb: number;
  readonly #limits: ConversionLimits;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(options: ConverterOptions = {}) {
    this.#seconds = options.seconds ?? DEFAULT_CONVERTER_SECONDS;
    this.#memoryMb = options.memoryMb ?? DEFAULT_CONVERTER_MEMORY_MB;
    this.#limits = options.limits ?? DEFAULT_CONVERSION_LIMITS;
  }

  /** Converts one file; resolves to a failure (never rejects) when the file cannot be converted. */
  convert(format: ConvertedFormat, bytes: Buffer): Promise<ConversionResult> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#fail(worker, 'timeout', `took longer than ${this.#seconds} s to convert, the limit`);
      }, this.#seconds * 1000);
      this.#pending.set(id, { resolve, timer });
      const request: ConvertRequest = { id, format, bytes: new Uint8Array(bytes), limits: this.#limits };
      worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker; conversions still running fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker === null) return;
    this.#fail(worker, 'timeout', 'the ingest stopped before it was converted');
  }

  #ensureWorker(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = startWorker(this.#memoryMb);
    worker.unref();
    worker.on('message', (message: { id: number } & ConversionResult) => {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      const { id: _id, ...result } = message;
      pending.resolve(result);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = memory
        ? `needed more than the converter's ${this.#memoryMb} MiB of memory, the limit`
        : `the converter failed on it: ${error.message}`;
      this.#fail(worker, memory ? 'over-limit' : 'corrupt', message);
    });
    worker.on('exit', () => this.#fail(worker, 'corrupt', 'the converter stopped while converting it'));
    this.#worker = worker;
    return worker;
  }

  /** Fails every conversion of `worker` and terminates it; the next conversion starts a new one. */
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

/**
 * Starts the worker from its compiled file, or from its TypeScript source through tsx's loader when kbgate runs
 * from source (`npm run ingest`, tests).
 */
function startWorker(memoryMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: memoryMb };
  const compiled = new URL('./convert-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return new Worker(compiled, { resourceLimits });
  const source = new URL('./convert-worker.ts', import.meta.url).href;
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
