/**
 * CORS for every resource: tiles, styles, TileJSON and features are fetched by web maps on other origins (MapLibre
 * apps, ArcGIS Online). Read-only and public for now; the ops issue narrows origins from the configuration.
 */
import type { Middleware } from 'koa';

/** The CORS headers of every response (also written by the tile fast path). */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': ['Content-Crs', 'Link', 'OGC-NumberMatched', 'OGC-NumberReturned', 'ETag', 'X-Data-Version'].join(', '),
} as const;

export const cors: Middleware = async (ctx, next) => {
  ctx.set(CORS_HEADERS);
  if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
    ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || 'Accept, Content-Type');
    ctx.set('Access-Control-Max-Age', '86400');
    ctx.status = 204;
    return;
  }
  await next();
};
