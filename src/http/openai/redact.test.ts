import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

const KEY = 'sk-0123456789abcdefXYZ';

describe('redactSecrets', () => {
  it('should replace a secret wherever it occurs', () => {
    expect(redactSecrets(`{"detail":"bad key ${KEY}; Bearer ${KEY}"}`, [KEY])).toBe(
      `{"detail":"bad key ${REDACTED}; Bearer ${REDACTED}"}`,
    );
  });

  it('should replace a piece of a secret an upstream echoes truncated', () => {
    expect(redactSecrets('Incorrect API key provided: sk-01234567', [KEY])).toBe(
      `Incorrect API key provided: ${REDACTED}`,
    );
  });

  it('should leave ordinary text and short secrets alone', () => {
    expect(redactSecrets('model not found: vicuna-7b-v1.5', [KEY, 'short'])).toBe(
      'model not found: vicuna-7b-v1.5',
    );
  });
});
