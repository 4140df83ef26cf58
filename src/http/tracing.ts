/** OpenTelemetry tracing: one span per request, exported over OTLP/HTTP when an endpoint is configured. */
import type { RequestHandler } from 'express';

/** Request tracing: the middleware and a shutdown that flushes spans not yet exported. */
export interface Tracing {
  /** Whether spans are recorded (an endpoint is configured); the middleware does nothing otherwise. */
  enabled: boolean;
  middleware: RequestHandler;
  shutdown(): Promise<void>;
}

/** Options of {@link createTracing}. */
export interface TracingOptions {
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. Null disables tracing. */
  endpoint: string | null;
  serviceName?: string;
  serviceVersion?: string;
  /** Milliseconds between batch exports (default 1,000). */
  exportDelayMs?: number;
}

/**
 * Creates request tracing; without an endpoint the middleware does nothing.
 *
 * @remarks The OpenTelemetry SDK (about 15 MB resident) is only loaded when an endpoint is configured.
 */
export async function createTracing(options: TracingOptions): Promise<Tracing> {
  if (options.endpoint === null) {
    return { enabled: false, middleware: (_req, _res, next) => next(), shutdown: async () => {} };
  }
  const { createOtlpTracing } = await import('./otlp-tracing.js');
  return createOtlpTracing({ ...options, endpoint: options.endpoint });
}
