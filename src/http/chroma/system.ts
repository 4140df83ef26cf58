/** System routes: heartbeat, version, healthcheck, pre-flight checks, identity and reset. */
import type { RequestHandler, Router } from 'express';
import { DEFAULT_DATABASE, DEFAULT_TENANT } from '../../engine/database.js';
import { EngineError } from '../../engine/errors.js';
import { describeProblems, type ReadinessReport } from '../../ops/readiness.js';
import { label, type RouteContext } from './route-context.js';

/** The Chroma server version kbgate's API corresponds to. */
export const CHROMA_API_VERSION = '1.0.0';

/**
 * Registers the probes every mode answers: heartbeat (liveness, v2 and v1), version, and healthcheck (readiness: 503
 * `Not ready: <reasons>` while it is not).
 */
export function registerProbeRoutes(
  router: Router,
  heartbeatNanoseconds: () => number,
  readiness: () => ReadinessReport,
): void {
  const heartbeat: RequestHandler = (_req, res) => {
    label(res, 'heartbeat');
    res.json({ 'nanosecond heartbeat': heartbeatNanoseconds() });
  };
  router.get('/api/v2/heartbeat', heartbeat);
  router.get('/api/v1/heartbeat', heartbeat);

  router.get('/api/v2/version', (_req, res) => {
    label(res, 'version');
    res.json(CHROMA_API_VERSION);
  });

  router.get('/api/v2/healthcheck', (_req, res) => {
    label(res, 'healthcheck');
    const report = readiness();
    if (!report.ready) throw new EngineError('UNAVAILABLE', `Not ready: ${describeProblems(report)}`);
    res.json({ is_executor_ready: true, is_log_client_ready: true });
  });
}

/** Registers the system routes. */
export function registerSystemRoutes(router: Router, ctx: RouteContext): void {
  registerProbeRoutes(router, () => ctx.engine.heartbeat(), ctx.readiness);

  router.get('/api/v2/pre-flight-checks', (_req, res) => {
    label(res, 'pre_flight_checks');
    res.json({ max_batch_size: ctx.config.maxBatchSize, supports_base64_encoding: true });
  });

  router.get('/api/v2/auth/identity', (_req, res) => {
    label(res, 'get_user_identity');
    res.json({ user_id: '', tenant: DEFAULT_TENANT, databases: [DEFAULT_DATABASE] });
  });

  router.post('/api/v2/reset', (_req, res) => {
    label(res, 'reset');
    if (!ctx.config.allowReset) {
      throw new EngineError('FORBIDDEN', 'Resetting is disabled; set KBGATE_ALLOW_RESET=true to allow it');
    }
    ctx.engine.reset();
    res.json(true);
  });
}
