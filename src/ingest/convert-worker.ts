/** The converter worker's entry: converts the files its parent sends, one message each, and answers. */
import { parentPort } from 'node:worker_threads';
import { convertDocument, type ConversionLimits, type ConvertedFormat } from './convert-document.js';
import { ConversionError } from './converted-document.js';

/** A file to convert. */
export interface ConvertRequest {
  id: number;
  format: ConvertedFormat;
  bytes: Uint8Array;
  limits: ConversionLimits;
}

parentPort?.on('message', (request: ConvertRequest) => {
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  convertDocument(request.format, bytes, request.limits).then(
    (document) => parentPort?.postMessage({ id: request.id, ok: true, document }),
    (error: unknown) => {
      const failure =
        error instanceof ConversionError
          ? { reason: error.reason, message: error.message }
          : { reason: 'corrupt', message: `could not be converted: ${String(error)}` };
      parentPort?.postMessage({ id: request.id, ok: false, ...failure });
    },
  );
});
