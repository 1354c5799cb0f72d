/**
 * OGC API – Tiles: `/tileMatrixSets`, `/tileMatrixSets/{id}`, the dataset's tilesets `/tiles/{tileMatrixSetId}` and
 * their tiles `/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}` (row before column), and the same per
 * collection under `/collections/{id}/tiles`. `/tiles` itself (the list) is the XYZ catalogue of routes/tiles.ts,
 * which lists these tilesets too. Registered before that router: a `/tiles/{x}` that names no tile matrix set is
 * left to it (the XYZ tilesets `/tiles/{tileset}.json`, `/tiles/{tileset}/{z}/{x}/{y}.mvt`).
 *
 * The areas' year: `datetime` (as in OGC API – Features: the latest year with data the value touches; default the
 * latest year) on every tiles resource. A collection's tiles hold its own tile layers only (regso: `regso` and
 * `regso_label`); the dataset's hold every layer. Empty tiles inside the matrix are 200 with an empty body, as on the
 * XYZ route; a tile outside the matrix or beyond the deepest level is 404, a malformed one 400, both JSON.
 */
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { findCollection, type CollectionModel } from '../../data/features/collections.ts';
import { AREAS_COLLECTION, MEDIA_TYPE } from '../../data/features/constants.ts';
import { QueryError } from '../../data/features/errors.ts';
import { parseDatetime, selectYear } from '../../data/features/datetime.ts';
import { checkParameters } from '../../data/features/query.ts';
import type { Role } from '../../data/disclosure.ts';
import { AREA_LAYER, LABEL_LAYER } from '../../tiles/attributes.ts';
import { TILE_MATRIX_SETS, tileMatrixSet, type TileMatrixSet } from '../../tiles/grid.ts';
import { REL, tileMatrixSetDocument, tileMatrixSetEntry, tilesetDocument, tilesetSummary, type TilesetDescription } from '../../tiles/ogc.ts';
import { MAX_ZOOM, type TilesetInfo } from '../../tiles/tilesets.ts';
import type { DatasetStore, ServedVersion } from '../dataset-store.ts';
import { carriedParams, roleOf } from '../auth.ts';
import { HttpError, httpErrorOf } from '../errors.ts';
import { SHORT, sendTileResponse, tileResponse } from '../tile-response.ts';
import { baseUrl } from '../urls.ts';
import { sendJson } from './send.ts';

/** What a tile accepts: the year, the build id of versioned (immutable) tile URLs, and `f=mvt`. */
const TILE_PARAMETERS = ['datetime', 'v', 'f'] as const;
const DOCUMENT_PARAMETERS = ['datetime', 'f'] as const;

/** The dataset's tile route (row before column); the fast path answers its cached tiles under this name. */
export const OGC_TILE_ROUTE = '/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol';

/** The query to keep in links: the `datetime=…` chosen, and the API key if the request carried one in its URL. */
export function linkQuery(ctx: Context, datetime: string): string {
  return [datetime, new URLSearchParams(carriedParams(ctx)).toString()].filter(Boolean).join('&');
}

/** The dataset's tileset of a year in a grid (every layer) as a role sees it; `query` is what to keep in its links. */
export function datasetTileset(version: ServedVersion, base: string, grid: TileMatrixSet, year: number, query: string, role: Role): TilesetDescription {
  const { dataset, tiles } = version;
  return {
    dataset,
    role,
    year,
    grid,
    // The layers the role may see (a restricted layer has no attributes for the public).
    layers: tiles.maker.geometry.layerNames(MAX_ZOOM).filter((name) => tiles.maker.attributes(year, role).layers.has(name)),
    title: `Områdestyper ${year}`,
    tilesUrl: `${base}/tiles`,
    query,
    tileJsonUrl: grid.epsg === 3857 ? `${base}/tiles/${yearTileset(version, year).id}.json` : undefined,
    about: { rel: REL.dataset, type: MEDIA_TYPE.json, title: 'The landing page', href: `${base}/` },
  };
}

