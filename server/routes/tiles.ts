/**
 * XYZ vector tiles, TileJSON and styles. The tile route is the hot path: a cached tile costs a Map lookup,
 * header writes and the body.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { gunzipSync } from 'node:zlib';
import { MVT_CONTENT_TYPE } from '../../tiles/mvt.ts';
import { styleDocument, parseStyleId, styleIds } from '../../tiles/style/documents.ts';
import { tileJson } from '../../tiles/tilejson.ts';
import type { CachedTile } from '../../tiles/cache.ts';
import type { DatasetStore } from '../dataset-store.ts';
import { HttpError } from '../errors.ts';
import { baseUrl } from '../urls.ts';

/** Versioned URLs never change content; unversioned ones may change with the next build. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60';

export function tilesRouter(store: DatasetStore, publicUrl: string | undefined): Router {
  const router = new Router();

  router.get('/tiles', (ctx) => {
    const { dataset, tiles } = store.current;
    const base = baseUrl(ctx, publicUrl);
    ctx.set('Cache-Control', SHORT);
    ctx.body = {
      tilesets: [...tiles.maker.tilesets.values()].map((t) => ({
        id: t.id,
        year: t.year,
        alias: t.alias,
        title: `Områdestyper ${t.year}`,
        links: [
          { rel: 'describedby', type: 'application/json', href: `${base}/tiles/${t.id}.json` },
          { rel: 'item', type: MVT_CONTENT_TYPE, href: `${base}/tiles/${t.id}/{z}/{x}/{y}.mvt?v=${dataset.id}`, templated: true },
          { rel: 'stylesheet', type: 'application/json', href: `${base}/styles/omradestyper${t.alias ? '' : `-${t.year}`}.json` },
        ],
      })),
    };
  });

  router.get('/tiles/:file', (ctx) => {
    const { dataset, tiles } = store.current;
    const id = /^(.+)\.json$/.exec(ctx.params.file)?.[1];
    const tileset = id === undefined ? undefined : tiles.tileset(id);
    if (!tileset) throw new HttpError(404, `no tileset "${ctx.params.file.replace(/\.json$/, '')}"; see /tiles`);
    ctx.set('Cache-Control', SHORT);
    ctx.body = tileJson(dataset, tileset, tiles.bounds, baseUrl(ctx, publicUrl), 'public');
  });

  router.get('/tiles/:tileset/:z/:x/:file', (ctx) => {
    const { dataset, tiles } = store.current;
    const tileset = tiles.tileset(ctx.params.tileset);
    if (!tileset) throw new HttpError(404, `no tileset "${ctx.params.tileset}"; see /tiles`);
    const y = /^(\d+)\.(mvt|pbf)$/.exec(ctx.params.file)?.[1];
    if (!/^\d+$/.test(ctx.params.z) || !/^\d+$/.test(ctx.params.x) || y === undefined) {
      throw new HttpError(400, 'expected /tiles/{tileset}/{z}/{x}/{y}.mvt with non-negative integers z, x, y');
    }
    const found = tiles.get(tileset, { z: Number(ctx.params.z), x: Number(ctx.params.x), y: Number(y) }, 'public');
    if (found.status !== 'ok') throw new HttpError(404, found.reason);
    sendTile(ctx, found.tile, ctx.query.v === dataset.id ? IMMUTABLE : SHORT);
  });

  router.get('/styles', (ctx) => {
    const base = baseUrl(ctx, publicUrl);
    ctx.set('Cache-Control', SHORT);
    ctx.body = { styles: styleIds(store.current.dataset, 'public').map((id) => ({ id, href: `${base}/styles/${id}.json` })) };
  });

  router.get('/styles/:file', (ctx) => {
    const { dataset, tiles } = store.current;
    const id = /^(.+)\.json$/.exec(ctx.params.file)?.[1] ?? '';
    const request = parseStyleId(dataset, id, 'public');
    if (!request) throw new HttpError(404, `no style "${id}"; see /styles`);
    const tileset = [...tiles.maker.tilesets.values()].find((t) => t.year === request.year && !t.alias)!;
    ctx.set('Cache-Control', SHORT);
    ctx.body = styleDocument(dataset, request, tiles.maker.attributes(request.year, 'public'), `${baseUrl(ctx, publicUrl)}/tiles/${tileset.id}.json`);
  });

  return router;
}

/** Content negotiation on stored compressed bytes; never a compressed body without Content-Encoding. */
function sendTile(ctx: Context, tile: CachedTile, cacheControl: string): void {
  ctx.set('Content-Type', MVT_CONTENT_TYPE);
  ctx.set('Vary', 'Accept-Encoding');
  ctx.set('ETag', tile.etag);
  ctx.set('Cache-Control', cacheControl);
  ctx.status = 200;
  if (ctx.get('If-None-Match').split(/\s*,\s*/).includes(tile.etag)) {
    ctx.status = 304;
    return;
  }
  if (tile.rawLength === 0) {
    ctx.body = Buffer.alloc(0);
    return;
  }
  const encoding = chooseEncoding(ctx.get('Accept-Encoding'));
  if (encoding !== 'identity') {
    ctx.set('Content-Encoding', encoding);
    ctx.body = tile[encoding];
  } else {
    ctx.body = gunzipSync(tile.gzip);
  }
}

/**
 * br if the client takes it, else gzip, else identity: our preference decides among encodings the client accepts
 * (browsers list "gzip, deflate, br" with equal weight, and brotli tiles are smaller).
 */
export function chooseEncoding(header: string): 'br' | 'gzip' | 'identity' {
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
