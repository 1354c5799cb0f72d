/**
 * The HTTP response for a tile: one function for the Koa route and the fast path, so both send the same bytes and
 * headers. Content negotiation on stored compressed bytes; never a compressed body without Content-Encoding.
 */
import { gunzipSync } from 'node:zlib';
import type { CachedTile } from '../tiles/cache.ts';
import { MVT_CONTENT_TYPE } from '../tiles/mvt.ts';

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
  const headers: Record<string, string> = {
    'Content-Type': MVT_CONTENT_TYPE,
    Vary: 'Accept-Encoding',
    ETag: tile.etag,
    'Cache-Control': versioned ? IMMUTABLE : SHORT,
  };
  if (ifNoneMatch !== '' && ifNoneMatch.split(/\s*,\s*/).includes(tile.etag)) return { status: 304, headers, body: EMPTY };
  if (tile.rawLength === 0) return { status: 200, headers, body: EMPTY };
  const encoding = chooseEncoding(acceptEncoding);
  if (encoding === 'identity') return { status: 200, headers, body: gunzipSync(tile.gzip) };
  headers['Content-Encoding'] = encoding;
  return { status: 200, headers, body: tile[encoding] };
}

const encodings = new Map<string, 'br' | 'gzip' | 'identity'>();

/**
 * br if the client takes it, else gzip, else identity: our preference decides among encodings the client accepts
 * (browsers list "gzip, deflate, br" with equal weight, and brotli tiles are smaller). Memoised: clients send few
 * distinct headers.
 */
export function chooseEncoding(header: string): 'br' | 'gzip' | 'identity' {
  let chosen = encodings.get(header);
  if (chosen === undefined) {
    chosen = parseEncoding(header);
    if (encodings.size < 256) encodings.set(header, chosen);
  }
  return chosen;
}

function parseEncoding(header: string): 'br' | 'gzip' | 'identity' {
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}
