/**
 * The hot path: a cached public tile answered straight from node:http, before Koa. Profiling showed Koa, the router
 * and header handling costing more per cached tile than the socket write (bench/RESULTS.md). Anything else — an
 * uncached tile, a bad address, another method, any request presenting a key (valid or not) — goes to the Koa app,
 * which answers the same way (tileResponse). So this path never serves a tile of another role than public.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from './auth.ts';
import type { CorsPolicy } from './cors.ts';
import type { DatasetStore } from './dataset-store.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { tileResponse } from './tile-response.ts';

const TILE_PATH = /^\/tiles\/([^/?]+)\/(\d{1,2})\/(\d{1,10})\/(\d{1,10})\.(?:mvt|pbf)$/;

/** The Koa route that answers the same requests: what logs name as the route. */
export const TILE_ROUTE = '/tiles/:tileset/:z/:x/:file';

/** Returns true if it answered the request. */
export function serveCachedTile(store: DatasetStore, req: IncomingMessage, res: ServerResponse, identity: Identity, cors: CorsPolicy): boolean {
  if (req.method !== 'GET' || req.url === undefined || identity.keyId !== null || identity.refused !== null) return false;
  const q = req.url.indexOf('?');
  const m = TILE_PATH.exec(q < 0 ? req.url : req.url.slice(0, q));
  if (!m) return false;
  const { dataset, tiles } = store.current;
  const tileset = tiles.tileset(m[1]);
  if (!tileset) return false;
  const tile = tiles.cached(tileset, { z: Number(m[2]), x: Number(m[3]), y: Number(m[4]) }, 'public');
  if (!tile) return false;
  const versioned = q >= 0 && new URLSearchParams(req.url.slice(q + 1)).get('v') === dataset.id;
  const response = tileResponse(tile, versioned, req.headers['accept-encoding'] ?? '', req.headers['if-none-match'] ?? '');
  const headers: Record<string, string> = { ...response.headers, ...cors.headers(req.headers.origin), ...SECURITY_HEADERS, 'X-Data-Version': dataset.id, 'Content-Length': String(response.body.length) };
  if (cors.variesByOrigin) headers.Vary += ', Origin';
  res.writeHead(response.status, headers);
  res.end(response.body);
  return true;
}
