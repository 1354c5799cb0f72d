/**
 * Server-sent events at /events: the data version served now, and every new one as the store swaps builds — what
 * the viewer's wall screens redraw on, without reloading. On connect the current version; after every swap the new
 * one; a comment line every HEARTBEAT_MS so proxies and load balancers keep the idle stream open; a `retry:` hint for
 * how soon the browser reconnects after the server was away.
 *
 * The stream bypasses Koa's body handling (ctx.respond = false): written straight to the socket, unbuffered and never
 * compressed (a compressing proxy or middleware would hold events back until its buffer fills). The headers set by the
 * middleware before (CORS, X-Data-Version) are kept: writeHead merges them.
 */
import Router from '@koa/router';
import type { ServerResponse } from 'node:http';
import type { DatasetStore, ServedVersion } from '../dataset-store.ts';

export const HEARTBEAT_MS = 15_000;
/** Reconnect delay the browser is told to use (EventSource's default is about 3 s). */
export const RETRY_MS = 2_000;

/** The payload of a `version` event. */
export interface VersionEvent {
  id: string;
  generation: number;
}

export function eventsRouter(store: DatasetStore, heartbeatMs = HEARTBEAT_MS): Router {
  const router = new Router();
  router.get('/events', (ctx) => {
    ctx.respond = false;
    const res = ctx.res;
    ctx.req.socket.setNoDelay(true);
    ctx.req.socket.setTimeout(0);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers proxied responses unless told otherwise.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    sendVersion(res, store.current);
    const unsubscribe = store.onSwap((next) => sendVersion(res, next));
    const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    res.on('close', stop);
    res.on('error', stop);
  });
  return router;
}

function sendVersion(res: ServerResponse, version: ServedVersion): void {
  const data: VersionEvent = { id: version.dataset.id, generation: version.generation };
  res.write(`event: version\nid: ${version.generation}\ndata: ${JSON.stringify(data)}\n\n`);
}
