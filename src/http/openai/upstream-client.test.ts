import { describe, expect, it } from 'vitest';
import { upstreamBaseUrl } from './upstream-client.js';

describe('upstreamBaseUrl', () => {
  it('should add /v1 only when it is missing', () => {
    expect(upstreamBaseUrl('http://fastchat:8000')).toBe('http://fastchat:8000/v1');
    expect(upstreamBaseUrl('http://fastchat:8000/v1/')).toBe('http://fastchat:8000/v1');
  });
});
