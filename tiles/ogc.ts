/**
 * OGC documents of the tiles, made from grid.ts and the tilesets: the tile matrix sets (OGC Two Dimensional Tile
 * Matrix Set 2.0, JSON), the tileset metadata (OGC API – Tiles 1.0 / TMS 2.0 TileSetMetadata) and the entries of
 * tileset lists. Koa-free: server/ogc/tiles.ts serves them.
 *
 * Axis order: points are written in the CRS's authority order, as the TMS standard's `orderedAxes` declares and as
 * Lantmäteriet's capabilities write their TopLeftCorner — EPSG:3006 northing, easting (pointOfOrigin
 * [8500000, −1200000]); EPSG:3857 easting, northing. GDAL reads them so (it swaps for CRSs EPSG defines northing
 * first). Bounding boxes of the data are given in CRS84 (longitude, latitude).
 */
import type { Dataset } from '../data/dataset.ts';
import type { Role } from '../data/disclosure.ts';
import { AREA_LAYER, LABEL_LAYER } from './attributes.ts';
import { MVT_CONTENT_TYPE } from './mvt.ts';
import { TILE_SIZE, cellSize, inAxisOrder, scaleDenominator, tileRange, type TileMatrixSet } from './grid.ts';
import { gridPlane } from './plane.ts';
import { vectorLayers } from './tilejson.ts';
import { MAX_ZOOM, MIN_ZOOM } from './tilesets.ts';

export interface OgcLink {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  templated?: boolean;
}

/** Link relations of OGC API – Tiles (OGC's registry). */
export const REL = {
  tilingScheme: 'http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme',
  tilesetsVector: 'http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector',
  geodata: 'http://www.opengis.net/def/rel/ogc/1.0/geodata',
  dataset: 'http://www.opengis.net/def/rel/ogc/1.0/dataset',
} as const;

const JSON_TYPE = 'application/json';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** The OGC TileMatrixSet 2.0 document of a grid: every level 0–maxZoom, one root tile, cell size halving. */
export function tileMatrixSetDocument(grid: TileMatrixSet) {
  return {
    id: grid.id,
    title: grid.title,
    ...(grid.uri ? { uri: grid.uri } : {}),
    crs: grid.crs,
    orderedAxes: [...grid.orderedAxes],
    tileMatrices: Array.from({ length: grid.maxZoom + 1 }, (_, z) => ({
      id: String(z),
      scaleDenominator: scaleDenominator(grid, z),
      cellSize: cellSize(grid, z),
      cornerOfOrigin: 'topLeft',
      pointOfOrigin: inAxisOrder(grid, grid.origin),
      tileWidth: TILE_SIZE,
      tileHeight: TILE_SIZE,
      matrixWidth: 2 ** z,
      matrixHeight: 2 ** z,
    })),
  };
}

/** One entry of `/tileMatrixSets`. */
export function tileMatrixSetEntry(grid: TileMatrixSet, base: string) {
  const href = `${base}/tileMatrixSets/${grid.id}`;
  return {
    id: grid.id,
    title: grid.title,
    ...(grid.uri ? { uri: grid.uri } : {}),
    crs: grid.crs,
    links: [
      { rel: 'self', type: JSON_TYPE, title: grid.title, href },
      { rel: REL.tilingScheme, type: JSON_TYPE, title: grid.title, href },
    ],
  };
}

/** The rows and columns with data per level: the tiles of `bounds` (CRS84) at levels MIN_ZOOM–MAX_ZOOM. */
export function tileMatrixSetLimits(grid: TileMatrixSet, bounds: readonly number[]) {
  return Array.from({ length: MAX_ZOOM - MIN_ZOOM + 1 }, (_, i) => {
    const r = tileRange(bounds, MIN_ZOOM + i, grid);
    return { tileMatrix: String(r.z), minTileRow: r.minY, maxTileRow: r.maxY, minTileCol: r.minX, maxTileCol: r.maxX };
  });
}

/** What a tileset holds and where it is served. */
export interface TilesetDescription {
  dataset: Dataset;
  role: Role;
  year: number;
  grid: TileMatrixSet;
  /** The tile layers it has (all, for the dataset's tilesets; a collection's own otherwise). */
  layers: readonly string[];
  title: string;
  /** Absolute URL of the tilesets list it belongs to (`…/tiles`, `…/collections/{id}/tiles`). */
  tilesUrl: string;
  /** `datetime=…` (or '') as the request gave it, kept in the links. */
  query: string;
  /** The TileJSON of the same tiles in Web Mercator, if there is one. */
  tileJsonUrl?: string;
  /** The collection it shows (geodata tileset), or the dataset's landing page. */
  about: OgcLink;
}

