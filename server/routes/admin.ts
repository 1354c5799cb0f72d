/**
 * Admin endpoints: reload the dataset, purge the tile cache. Operators and deploy scripts call them; they change
 * what everyone is served, so they are for the `admin` role only.
 */
import Router from '@koa/router';
import { requireRole } from '../auth.ts';
import type { DatasetStore } from '../dataset-store.ts';
import { HttpError } from '../errors.ts';
import type { Reloader } from '../reload.ts';

const WAIT = new Map([['1', true], ['true', true], ['0', false], ['false', false]]);

export function adminRouter(store: DatasetStore, reloader: Reloader | undefined): Router {
  const router = new Router({ prefix: '/admin' });

  // Each route requires the role itself (not router.use): logs, metrics and the audit then name the route.
  const admin = requireRole('admin');

  router.get('/reload', admin, (ctx) => {
    ctx.body = reloadStatus(reloader);
  });

  /**
   * Starts a rebuild: 202 with the status URL at once, or with `?wait=1` the outcome when it is done — 200 if the
   * new version serves (or nothing changed), 422 with the problems if the sources do not build.
   */
  router.post('/reload', admin, async (ctx) => {
    const unknown = Object.keys(ctx.query).filter((k) => k !== 'wait');
    if (unknown.length > 0) throw new HttpError(400, `unknown parameter "${unknown[0]}"; only "wait" (1 or 0) is accepted`, { parameter: unknown[0] });
    const wait = ctx.query.wait === undefined ? false : WAIT.get(String(ctx.query.wait));
    if (wait === undefined) throw new HttpError(400, 'wait must be 1 or 0', { parameter: 'wait' });
    const done = reloaderOf(reloader).reload('admin');
    if (!wait) {
      ctx.status = 202;
      ctx.set('Location', '/admin/reload');
      ctx.body = { ...reloadStatus(reloader), status: '/admin/reload' };
      return;
    }
    const result = await done;
    if (result.state === 'failed') throw new HttpError(422, 'the sources do not build; the previous version stays served', { reload: result });
    ctx.body = result;
  });

  /** Empties the tile cache (every version and role); tiles are made again on request. */
  router.post('/cache/purge', admin, (ctx) => {
    const before = store.cache.stats();
    store.cache.clear();
    ctx.body = { purged: { entries: before.entries, bytes: before.bytes }, cache: store.cache.stats() };
  });

  return router;
}

function reloaderOf(reloader: Reloader | undefined): Reloader {
  if (!reloader) throw new HttpError(404, 'this server was started without a dataset manifest to reload from');
  return reloader;
}

function reloadStatus(reloader: Reloader | undefined) {
  return reloaderOf(reloader).status();
}
