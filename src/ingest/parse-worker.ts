/** The parser worker's entry: parses and chunks the files its parent sends, one message each, and answers. */
import { parentPort } from 'node:worker_threads';
import { runParseJob, type ParseJob } from './parse-job.js';

parentPort?.on('message', (message: { id: number; job: ParseJob }) => {
  parentPort?.postMessage({ id: message.id, ...runParseJob(message.job) });
});
