/** HTTP side of the metrics: a middleware timing every request, and `GET /metrics` in Prometheus' text format. */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { Gauge, Registry } from 'prom-client';
import type { Config } from '../config.js';
import { DEFAULT_TENANT, type Engine } from '../engine/database.js';
import { readLastIngest } from '../ingest/last-ingest.js';
import { metricsRegistry, recordHttpRequest, registerProcessMetrics } from '../ops/metrics.js';
import type { ReadinessReport } from '../ops/readiness.js';
import { estimateIndexBytes, measureStorage } from './console/overview.js';

/** Path of the metrics route; protected like every route that is not on the public list. */
export const METRICS_PATH = '/metrics';

/** What the metrics route reads at scrape time. */
export interface MetricsDeps {
  /** The embedded database whose collections are measured; null in gateway mode (Chroma measures its own). */
  engine: Engine | null;
  config: Config;
  readiness?: () => ReadinessReport;
}

/** Times every request and records it under its route template (never the raw path: ids would explode labels). */
export function createRequestMetrics(): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      recordHttpRequest(req.method, routeOf(req, res), res.statusCode, (performance.now() - started) / 1000);
    });
    next();
  };
}

/** The route template a request matched, e.g. `/api/v2/tenants/:tenant/databases/:database/collections`. */
function routeOf(req: Request, res: Response): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  if (req.baseUrl !== '') return `${req.baseUrl}/*`;
  const operation = (res.locals as { operation?: unknown }).operation;
  if (typeof operation === 'string') return operation;
  return res.statusCode === 404 ? 'unmatched' : 'static';
}

/** `GET /metrics`: the process's instruments plus gauges read from the store at scrape time. */
export function createMetricsRoute(deps: MetricsDeps): Router {
  registerProcessMetrics();
  const router = express.Router();
  router.get(METRICS_PATH, (_req, res, next) => {
    scrape(deps).then((text) => {
      res.setHeader('Content-Type', metricsRegistry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(text);
    }, next);
  });
  return router;
}

async function scrape(deps: MetricsDeps): Promise<string> {
  const now = new Registry();
  if (deps.engine !== null) await readStoreGauges(deps.engine, deps.config, now);
  if (deps.readiness) readReadiness(deps.readiness(), now);
  return Registry.merge([metricsRegistry, now]).metrics();
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

async function readStoreGauges(engine: Engine, config: Config, registry: Registry): Promise<void> {
  const labels = ['database', 'collection'];
  const collections = gauge(registry, 'kbgate_collections', 'Collections in the store');
  const records = gauge(registry, 'kbgate_records', 'Records per collection', labels);
  const index = gauge(
    registry,
    'kbgate_index_memory_bytes',
    'Estimated memory of each collection vector index once loaded (vectors and graph links)',
    labels,
  );
  const ingest = gauge(
    registry,
    'kbgate_ingest_last_run_timestamp_seconds',
    'When the last ingest run into the collection finished (any process: read from the store)',
    labels,
  );
  const ingestFiles = gauge(
    registry,
    'kbgate_ingest_last_run_files',
    'Files of the last ingest run by result (added, updated, unchanged, removed, failed)',
    [...labels, 'result'],
  );
  const ingestChunks = gauge(
    registry,
    'kbgate_ingest_last_run_chunks',
    'Chunks the last ingest run wrote',
    labels,
  );
  let count = 0;
  for (const db of engine.listDatabases(DEFAULT_TENANT)) {
    for (const model of engine.listCollections(DEFAULT_TENANT, db.name)) {
      const l = { database: db.name, collection: model.name };
      const n = await engine.count(model.id);
      count++;
      records.set(l, n);
      index.set(l, estimateIndexBytes(model, n));
      const run = readLastIngest(model.metadata);
      if (run === null) continue;
      setFinite(ingest, l, Date.parse(run.at) / 1000);
      setFinite(ingestChunks, l, run.chunks);
      for (const result of ['added', 'updated', 'unchanged', 'removed', 'failed'] as const) {
        setFinite(ingestFiles, { ...l, result }, run[result]);
      }
    }
  }
  collections.set(count);
  if (config.dataDir !== null) {
    const storage = measureStorage(config.dataDir);
    const bytes = gauge(registry, 'kbgate_storage_bytes', 'Bytes on disk by kind (database, indexes)', [
      'kind',
    ]);
    bytes.set({ kind: 'database' }, storage.database);
    bytes.set({ kind: 'indexes' }, storage.indexes);
  }
}

/** Sets a gauge from a value read from the store, which an older or foreign writer may have left out. */
function setFinite(g: Gauge<string>, labels: Record<string, string>, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) g.set(labels, value);
}

function readReadiness(report: ReadinessReport, registry: Registry): void {
  gauge(
    registry,
    'kbgate_ready',
    '1 when the server reports ready (GET /api/v2/healthcheck answers 200)',
  ).set(report.ready ? 1 : 0);
  const checks = gauge(registry, 'kbgate_readiness_check', '1 when a readiness check passes', ['check']);
  for (const [check, problem] of Object.entries(report.checks))
    checks.set({ check }, problem === null ? 1 : 0);
}
