/** Tile cache administration: `POST /admin/cache/purge` (admin) empties the in-memory tile cache. */
import Router from '@koa/router';
import { requireRole } from '../auth.ts';
import type { DatasetStore } from '../dataset-store.ts';

export function cacheRouter(store: DatasetStore): Router {
  const router = new Router();
  router.post('/admin/cache/purge', requireRole('admin'), (ctx) => {
    const before = store.cache.stats();
    store.cache.clear();
    ctx.body = { purged: { entries: before.entries, bytes: before.bytes }, cache: store.cache.stats() };
  });
  return router;
}
