/**
 * The HTTP response for a tile: one function for the Koa route and the fast path, so both send the same bytes and
 * headers. Content negotiation on stored compressed bytes; never a compressed body without Content-Encoding.
 */
import { gunzipSync } from 'node:zlib';
import type { CachedTile } from '../tiles/cache.ts';
import { MVT_CONTENT_TYPE } from '../tiles/mvt.ts';
import { chooseEncoding } from './encoding.ts';

/** Versioned URLs never change content; unversioned ones may change with the next build. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=60';

export interface TileResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  body: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function tileResponse(tile: CachedTile, versioned: boolean, acceptEncoding: string, ifNoneMatch: string): TileResponse {
  // A 304 carries the validators and caching headers only (RFC 9110 15.4.5), as Koa sends it.
  const headers: Record<string, string> = { Vary: 'Accept-Encoding', ETag: tile.etag, 'Cache-Control': versioned ? IMMUTABLE : SHORT };
  if (ifNoneMatch !== '' && ifNoneMatch.split(/\s*,\s*/).includes(tile.etag)) return { status: 304, headers, body: EMPTY };
  headers['Content-Type'] = MVT_CONTENT_TYPE;
  if (tile.rawLength === 0) return { status: 200, headers, body: EMPTY };
  const encoding = chooseEncoding(acceptEncoding);
  if (encoding === 'identity') return { status: 200, headers, body: gunzipSync(tile.gzip) };
  headers['Content-Encoding'] = encoding;
  return { status: 200, headers, body: tile[encoding] };
}
