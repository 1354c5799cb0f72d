/**
 * Esri VectorTileServer documents (ArcGIS REST API): the services, one per tileset and tile grid, and the JSON that
 * ArcGIS Pro, ArcGIS Online and QGIS's "ArcGIS Vector Tile Service" connection read to load one. Koa-free.
 *
 * Esri vector tiles are 512-pixel tiles: level z of a service is our zoom z (one root tile at level 0, halving), with
 * resolution = tile side / 512. QGIS derives its grid from the level-0 resolution × 512, the origin and the
 * spatial reference of `tileInfo`, and picks the level to draw from the LODs' scales.
 */
import { parseCrs, projectBounds } from '../../data/crs.ts';
import type { Dataset } from '../../data/dataset.ts';
import { TILE_MATRIX_SETS, tileSpan, type TileMatrixSet } from '../grid.ts';
import { MAX_ZOOM, MIN_ZOOM, type TilesetInfo } from '../tilesets.ts';

/** The ArcGIS Server version the documents follow (clients read it to know which fields to expect). */
export const ARCGIS_VERSION = 11.1;
export const ARCGIS_FULL_VERSION = '11.1.0';

/** Esri vector tiles are 512 × 512 pixels at 96 dpi (the ArcGIS tiling scheme for vector tiles). */
export const TILE_PIXELS = 512;
export const DPI = 96;
/**
 * ArcGIS converts resolution to scale with 39.37 inches to the metre (the US survey inch), not 1/0.0254: its Web
 * Mercator scheme's level 0 is 1:295,828,763.7957775 at 78,271.516964 m/px. Scales are how ArcGIS matches tiling
 * schemes and QGIS picks the level to draw, so they follow Esri's published values.
 */
const INCHES_PER_METRE = 39.37;

/** Where a style finds its service, relative to resources/styles/root.json: Esri's own convention. */
export const STYLE_SOURCE_URL = '../../';
export const STYLE_SOURCE_ID = 'esri';

export interface EsriService {
  /** `{tileset}` in Web Mercator, `{tileset}-{epsg}` in any other grid. */
  name: string;
  tileset: TilesetInfo;
  grid: TileMatrixSet;
}

export function serviceName(tileset: TilesetInfo, grid: TileMatrixSet): string {
  return grid.epsg === 3857 ? tileset.id : `${tileset.id}-${grid.epsg}`;
}

/** Every tileset in every tile grid: a grid added to TILE_MATRIX_SETS adds its services. */
export function esriServices(tilesets: Iterable<TilesetInfo>): EsriService[] {
  const list = [...tilesets];
  return TILE_MATRIX_SETS.flatMap((grid) => list.map((tileset) => ({ name: serviceName(tileset, grid), tileset, grid })));
}

const servicesByName = new WeakMap<ReadonlyMap<string, TilesetInfo>, Map<string, EsriService>>();

/** The service of a name among a version's tilesets; remembered per version (the tile fast path asks per tile). */
export function esriService(tilesets: ReadonlyMap<string, TilesetInfo>, name: string): EsriService | undefined {
  let byName = servicesByName.get(tilesets);
  if (!byName) servicesByName.set(tilesets, (byName = new Map(esriServices(tilesets.values()).map((s) => [s.name, s]))));
  return byName.get(name);
}

/** Esri's spatial reference of a grid: Web Mercator keeps its Esri wkid 102100 with the EPSG code as latestWkid. */
export function spatialReference(grid: TileMatrixSet): { wkid: number; latestWkid: number } {
  return { wkid: grid.epsg === 3857 ? 102100 : grid.epsg, latestWkid: grid.epsg };
}

export interface Lod {
  level: number;
  resolution: number;
  scale: number;
}

/** The levels of detail MIN_ZOOM…MAX_ZOOM: CRS units (metres) per pixel of a 512-px tile, and the map scale at 96 dpi. */
export function lods(grid: TileMatrixSet): Lod[] {
  const levels: Lod[] = [];
  for (let level = MIN_ZOOM; level <= Math.min(MAX_ZOOM, grid.maxZoom); level++) {
    const resolution = tileSpan(grid, level) / TILE_PIXELS;
    levels.push({ level, resolution, scale: resolution * DPI * INCHES_PER_METRE });
  }
  return levels;
}

/** The data's bounds (degrees) in the grid's CRS, as an Esri envelope. */
export function envelope(grid: TileMatrixSet, bounds: readonly number[]) {
  const crs = parseCrs(`EPSG:${grid.epsg}`);
  if (!crs) throw new Error(`no transform into EPSG:${grid.epsg} (data/crs.ts) for tile grid ${grid.id}`);
  const [xmin, ymin, xmax, ymax] = projectBounds(bounds, crs);
  return { xmin, ymin, xmax, ymax, spatialReference: spatialReference(grid) };
}

/** `GET /arcgis/rest/info`: what ArcGIS Online probes before it adds a layer from a server. */
export function restInfo() {
  return { currentVersion: ARCGIS_VERSION, fullVersion: ARCGIS_FULL_VERSION, authInfo: { isTokenBasedSecurity: false } };
}

/** `GET /arcgis/rest/services`: the services directory (no folders). */
export function servicesDirectory(services: EsriService[]) {
  return { currentVersion: ARCGIS_VERSION, folders: [], services: services.map((s) => ({ name: s.name, type: 'VectorTileServer' })) };
}

/**
 * The VectorTileServer resource. No tilemap (so `capabilities` is "TilesOnly" and there is no `tileMap`): an empty
 * tile costs an empty 200. `maxScale` 0 lets clients overzoom past the last level; `minScale` is the root's scale.
 */
export function vectorTileService(dataset: Dataset, service: EsriService, bounds: readonly number[]) {
  const { grid } = service;
  const levels = lods(grid);
  const extent = envelope(grid, bounds);
  return {
    currentVersion: ARCGIS_VERSION,
    name: service.name,
    copyrightText: dataset.attribution,
    capabilities: 'TilesOnly',
    type: 'indexedVector',
    defaultStyles: 'resources/styles',
    tiles: ['tile/{z}/{y}/{x}.pbf'],
    exportTilesAllowed: false,
    initialExtent: extent,
    fullExtent: extent,
    minScale: levels[0].scale,
    maxScale: 0,
    tileInfo: {
      rows: TILE_PIXELS,
      cols: TILE_PIXELS,
      dpi: DPI,
      format: 'pbf',
      origin: { x: grid.origin[0], y: grid.origin[1] },
      spatialReference: spatialReference(grid),
      lods: levels,
    },
    maxzoom: levels[levels.length - 1].level,
    minLOD: levels[0].level,
    maxLOD: levels[levels.length - 1].level,
    resourceInfo: { styleVersion: 8, tileCompression: 'gzip', cacheInfo: { storageInfo: { packetSize: 128, storageFormat: 'compactV2' } } },
  };
}
