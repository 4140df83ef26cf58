/** Coded engine errors: the one place where failure kinds are named. */

/** Stable error codes; `http/error-handler.ts` maps each to a status and Chroma's error name. */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error the engine raises on purpose; callers branch on `code`, never on `message`. */
export class EngineError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** Shorthand for an INVALID_ARGUMENT error. */
export function invalidArgument(message: string, cause?: unknown): EngineError {
  return new EngineError('INVALID_ARGUMENT', message, { cause });
}

/** Shorthand for a NOT_FOUND error. */
export function notFound(message: string): EngineError {
  return new EngineError('NOT_FOUND', message);
}

/** Shorthand for an ALREADY_EXISTS error. */
export function alreadyExists(message: string): EngineError {
  return new EngineError('ALREADY_EXISTS', message);
}

/** True when `err` is an {@link EngineError}, optionally of the given code. */
export function isEngineError(err: unknown, code?: ErrorCode): err is EngineError {
  return err instanceof EngineError && (code === undefined || err.code === code);
}
