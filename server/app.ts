/**
 * The Koa application: a small core of middleware, then one router per protocol, all over one DatasetStore.
 */
import Koa from 'koa';
import type { DatasetStore } from './dataset-store.ts';
import { jsonErrors } from './errors.ts';
import { operationsRouter } from './routes/operations.ts';

export function createApp(store: DatasetStore): Koa {
  const app = new Koa();
  app.use(jsonErrors);
  app.use(async (ctx, next) => {
    ctx.set('X-Data-Version', store.current.id);
    await next();
  });
  for (const router of [operationsRouter(store)]) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
