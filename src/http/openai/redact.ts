/** Removes configured secrets from text that came from elsewhere (upstream error bodies) before a client sees it. */

/** What replaces a secret, or a piece of one. */
export const REDACTED = '[redacted]';

/** Shortest piece of a secret worth hiding: shorter runs of its characters occur in ordinary text. */
const MIN_PIECE = 8;

/** Runs of the characters API keys are made of (base64, hex, `sk-...`, JWT). */
const RUN = /[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Replaces every occurrence of a secret in `text`, and every run of key characters that is a piece of one (an
 * upstream that echoes `sk-abc1234...` truncated), with {@link REDACTED}.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const keys = secrets.filter((secret) => secret.length >= MIN_PIECE);
  if (keys.length === 0) return text;
  let out = text;
  for (const key of keys) out = out.split(key).join(REDACTED);
  return out.replace(RUN, (run) => (keys.some((key) => key.includes(run)) ? REDACTED : run));
}