const withQuery = (href: string, ...params: string[]) => {
  const q = params.filter((p) => p !== '').join('&');
  return q === '' ? href : `${href}${href.includes('?') ? '&' : '?'}${q}`;
};

function tilesetLinks(d: TilesetDescription, base: string): OgcLink[] {
  const self = `${d.tilesUrl}/${d.grid.id}`;
  const links: OgcLink[] = [
    { rel: 'self', type: JSON_TYPE, title: `${d.title} (${d.grid.id})`, href: withQuery(self, d.query) },
    { rel: REL.tilingScheme, type: JSON_TYPE, title: d.grid.title, href: `${base}/tileMatrixSets/${d.grid.id}` },
    // Versioned like TileJSON's URLs: tiles of one build never change, so they may be cached for good.
    { rel: 'item', type: MVT_CONTENT_TYPE, title: 'Mapbox vector tiles', href: withQuery(`${self}/{tileMatrix}/{tileRow}/{tileCol}`, d.query, `v=${d.dataset.id}`), templated: true },
    d.about,
  ];
  if (d.tileJsonUrl) links.push({ rel: 'alternate', type: JSON_TYPE, title: 'TileJSON of the dataset’s Web Mercator tiles (every layer)', href: d.tileJsonUrl });
  return links;
}

/** The entry of a tileset in a tilesets list (`/tiles`, `/collections/{id}/tiles`). */
export function tilesetSummary(d: TilesetDescription, base: string) {
  return {
    title: `${d.title} (${d.grid.id})`,
    dataType: 'vector',
    crs: d.grid.crs,
    ...(d.grid.uri ? { tileMatrixSetURI: d.grid.uri } : {}),
    links: tilesetLinks(d, base),
  };
}

/** The tileset metadata document (`…/tiles/{tileMatrixSetId}`). */
export function tilesetDocument(d: TilesetDescription, base: string, bounds: readonly number[]) {
  const offset = gridPlane(d.grid).zoomOffset;
  // A layer's first level in this grid: that of about its first Web Mercator zoom's ground resolution (plane.ts).
  const level = (webMercatorZoom: number) => String(Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, webMercatorZoom - offset)));
  return {
    ...tilesetSummary(d, base),
    description: `Områdestyper ${d.year} and the public figures per RegSO, as Mapbox vector tiles (MVT 2.1, extent 4096) in ${d.grid.title}. Levels ${MIN_ZOOM}–${MAX_ZOOM}; clients overzoom beyond.`,
    attribution: d.dataset.attribution,
    boundingBox: { lowerLeft: [bounds[0], bounds[1]], upperRight: [bounds[2], bounds[3]], crs: CRS84 },
    minTileMatrix: String(MIN_ZOOM),
    maxTileMatrix: String(MAX_ZOOM),
    tileMatrixSetLimits: tileMatrixSetLimits(d.grid, bounds),
    layers: vectorLayers(d.dataset, d.year, d.role)
      .filter((l) => d.layers.includes(l.id))
      .map((l) => ({
        id: l.id,
        title: l.id,
        description: l.description,
        dataType: 'vector',
        geometryDimension: geometryDimension(d.dataset, l.id),
        minTileMatrix: level(l.minzoom),
        maxTileMatrix: String(MAX_ZOOM),
        propertiesSchema: { type: 'object', properties: Object.fromEntries(Object.entries(l.fields).map(([name, description]) => [name, { description }])) },
      })),
  };
}

/** 0 for points, 1 for lines, 2 for polygons: the label points, the areas, and an extra layer by its first feature. */
function geometryDimension(dataset: Dataset, tileLayer: string): number {
  if (tileLayer === LABEL_LAYER) return 0;
  if (tileLayer === AREA_LAYER) return 2;
  const type = dataset.layers.find((l) => l.tileLayer === tileLayer)?.features[0]?.wgs84.type ?? '';
  return /Point/.test(type) ? 0 : /LineString/.test(type) ? 1 : 2;
}
