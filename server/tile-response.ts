/**
 * The HTTP response for a tile: one function for the Koa routes and the fast path, so both send the same bytes and
 * headers. Content negotiation on stored compressed bytes; never a compressed body without Content-Encoding.
 */
import { gunzipSync } from 'node:zlib';
import type { Context } from 'koa';
import type { CachedTile } from '../tiles/cache.ts';
import { MVT_CONTENT_TYPE } from '../tiles/mvt.ts';
import { chooseEncoding } from './encoding.ts';

/** Versioned URLs never change content; unversioned ones may change with the next build. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=60';

export interface TileResponse {
  status: 200 | 304;
  /**
   * Name, value, name, value, …: the form node:http's writeHead takes fastest (an array grows without the
   * hidden-class transitions of an object that gains properties one by one); the fast path appends its own.
   */
  headers: string[];
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Where in `headers` the value of Vary is (the fast path adds Origin when CORS answers vary by it). */
export const VARY_VALUE = 1;

export function tileResponse(tile: CachedTile, versioned: boolean, acceptEncoding: string, ifNoneMatch: string): TileResponse {
  // A 304 carries the validators and caching headers only (RFC 9110 15.4.5), as Koa sends it.
  const headers = ['Vary', 'Accept-Encoding', 'ETag', tile.etag, 'Cache-Control', versioned ? IMMUTABLE : SHORT];
  if (ifNoneMatch !== '' && ifNoneMatch.split(/\s*,\s*/).includes(tile.etag)) return { status: 304, headers, body: EMPTY };
  headers.push('Content-Type', MVT_CONTENT_TYPE);
  if (tile.rawLength === 0) return { status: 200, headers, body: EMPTY };
  const encoding = chooseEncoding(acceptEncoding);
  if (encoding === 'identity') return { status: 200, headers, body: gunzipSync(tile.gzip) };
  headers.push('Content-Encoding', encoding);
  return { status: 200, headers, body: tile[encoding] };
}

/** Sends a tile response from a Koa route. */
export function sendTileResponse(ctx: Context, response: TileResponse): void {
  const { headers } = response;
  for (let i = 0; i < headers.length; i += 2) ctx.set(headers[i], headers[i + 1]);
  ctx.status = response.status;
  if (response.status === 200) ctx.body = response.body;
}
