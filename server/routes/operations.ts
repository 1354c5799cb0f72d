/** Health and dataset description: what load balancers and operators poll. */
import Router from '@koa/router';
import { summarize } from '../../data/summary.ts';
import { roleOf } from '../auth.ts';
import type { DatasetStore } from '../dataset-store.ts';
import type { Reloader } from '../reload.ts';

export function operationsRouter(store: DatasetStore, reloader?: Reloader): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', (ctx) => {
    const { dataset, tiles, generation } = store.current;
    const reload = reloader?.status();
    ctx.body = { status: 'ready', version: dataset.id, generation, precompute: tiles.precomputeProgress(), cache: store.cache.stats(), ...(reload ? { reload } : {}) };
  });
  router.get('/dataset', (ctx) => {
    ctx.body = summarize(store.current.dataset, roleOf(ctx));
  });
  return router;
}
