/** kbgate's Chroma routes in gateway mode: liveness and readiness stay, the rest points at the Chroma server. */
import type { Router } from 'express';
import type { Config } from '../../config.js';
import type { ReadinessReport } from '../../ops/readiness.js';
import { HttpError } from '../error-handler.js';
import { label } from './route-context.js';
import { registerProbeRoutes } from './system.js';

/** What the gateway's routes need. */
export interface GatewayRouteContext {
  config: Config;
  readiness: () => ReadinessReport;
}

/**
 * Registers heartbeat (liveness), version and healthcheck (readiness, which includes reaching Chroma), and answers
 * every other `/api/...` request with a 404 naming the Chroma server to send it to.
 *
 * @remarks kbgate's own Chroma API is switched off rather than passed through: its tokens are not Chroma's, a
 * pass-through would have to re-enforce read-only tokens on every Chroma route, and Chroma's clients already
 * speak to Chroma itself (one hop fewer).
 */
export function registerGatewayRoutes(router: Router, ctx: GatewayRouteContext): void {
  registerProbeRoutes(router, () => Date.now() * 1_000_000, ctx.readiness);
  router.use('/api', (_req, res, next) => {
    label(res, 'gateway_off');
    next(
      new HttpError(
        'ROUTE_NOT_FOUND',
        `kbgate runs as a gateway over Chroma (KBGATE_CHROMA_URL=${ctx.config.chroma?.url ?? ''}); its own Chroma ` +
          'API is switched off. Send Chroma API calls to that server; /search, the retrieval proxy (/v1) and ' +
          'kbgate ingest work here.',
      ),
    );
  });
}
