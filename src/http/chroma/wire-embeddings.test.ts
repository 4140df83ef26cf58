import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../engine/errors.js';
import { decodeBase64Embedding, encodeBase64Embedding, toEmbeddings } from './wire-embeddings.js';

describe('decodeBase64Embedding', () => {
  it('should round-trip little-endian float32 values', () => {
    const values = [0.5, -1.25, 3e-8, 65504];
    expect(Array.from(decodeBase64Embedding(encodeBase64Embedding(values), 0))).toEqual(
      values.map((v) => Math.fround(v)),
    );
  });

  it('should match the byte layout the chromadb client produces', () => {
    const bytes = Buffer.alloc(8);
    bytes.writeFloatLE(1, 0);
    bytes.writeFloatLE(-2, 4);
    expect(Array.from(decodeBase64Embedding(bytes.toString('base64'), 0))).toEqual([1, -2]);
  });

  it.each([['not base64!'], ['AAA'], ['AAAAAAA='], ['AA=A'], ['AA AAAAA'], ['AAA*AAAA']])(
    'should reject %s as INVALID_ARGUMENT',
    (text) => {
      let error: unknown;
      try {
        decodeBase64Embedding(text, 0);
      } catch (err) {
        error = err;
      }
      expect(isEngineError(error, 'INVALID_ARGUMENT')).toBe(true);
    },
  );
});

describe('toEmbeddings', () => {
  it('should pass number lists through and decode strings', () => {
    const out = toEmbeddings([[1, 2], encodeBase64Embedding([3, 4])], 'embeddings');
    expect(out[0]).toEqual([1, 2]);
    expect(Array.from(out[1] as Float32Array)).toEqual([3, 4]);
  });

  it('should reject an item that is neither a list nor a string as a shape error', () => {
    expect(() => toEmbeddings([7], 'embeddings')).toThrow(/embeddings\.0/);
  });
});

/** The decoder before batches were decoded into one block: the reference for every outcome and message. */
function referenceDecode(text: string, index: number): number[] {
  const bytes = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (text.length % 4 !== 0 || bytes.length !== (text.length / 4) * 3 - padding) {
    throw new Error(`Embedding ${index} is not valid base64`);
  }
  if (bytes.length % 4 !== 0) {
    throw new Error(`Embedding ${index} has ${bytes.length} bytes, not a whole number of float32 values`);
  }
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

function outcome(decode: () => unknown[]): unknown {
  try {
    return decode().map((v) => Array.from(v as ArrayLike<number>));
  } catch (err) {
    return (err as Error).message;
  }
}

describe('toEmbeddings on batches of base64 strings', () => {
  const good = encodeBase64Embedding([1, -2, 0.25]);
  const strings = [good, 'AAAAAAA=', 'AA=A', 'AAA*AAAA', '====', 'AAAAAA==', 'AAAA', '', 'AAAAAAAAAAA=', 'A'];
  const batches = strings.flatMap((a) => strings.map((b) => [good, a, b]));

  it.each(batches.map((batch) => [batch]))('should decode %j as one string after another would', (batch) => {
    const want = outcome(() => batch.map((text, i) => referenceDecode(text, i)));
    expect(outcome(() => toEmbeddings(batch, 'embeddings'))).toEqual(want);
  });
});
