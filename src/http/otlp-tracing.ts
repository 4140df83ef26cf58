/** The OpenTelemetry side of request tracing, loaded only when an OTLP endpoint is configured. */
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { RequestHandler } from 'express';
import type { Tracing, TracingOptions } from './tracing.js';

/** Creates tracing that exports one span per request to `<endpoint>/v1/traces`. */
export function createOtlpTracing(options: TracingOptions & { endpoint: string }): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'kbgate',
      'service.version': options.serviceVersion ?? '0.0.0',
    }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 1_000 }),
    ],
  });
  const tracer = provider.getTracer('kbgate-http');
  return { enabled: true, middleware: traceRequests(tracer), shutdown: () => provider.shutdown() };
}

/**
 * Starts a span when a request arrives and ends it when the response is finished.
 *
 * @remarks
 * The span is named after the matched route template (`POST /api/v2/.../collections/:collection_id/query`), never
 * the raw path, so ids do not explode span-name cardinality; routes label the collection id and operation.
 */
function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const span = tracer.startSpan(`${req.method} request`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    });
    res.once('close', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      if (route !== undefined) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const { operation, collectionId } = res.locals as { operation?: string; collectionId?: string };
      if (operation !== undefined) span.setAttribute('kbgate.operation', operation);
      if (collectionId !== undefined) span.setAttribute('kbgate.collection.id', collectionId);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    next();
  };
}