/** The tileset of a year (not the alias): tiles of a year are cached under it. */
export function yearTileset({ tiles }: ServedVersion, year: number): TilesetInfo {
  return [...tiles.maker.tilesets.values()].find((t) => t.year === year && !t.alias)!;
}

/** The tile layers showing a collection: the areas and their labels, or the layer's own. */
function collectionLayers(version: ServedVersion, c: CollectionModel): string[] {
  if (c.layer === null) return [AREA_LAYER, LABEL_LAYER];
  return [version.dataset.layers.find((l) => l.id === c.layer)!.tileLayer];
}

export function ogcTilesRouter(store: DatasetStore, publicUrl: string | undefined): Router {
  const router = new Router();

  /** Takes the version once per request; QueryErrors become JSON 4xx. */
  const route =
    (handler: (ctx: Context, version: ServedVersion, base: string, next: Next) => unknown) =>
    async (ctx: Context, next: Next): Promise<void> => {
      try {
        await handler(ctx, store.current, baseUrl(ctx, publicUrl), next);
      } catch (err) {
        throw httpErrorOf(err);
      }
    };

  const grid = (ctx: Context): TileMatrixSet => {
    const g = tileMatrixSet(ctx.params.tileMatrixSetId);
    if (!g) throw new HttpError(404, `no tile matrix set "${ctx.params.tileMatrixSetId}"; see /tileMatrixSets`);
    return g;
  };

  const collection = (ctx: Context, version: ServedVersion): CollectionModel => {
    const c = findCollection(version.dataset, roleOf(ctx), ctx.params.collectionId);
    if (!c) throw new HttpError(404, `no collection "${ctx.params.collectionId}"; see /collections`);
    return c;
  };

  /**
   * The year `datetime` chooses (default the latest), and the parameter to keep in links. Collections without time
   * ignore it (after checking it), as their features do.
   */
  const year = (ctx: Context, version: ServedVersion, temporal = true): { year: number; query: string } => {
    const years = version.dataset.years;
    const value = typeof ctx.query.datetime === 'string' ? ctx.query.datetime : undefined;
    const interval = value === undefined ? null : parseDatetime(value);
    if (!temporal) return { year: years[years.length - 1], query: '' };
    const chosen = selectYear(years, interval);
    if (chosen === null) throw new QueryError(`no tiles for datetime "${value}": the data has the years ${years.join(', ')}`, 404, 'datetime');
    return { year: chosen, query: value === undefined ? '' : `datetime=${encodeURIComponent(value)}` };
  };

  /** JSON documents only: `f=json` is accepted, as OGC clients send it. */
  const checkDocument = (ctx: Context) => {
    checkParameters(ctx.query, DOCUMENT_PARAMETERS);
    if (ctx.query.f !== undefined && ctx.query.f !== 'json') throw new QueryError(`unsupported f "${ctx.query.f}": these documents are JSON (f=json)`, 400, 'f');
  };

  const sendTile = (ctx: Context, version: ServedVersion, g: TileMatrixSet, layers: readonly string[] | undefined, temporal = true) => {
    checkParameters(ctx.query, TILE_PARAMETERS);
    if (ctx.query.f !== undefined && ctx.query.f !== 'mvt') throw new QueryError(`unsupported f "${ctx.query.f}": tiles are Mapbox vector tiles (f=mvt)`, 400, 'f');
    const { tileMatrix, tileRow, tileCol } = ctx.params;
    if (![tileMatrix, tileRow, tileCol].every((s) => /^\d{1,9}$/.test(s))) {
      throw new HttpError(400, 'expected …/{tileMatrix}/{tileRow}/{tileCol} with non-negative integers (row before column)');
    }
    const { year: y } = year(ctx, version, temporal);
    const found = version.tiles.get(yearTileset(version, y), { z: Number(tileMatrix), x: Number(tileCol), y: Number(tileRow) }, roleOf(ctx), g, layers);
    if (found.status !== 'ok') throw new HttpError(404, found.reason);
    sendTileResponse(ctx, tileResponse(found.tile, ctx.query.v === version.dataset.id, ctx.get('Accept-Encoding'), ctx.get('If-None-Match')));
  };

  router.get(
    '/tileMatrixSets',
    route((ctx, _version, base) => {
      checkDocument(ctx);
      ctx.set('Cache-Control', SHORT);
      sendJson(ctx, MEDIA_TYPE.json, {
        tileMatrixSets: TILE_MATRIX_SETS.map((g) => tileMatrixSetEntry(g, base)),
        links: [{ rel: 'self', type: MEDIA_TYPE.json, title: 'The tile matrix sets', href: `${base}/tileMatrixSets` }],
      });
    }),
  );

  router.get(
    '/tileMatrixSets/:tileMatrixSetId',
    route((ctx) => {
      checkDocument(ctx);
      ctx.set('Cache-Control', SHORT);
      sendJson(ctx, MEDIA_TYPE.json, tileMatrixSetDocument(grid(ctx)));
    }),
  );

  // The dataset's tilesets. Anything under /tiles that names no tile matrix set is the XYZ router's.
  router.get(
    '/tiles/:tileMatrixSetId',
    route((ctx, version, base, next) => {
      const g = tileMatrixSet(ctx.params.tileMatrixSetId);
      if (!g) return next();
      checkDocument(ctx);
      const { year: y, query } = year(ctx, version);
      ctx.set('Cache-Control', SHORT);
      sendJson(ctx, MEDIA_TYPE.json, tilesetDocument(datasetTileset(version, base, g, y, linkQuery(ctx, query), roleOf(ctx)), base, version.tiles.bounds));
    }),
  );

  router.get(
    OGC_TILE_ROUTE,
    route((ctx, version, _base, next) => {
      const g = tileMatrixSet(ctx.params.tileMatrixSetId);
      if (!g) return next();
      sendTile(ctx, version, g, undefined);
    }),
  );

  // A collection's tilesets.
  const collectionTileset = (ctx: Context, version: ServedVersion, base: string, g: TileMatrixSet): TilesetDescription => {
    const c = collection(ctx, version);
    const { year: y, query } = year(ctx, version, c.years !== null);
    const path = `${base}/collections/${encodeURIComponent(c.id)}`;
    return {
      dataset: version.dataset,
      role: roleOf(ctx),
      year: y,
      grid: g,
      layers: collectionLayers(version, c),
      title: c.id === AREAS_COLLECTION ? `${c.title}, områdestyper ${y}` : c.title,
      tilesUrl: `${path}/tiles`,
      query: linkQuery(ctx, query),
      tileJsonUrl: g.epsg === 3857 ? `${base}/tiles/${yearTileset(version, y).id}.json` : undefined,
      about: { rel: REL.geodata, type: MEDIA_TYPE.json, title: c.title, href: path },
    };
  };

  router.get(
    '/collections/:collectionId/tiles',
    route((ctx, version, base) => {
      checkDocument(ctx);
      const tilesets = TILE_MATRIX_SETS.map((g) => tilesetSummary(collectionTileset(ctx, version, base, g), base));
      ctx.set('Cache-Control', SHORT);
      sendJson(ctx, MEDIA_TYPE.json, {
        links: [{ rel: 'self', type: MEDIA_TYPE.json, title: 'The tilesets of the collection', href: `${base}/collections/${encodeURIComponent(ctx.params.collectionId)}/tiles` }],
        tilesets,
      });
    }),
  );

  router.get(
    '/collections/:collectionId/tiles/:tileMatrixSetId',
    route((ctx, version, base) => {
      checkDocument(ctx);
      const d = collectionTileset(ctx, version, base, grid(ctx));
      ctx.set('Cache-Control', SHORT);
      sendJson(ctx, MEDIA_TYPE.json, tilesetDocument(d, base, version.tiles.bounds));
    }),
  );

  router.get(
    '/collections/:collectionId/tiles/:tileMatrixSetId/:tileMatrix/:tileRow/:tileCol',
    route((ctx, version) => {
      const c = collection(ctx, version);
      sendTile(ctx, version, grid(ctx), collectionLayers(version, c), c.years !== null);
    }),
  );

  return router;
}
