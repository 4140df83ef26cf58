/** Turns every failure into Chroma's error body `{ error, message }` with a status from one table. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { type ErrorCode, isEngineError } from '../engine/errors.js';

/** Failures that only exist at the HTTP edge (the engine never raises them). */
export type HttpErrorCode =
  'UNPROCESSABLE' | 'MALFORMED_JSON' | 'PAYLOAD_TOO_LARGE' | 'ROUTE_NOT_FOUND' | 'NOT_IMPLEMENTED';

/** Status and Chroma error name for every engine and HTTP error code. */
export const ERROR_TABLE: Record<ErrorCode | HttpErrorCode, { status: number; name: string }> = {
  INVALID_ARGUMENT: { status: 400, name: 'InvalidArgumentError' },
  NOT_FOUND: { status: 404, name: 'NotFoundError' },
  ALREADY_EXISTS: { status: 409, name: 'UniqueConstraintError' },
  // gRPC's HTTP mapping: a request that cannot run in the current state is the client's to fix (400, not 412),
  // and Chroma's JS client reports 400s as client errors with the server's message.
  FAILED_PRECONDITION: { status: 400, name: 'FailedPreconditionError' },
  UNAUTHORIZED: { status: 401, name: 'AuthError' },
  FORBIDDEN: { status: 403, name: 'AuthorizationError' },
  UNAVAILABLE: { status: 503, name: 'ServiceUnavailableError' },
  INTERNAL: { status: 500, name: 'InternalError' },
  UNPROCESSABLE: { status: 422, name: 'UnprocessableEntityError' },
  MALFORMED_JSON: { status: 400, name: 'InvalidArgumentError' },
  PAYLOAD_TOO_LARGE: { status: 413, name: 'PayloadTooLargeError' },
  ROUTE_NOT_FOUND: { status: 404, name: 'NotFoundError' },
  NOT_IMPLEMENTED: { status: 501, name: 'NotImplementedError' },
};

/** An error raised by the HTTP layer itself, with a code from {@link ERROR_TABLE}. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode | ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** Classifies any thrown value into a table code and a message safe to show the client. */
export function classifyError(err: unknown): { code: ErrorCode | HttpErrorCode; message: string } {
  if (isEngineError(err)) return { code: err.code, message: err.message };
  if (err instanceof HttpError) return { code: err.code, message: err.message };
  if (err instanceof ZodError) return { code: 'UNPROCESSABLE', message: formatZodError(err) };
  const type = (err as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed')
    return { code: 'MALFORMED_JSON', message: 'Malformed JSON in request body' };
  if (type === 'entity.too.large') return { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { code: 'INVALID_ARGUMENT', message: 'Unsupported request body encoding' };
  }
  if (err instanceof URIError) {
    return { code: 'INVALID_ARGUMENT', message: 'Malformed percent-encoding in the request path' };
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) return classifyClientFailure(status, err);
  return { code: 'INTERNAL', message: 'Internal server error' };
}

/**
 * Any other failure Express or the body parser raised as the client's (an `http-errors` 4xx): a body that does not
 * inflate as its `Content-Encoding` says, a body cut short. Never a 5xx; the message names the problem only.
 */
function classifyClientFailure(
  status: number,
  err: unknown,
): { code: ErrorCode | HttpErrorCode; message: string } {
  if (status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^(Z_|ERR_ZLIB|ERR_BROTLI|ERR__ERROR)/.test(code)) {
    return { code: 'INVALID_ARGUMENT', message: 'Request body does not decode as its Content-Encoding says' };
  }
  return { code: 'INVALID_ARGUMENT', message: 'Malformed request body' };
}

/** The Express error handler, registered last: maps the error, logs server faults, never leaks a stack. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const { code, message } = classifyError(err);
    const { status, name } = ERROR_TABLE[code];
    const log = (req as { log?: Logger }).log ?? logger;
    if (status >= 500) log.error({ err }, 'request failed');
    else log.debug({ code, message }, 'request rejected');
    const body: ErrorBody = { error: name, message };
    res.status(status).json(body);
  };
}

/** Answers requests no route matched with a JSON 404. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(new HttpError('ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`));
  };
}

function formatZodError(err: ZodError): string {
  const issues = err.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${path}: ${issue.message}`;
  });
  const more = err.issues.length > 5 ? ` (and ${err.issues.length - 5} more)` : '';
  return `Invalid request body: ${issues.join('; ')}${more}`;
}
