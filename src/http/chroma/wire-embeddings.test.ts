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
