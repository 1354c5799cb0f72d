/**
 * The Koa application: a small core of middleware, then one router per protocol, all over one DatasetStore.
 */
import Koa from 'koa';
import type { DatasetStore } from './dataset-store.ts';
import { cors } from './cors.ts';
import { jsonErrors } from './errors.ts';
import { ogcRouter } from './ogc/router.ts';
import { operationsRouter } from './routes/operations.ts';
import { tilesRouter } from './routes/tiles.ts';

export interface AppOptions {
  publicUrl?: string;
  trustProxy?: boolean;
}

export function createApp(store: DatasetStore, options: AppOptions = {}): Koa {
  const app = new Koa({ proxy: options.trustProxy ?? true });
  app.use(jsonErrors);
  app.use(cors);
  app.use(async (ctx, next) => {
    ctx.set('X-Data-Version', store.current.dataset.id);
    await next();
  });
  for (const router of [operationsRouter(store), tilesRouter(store, options.publicUrl), ogcRouter(store, options.publicUrl)]) app.use(router.routes()).use(router.allowedMethods());
  return app;
}
