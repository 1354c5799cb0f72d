/**
 * `GET /metrics`: the Prometheus exposition of this app's registry (server/metrics.ts). Open by default, as
 * Prometheus scrapes from inside the network and the figures hold no data values; `metrics.requireRole` in the
 * configuration asks for a key (Prometheus sends it with `authorization: { credentials: <key> }`). A scrape is no
 * admin action: it is not audited, unless refused.
 */
import Router from '@koa/router';
import type { Role } from '../../data/disclosure.ts';
import { requireRole } from '../auth.ts';
import type { ServerMetrics } from '../metrics.ts';

export function metricsRouter(metrics: ServerMetrics, required: Role): Router {
  const router = new Router();
  router.get('/metrics', requireRole(required, { audit: false }), async (ctx) => {
    const { contentType, body } = await metrics.scrape();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  });
  return router;
}
