/**
 * XYZ vector tiles, TileJSON and styles. The tile route is the hot path: a cached tile costs a Map lookup,
 * header writes and the body.
 */
import Router from '@koa/router';
import { TILE_MATRIX_SETS, WEB_MERCATOR_QUAD } from '../../tiles/grid.ts';
import { MVT_CONTENT_TYPE } from '../../tiles/mvt.ts';
import { REL, tilesetSummary } from '../../tiles/ogc.ts';
import type { TilesetInfo } from '../../tiles/tilesets.ts';
import { styleDocument, parseStyleId, styleIds } from '../../tiles/style/documents.ts';
import { tileJson } from '../../tiles/tilejson.ts';
import type { DatasetStore } from '../dataset-store.ts';
import { HttpError } from '../errors.ts';
import { baseUrl } from '../urls.ts';
import { SHORT, sendTileResponse, tileResponse } from '../tile-response.ts';
import { carriedParams, roleOf, withCarried } from '../auth.ts';
import { datasetTileset, linkQuery } from '../ogc/tiles.ts';

/** The XYZ tile route; the fast path answers its cached tiles under this name. */
export const TILE_ROUTE = '/tiles/:tileset/:z/:x/:file';

export function tilesRouter(store: DatasetStore, publicUrl: string | undefined): Router {
  const router = new Router();

  /**
   * The catalogue, also an OGC API – Tiles tilesets list: the XYZ tilesets (Web Mercator: TileJSON, `{z}/{x}/{y}`
   * tiles, style) with their OGC tileset metadata as `self`, then the same years in every other grid (`<id>-3006`:
   * OGC tiles `{tileMatrix}/{tileRow}/{tileCol}`).
   */
  router.get('/tiles', (ctx) => {
    const version = store.current;
    const { dataset, tiles } = version;
    const base = baseUrl(ctx, publicUrl);
    const datetime = (t: TilesetInfo) => (t.alias ? '' : `datetime=${t.year}`);
    ctx.set('Cache-Control', SHORT);
    const xyz = [...tiles.maker.tilesets.values()].map((t) => {
      const ogc = tilesetSummary(datasetTileset(version, base, WEB_MERCATOR_QUAD, t.year, linkQuery(ctx, datetime(t)), roleOf(ctx)), base);
      return {
        id: t.id,
        year: t.year,
        alias: t.alias,
        tileMatrixSetId: WEB_MERCATOR_QUAD.id,
        ...ogc,
        title: `Områdestyper ${t.year}`,
        links: [
          ...ogc.links.filter((l) => l.rel === 'self' || l.rel === REL.tilingScheme),
          { rel: 'describedby', type: 'application/json', href: withCarried(ctx, `${base}/tiles/${t.id}.json`) },
          { rel: 'item', type: MVT_CONTENT_TYPE, href: withCarried(ctx, `${base}/tiles/${t.id}/{z}/{x}/{y}.mvt?v=${dataset.id}`), templated: true },
          { rel: 'stylesheet', type: 'application/json', href: withCarried(ctx, `${base}/styles/omradestyper${t.alias ? '' : `-${t.year}`}.json`) },
        ],
      };
    });
    const others = TILE_MATRIX_SETS.filter((g) => g !== WEB_MERCATOR_QUAD).flatMap((grid) =>
      [...tiles.maker.tilesets.values()].map((t) => ({
        id: `${t.id}-${grid.epsg}`,
        year: t.year,
        alias: t.alias,
        tileMatrixSetId: grid.id,
        ...tilesetSummary(datasetTileset(version, base, grid, t.year, linkQuery(ctx, datetime(t)), roleOf(ctx)), base),
      })),
    );
    ctx.body = { tilesets: [...xyz, ...others] };
  });

  router.get('/tiles/:file', (ctx) => {
    const { dataset, tiles } = store.current;
    const id = /^(.+)\.json$/.exec(ctx.params.file)?.[1];
    const tileset = id === undefined ? undefined : tiles.tileset(id);
    if (!tileset) throw new HttpError(404, `no tileset "${ctx.params.file.replace(/\.json$/, '')}"; see /tiles`);
    ctx.set('Cache-Control', SHORT);
    const carried = new URLSearchParams(carriedParams(ctx)).toString();
    ctx.body = tileJson(dataset, tileset, tiles.bounds, baseUrl(ctx, publicUrl), roleOf(ctx), carried ? `&${carried}` : '');
  });

  router.get(TILE_ROUTE, (ctx) => {
    const { dataset, tiles } = store.current;
    const tileset = tiles.tileset(ctx.params.tileset);
    if (!tileset) throw new HttpError(404, `no tileset "${ctx.params.tileset}"; see /tiles`);
    const y = /^(\d+)\.(mvt|pbf)$/.exec(ctx.params.file)?.[1];
    if (!/^\d+$/.test(ctx.params.z) || !/^\d+$/.test(ctx.params.x) || y === undefined) {
      throw new HttpError(400, 'expected /tiles/{tileset}/{z}/{x}/{y}.mvt with non-negative integers z, x, y');
    }
    const found = tiles.get(tileset, { z: Number(ctx.params.z), x: Number(ctx.params.x), y: Number(y) }, roleOf(ctx));
    if (found.status !== 'ok') throw new HttpError(404, found.reason);
    sendTileResponse(ctx, tileResponse(found.tile, ctx.query.v === dataset.id, ctx.get('Accept-Encoding'), ctx.get('If-None-Match')));
  });

  router.get('/styles', (ctx) => {
    const base = baseUrl(ctx, publicUrl);
    ctx.set('Cache-Control', SHORT);
    ctx.body = { styles: styleIds(store.current.dataset, roleOf(ctx)).map((id) => ({ id, href: withCarried(ctx, `${base}/styles/${id}.json`) })) };
  });

  router.get('/styles/:file', (ctx) => {
    const { dataset, tiles } = store.current;
    const id = /^(.+)\.json$/.exec(ctx.params.file)?.[1] ?? '';
    const role = roleOf(ctx);
    const request = parseStyleId(dataset, id, role);
    if (!request) throw new HttpError(404, `no style "${id}"; see /styles`);
    const tileset = [...tiles.maker.tilesets.values()].find((t) => t.year === request.year && !t.alias)!;
    ctx.set('Cache-Control', SHORT);
    ctx.body = styleDocument(dataset, request, tiles.maker.attributes(request.year, role), withCarried(ctx, `${baseUrl(ctx, publicUrl)}/tiles/${tileset.id}.json`));
  });

  return router;
}
