/**
 * The Koa application: a small core of middleware, then one router per protocol, all over one DatasetStore.
 */
import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { DatasetStore } from './dataset-store.ts';
import { cors } from './cors.ts';
import { jsonErrors } from './errors.ts';
import { serveCachedTile } from './fast-tiles.ts';
import { ogcRouter } from './ogc/router.ts';
import { operationsRouter } from './routes/operations.ts';
import { statsRouter } from './routes/stats.ts';
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
  for (const router of [operationsRouter(store), tilesRouter(store, options.publicUrl), ogcRouter(store, options.publicUrl), statsRouter(store)]) app.use(router.routes()).use(router.allowedMethods());
  return app;
}

/** The request handler to serve: cached tiles straight from node:http, everything else through the Koa app. */
export function createHandler(store: DatasetStore, options: AppOptions = {}, onError?: (err: unknown) => void): RequestListener {
  const app = createApp(store, options);
  if (onError) app.on('error', onError);
  const koa = app.callback();
  return (req, res) => {
    if (!serveCachedTile(store, req, res)) void koa(req, res);
  };
}
