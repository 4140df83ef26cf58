/**
 * The writers of `npm run bench:mixed`, in a worker thread of their own (plain JavaScript, so the thread needs no
 * TypeScript loader): `writers` clients share `adds` adds of `batch` vectors each, then report their latencies.
 */
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { ChromaClient } from 'chromadb';

const job = workerData;
const url = new URL(job.url);
const client = new ChromaClient({ host: url.hostname, port: Number(url.port || 80), ssl: false });
const collection = await client.getCollection({ name: job.name });
const report = { adds: [], added: 0 };
let next = 0;
const writer = async () => {
  for (let a = next++; a < job.adds; a = next++) {
    const from = a * job.batch;
    const slice = job.extra.slice(from, from + job.batch);
    const t = performance.now();
    await collection.add({
      ids: slice.map((_, j) => `extra${from + j}`),
      embeddings: slice.map((v) => Array.from(v)),
    });
    report.adds.push(performance.now() - t);
    report.added += slice.length;
  }
};
await Promise.all(Array.from({ length: job.writers }, writer));
parentPort.postMessage(report);
