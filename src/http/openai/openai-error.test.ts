import { describe, expect, it } from 'vitest';
import { normalizeUpstreamError } from './openai-error.js';

describe('normalizeUpstreamError', () => {
  it("should turn FastChat's error body into an OpenAI-style one", () => {
    const body = normalizeUpstreamError(
      400,
      JSON.stringify({ object: 'error', message: 'bad', code: 40302 }),
    );
    expect(body).toEqual({
      error: { message: 'bad', type: 'invalid_request_error', code: 40302, param: null },
    });
  });

  it("should read FastAPI's detail", () => {
    const body = normalizeUpstreamError(422, JSON.stringify({ detail: [{ loc: ['body'], msg: 'missing' }] }));
    expect(body.error.message).toContain('missing');
  });

  it('should name the status when the body is not JSON', () => {
    expect(normalizeUpstreamError(502, '<html>Bad Gateway</html>').error).toMatchObject({
      message: 'Upstream answered HTTP 502',
      type: 'upstream_error',
    });
  });
});
