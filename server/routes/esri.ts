/**
 * The ArcGIS REST API of an Esri VectorTileServer per tileset and tile grid: what ArcGIS Pro ("Add data from path"),
 * ArcGIS Online ("Add layer from URL") and QGIS's ArcGIS Vector Tile Service connection load. Documents come from
 * tiles/esri/; tiles from the TileService in the service's grid, answered like the XYZ tiles (tileResponse).
 *
 * Formats: `f=json`, `f=pjson` (indented) or `f=html`, in the query or — as ArcGIS Pro sends it — in a
 * form-encoded POST body. Without `f`, browsers (Accept: text/html) get the page, as from ArcGIS Server, and every
 * other client JSON: clients that resolve the style's `../../` fetch the service without `f`.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { esriService, esriServices, restInfo, servicesDirectory, vectorTileService, type EsriService } from '../../tiles/esri/services.ts';
import { esriStyle } from '../../tiles/esri/style.ts';
import { vectorLayers } from '../../tiles/tilejson.ts';
import type { DatasetStore, ServedVersion } from '../dataset-store.ts';
import { directoryHtml, serviceHtml, SERVICES_PATH } from '../esri/html.ts';
import { roleOf } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { SHORT, sendTileResponse, tileResponse } from '../tile-response.ts';
import { baseUrl } from '../urls.ts';

const FORMATS = ['json', 'pjson', 'html'] as const;
type Format = (typeof FORMATS)[number];

/** Form bodies of ArcGIS requests are a few parameters; anything larger is not one. */
const MAX_FORM_BYTES = 64 * 1024;

const SERVICE = `${SERVICES_PATH}/:name/VectorTileServer`;

/** The tile route (row before column); the fast path answers its cached tiles under this name. */
export const ESRI_TILE_ROUTE = `${SERVICE}/tile/:z/:y/:file`;

export function esriRouter(store: DatasetStore, publicUrl: string | undefined): Router {
  const router = new Router();

  const info = async (ctx: Context) => send(ctx, await formatOf(ctx, 'json'), restInfo());
  router.get('/arcgis/rest/info', info).post('/arcgis/rest/info', info);

  const directory = async (ctx: Context) => {
    const { dataset, tiles } = store.current;
    const services = esriServices(tiles.maker.tilesets.values());
    send(ctx, await formatOf(ctx), servicesDirectory(services), () => directoryHtml(services, dataset.attribution));
  };
  router.get(SERVICES_PATH, directory).post(SERVICES_PATH, directory);

  const service = async (ctx: Context) => {
    const version = store.current;
    const found = serviceOf(version, ctx.params.name);
    const doc = vectorTileService(version.dataset, found, version.tiles.bounds);
    send(ctx, await formatOf(ctx), doc, () => {
      const siblings = esriServices(version.tiles.maker.tilesets.values());
      return serviceHtml(found, siblings, vectorLayers(version.dataset, found.tileset.year, roleOf(ctx)), baseUrl(ctx, publicUrl), version.dataset.attribution);
    });
  };
  router.get(SERVICE, service).post(SERVICE, service);

  // ArcGIS Pro asks for `resources/styles/?f=json`, QGIS for `resources/styles` (the service's defaultStyles), ArcGIS
  // Online for `resources/styles/root.json`: the same style at each.
  router.get([`${SERVICE}/resources/styles`, `${SERVICE}/resources/styles/root.json`], (ctx) => {
    const version = store.current;
    const found = serviceOf(version, ctx.params.name);
    ctx.set('Cache-Control', SHORT);
    ctx.body = esriStyle(version.dataset, found, version.tiles.maker.attributes(found.tileset.year, roleOf(ctx)));
  });

  router.get(ESRI_TILE_ROUTE, (ctx) => {
    const version = store.current;
    const found = serviceOf(version, ctx.params.name);
    const x = /^(\d+)\.pbf$/.exec(ctx.params.file)?.[1];
    if (!/^\d+$/.test(ctx.params.z) || !/^\d+$/.test(ctx.params.y) || x === undefined) {
      throw new HttpError(400, 'expected tile/{z}/{y}/{x}.pbf (row before column) with non-negative integers z, y, x');
    }
    const address = { z: Number(ctx.params.z), x: Number(x), y: Number(ctx.params.y) };
    const lookup = version.tiles.get(found.tileset, address, roleOf(ctx), found.grid);
    if (lookup.status !== 'ok') throw new HttpError(404, `level ${address.z}, row ${address.y}, column ${address.x}: ${lookup.reason}`);
    // Tile URLs carry no data version (ArcGIS builds them from the template): short-lived, revalidated by ETag.
    sendTileResponse(ctx, tileResponse(lookup.tile, false, ctx.get('Accept-Encoding'), ctx.get('If-None-Match')));
  });

  return router;
}

function serviceOf(version: ServedVersion, name: string): EsriService {
  const found = esriService(version.tiles.maker.tilesets, name);
  if (!found) throw new HttpError(404, `no VectorTileServer "${name}"; see ${SERVICES_PATH}?f=json`);
  return found;
}

/** `f` from the query, or from a form-encoded POST body; without one, `fallback` or what the Accept header prefers. */
async function formatOf(ctx: Context, fallback?: Format): Promise<Format> {
  const params = new URLSearchParams(ctx.querystring);
  if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(await readBody(ctx))) params.set(k, v);
  }
  const f = params.get('f');
  if (f === null || f === '') return fallback ?? (ctx.accepts('json', 'html') === 'html' ? 'html' : 'json');
  if (!(FORMATS as readonly string[]).includes(f)) throw new HttpError(400, `unknown format f=${f}; expected one of ${FORMATS.join(', ')}`);
  return f as Format;
}

async function readBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, `form body larger than ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(ctx: Context, format: Format, doc: object, html?: () => string): void {
  ctx.set('Cache-Control', SHORT);
  if (format === 'html' && html) {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html();
  } else if (format === 'pjson') {
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = JSON.stringify(doc, null, 2);
  } else {
    ctx.body = doc;
  }
}
