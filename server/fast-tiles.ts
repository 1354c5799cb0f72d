/**
 * The hot path: a cached public tile answered straight from node:http, before Koa. Profiling showed Koa, the router
 * and header handling costing more per cached tile than the socket write (bench/RESULTS.md). Anything else — an
 * uncached tile, a bad address, another method, any request presenting a key (valid or not), a query the route
 * must check — goes to the Koa app, which answers the same way (tileResponse). So this path never serves a tile of
 * another role than public.
 *
 * One table of the tile routes it serves: XYZ tiles, the Esri VectorTileServer tiles of every grid, and the
 * dataset's OGC API tiles in the default year. Each entry names its Koa route, which logs and metrics report.
 */
import type { IncomingMessage } from 'node:http';
import { selectYear } from '../data/features/datetime.ts';
import { esriService } from '../tiles/esri/services.ts';
import { tileMatrixSet, WEB_MERCATOR_QUAD, type TileAddress, type TileMatrixSet } from '../tiles/grid.ts';
import type { TilesetInfo } from '../tiles/tilesets.ts';
import type { Identity } from './auth.ts';
import type { CorsPolicy } from './cors.ts';
import type { DatasetStore, ServedVersion } from './dataset-store.ts';
import { OGC_TILE_ROUTE, yearTileset } from './ogc/tiles.ts';
import { ESRI_TILE_ROUTE } from './routes/esri.ts';
import { TILE_ROUTE } from './routes/tiles.ts';
import { SECURITY_HEADER_LIST } from './security-headers.ts';
import { tileResponse, VARY_VALUE } from './tile-response.ts';

interface FastTile {
  tileset: TilesetInfo;
  grid: TileMatrixSet;
  address: TileAddress;
}

interface FastRoute {
  /** The Koa route answering the same requests. */
  route: string;
  path: RegExp;
  /** The tile a path names; undefined leaves the request to Koa (which serves or refuses it). */
  locate(match: RegExpExecArray, version: ServedVersion, query: URLSearchParams): FastTile | undefined;
  /** Whether `?v=<build id>` makes the tile immutable, as on the Koa route (Esri tile URLs carry no version). */
  versioned: boolean;
}

/** The tile at level z, column x, row y (strings of digits, as matched). */
function tileAt(tileset: TilesetInfo | undefined, grid: TileMatrixSet | undefined, z: string, x: string, y: string): FastTile | undefined {
  return tileset && grid ? { tileset, grid, address: { z: Number(z), x: Number(x), y: Number(y) } } : undefined;
}

const FAST_ROUTES: readonly FastRoute[] = [
  {
    route: TILE_ROUTE,
    path: /^\/tiles\/([^/]+)\/(\d{1,2})\/(\d{1,10})\/(\d{1,10})\.(?:mvt|pbf)$/,
    locate: (m, { tiles }) => tileAt(tiles.tileset(m[1]), WEB_MERCATOR_QUAD, m[2], m[3], m[4]),
    versioned: true,
  },
  {
    route: ESRI_TILE_ROUTE,
    // Row before column.
    path: /^\/arcgis\/rest\/services\/([^/]+)\/VectorTileServer\/tile\/(\d{1,2})\/(\d{1,10})\/(\d{1,10})\.pbf$/,
    locate: (m, { tiles }) => {
      const service = esriService(tiles.maker.tilesets, m[1]);
      return service && tileAt(service.tileset, service.grid, m[2], m[4], m[3]);
    },
    versioned: false,
  },
  {
    route: OGC_TILE_ROUTE,
    // Row before column. Without extension: an XYZ tile path never matches.
    path: /^\/tiles\/([^/]+)\/(\d{1,2})\/(\d{1,10})\/(\d{1,10})$/,
    // The default year only, and no parameter but one `v`: Koa checks `datetime` and `f`, and refuses unknown or
    // repeated ones.
    locate: (m, version, query) => {
      const names = [...query.keys()];
      if (names.length > 1 || names.some((name) => name !== 'v')) return undefined;
      return tileAt(yearTileset(version, selectYear(version.dataset.years, null)!), tileMatrixSet(m[1]), m[2], m[4], m[3]);
    },
    versioned: true,
  },
];

/** The query of a URL without one: read only, never written. */
const NO_QUERY = new URLSearchParams();

/** `?v=<build id>`, given once, as the Koa routes read it. */
function isVersioned(query: URLSearchParams, id: string): boolean {
  const v = query.getAll('v');
  return v.length === 1 && v[0] === id;
}

function append(list: string[], more: readonly string[]): void {
  for (const item of more) list.push(item);
}

/** What the fast path answers: the status, headers and body to write, and the Koa route it answered as. */
export interface FastAnswer {
  route: string;
  status: number;
  /** Name, value, …: written in one writeHead with nothing set before (node:http's quickest way). */
  headers: string[];
  body: Buffer;
}

/** The answer to a request for a cached public tile, or null to leave the request to Koa. Writes nothing. */
export function answerCachedTile(store: DatasetStore, req: IncomingMessage, identity: Identity, cors: CorsPolicy, requestId: string): FastAnswer | null {
  if (req.method !== 'GET' || req.url === undefined || identity.keyId !== null || identity.refused !== null) return null;
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  for (const { route, path: pattern, locate, versioned } of FAST_ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    const version = store.current;
    const query = q < 0 ? NO_QUERY : new URLSearchParams(req.url.slice(q + 1));
    const found = locate(m, version, query);
    const tile = found && version.tiles.cached(found.tileset, found.address, 'public', found.grid);
    if (!tile) return null;
    const { id } = version.dataset;
    const { status, headers, body } = tileResponse(tile, versioned && q >= 0 && isVersioned(query, id), req.headers['accept-encoding'] ?? '', req.headers['if-none-match'] ?? '');
    append(headers, cors.headerList(req.headers.origin));
    append(headers, SECURITY_HEADER_LIST);
    headers.push('X-Data-Version', id, 'X-Request-Id', requestId);
    if (status === 200) headers.push('Content-Length', String(body.length));
    if (cors.variesByOrigin) headers[VARY_VALUE] += ', Origin';
    return { route, status, headers, body };
  }
  return null;
}
