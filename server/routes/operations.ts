/** Health and dataset description: what load balancers and operators poll. */
import Router from '@koa/router';
import { summarize } from '../../data/summary.ts';
import { roleOf } from '../auth.ts';
import type { DatasetStore } from '../dataset-store.ts';

export function operationsRouter(store: DatasetStore): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', (ctx) => {
    const precompute = store.current.tiles.precomputeProgress();
    ctx.body = { status: 'ready', version: store.current.dataset.id, precompute, cache: store.cache.stats() };
  });
  router.get('/dataset', (ctx) => {
    ctx.body = summarize(store.current.dataset, roleOf(ctx));
  });
  return router;
}
