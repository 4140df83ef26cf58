/** OpenAI-style error bodies `{ error: { message, type, code } }`, as OpenAI SDKs parse them. */
import type { Response } from 'express';

/** The JSON body of every error the retrieval proxy answers. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | number | null; param: string | null };
}

/** Builds an OpenAI-style error body. */
export function openAIError(message: string, type: string, code: string | number | null): OpenAIErrorBody {
  return { error: { message, type, code, param: null } };
}

/** Answers with an OpenAI-style error unless the response has already started. */
export function sendOpenAIError(
  res: Response,
  status: number,
  message: string,
  type: string,
  code: string | null,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json(openAIError(message, type, code));
}

/**
 * Turns an upstream error body into an OpenAI-style one.
 *
 * @remarks
 * FastChat answers `{ object: "error", message, code }` and FastAPI `{ detail }`; OpenAI-style bodies pass as sent,
 * and anything unreadable becomes a generic message naming the status.
 */
export function normalizeUpstreamError(status: number, raw: string): OpenAIErrorBody {
  const type = status >= 500 ? 'upstream_error' : 'invalid_request_error';
  const parsed = parseJson(raw);
  const error = parsed?.error;
  if (isRecord(error) && typeof error.message === 'string') {
    return { error: { type, code: null, param: null, ...error } as OpenAIErrorBody['error'] };
  }
  if (typeof parsed?.message === 'string') {
    const code = typeof parsed.code === 'number' || typeof parsed.code === 'string' ? parsed.code : null;
    return openAIError(parsed.message, type, code);
  }
  if (parsed?.detail !== undefined) {
    const detail = typeof parsed.detail === 'string' ? parsed.detail : JSON.stringify(parsed.detail);
    return openAIError(detail, type, null);
  }
  return openAIError(`Upstream answered HTTP ${status}`, type, null);
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
