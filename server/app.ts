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
import type { Reloader } from './reload.ts';
import { adminRouter } from './routes/admin.ts';
import { operationsRouter } from './routes/operations.ts';
import { tilesRouter } from './routes/tiles.ts';

export interface AppOptions {
  publicUrl?: string;
  trustProxy?: boolean;
  /** Hot reload (POST /admin/reload, /ready's last result); without it the server serves one version. */
  reloader?: Reloader;
}

export function createApp(store: DatasetStore, options: AppOptions = {}): Koa {
  const app = new Koa({ proxy: options.trustProxy ?? true });
  app.use(jsonErrors);
  app.use(cors);
  // Every response names the version it was made from. Routers take `store.current` once, in the same synchronous
  // run as this line (koa-compose and the routers call down without awaiting), so no swap can fall in between;
  // test/server/reload.test.ts checks it under swaps.
  app.use(async (ctx, next) => {
    ctx.set('X-Data-Version', store.current.dataset.id);
    await next();
  });
  const routers = [
    operationsRouter(store, options.reloader),
    tilesRouter(store, options.publicUrl),
    ogcRouter(store, options.publicUrl),
    adminRouter(store, options.reloader),
  ];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods());
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
