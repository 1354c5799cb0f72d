/**
 * Tile matrix sets: the grids tiles are cut in. Every grid here is a quadtree with one root tile at level 0 whose
 * cell size halves per level (what ArcGIS and geojson-vt both need); a grid is its CRS, the top-left corner of the root
 * tile and the root tile's side. One place for their constants: tiles, TileJSON, OGC API – Tiles, the OGC tile matrix
 * set documents and the Esri services all read them from here.
 */

import { toSweref99tm, toWebMercator } from '../data/crs.ts';

export interface TileMatrixSet {
  /** Identifier in URLs and OGC documents. */
  id: string;
  title: string;
  /** The OGC registry URI, for registered sets. */
  uri?: string;
  /** OGC CRS URI. */
  crs: string;
  /** EPSG code (Esri's wkid). */
  epsg: number;
  /**
   * The CRS's axes in its authority's order (EPSG:3006: northing, easting). OGC documents write points in this
   * order (pointOfOrigin); `origin` here is always [easting, northing].
   */
  orderedAxes: readonly [string, string];
  /** Top-left corner of the root tile, [easting, northing] in CRS units. */
  origin: readonly [number, number];
  /** Side of the root tile in CRS units. */
  span0: number;
  /** Deepest level any request may name: beyond the data's maxzoom clients overzoom. */
  maxZoom: number;
}

/** Half of Web Mercator's world width in metres: π · 6,378,137. */
const MERCATOR_HALF = Math.PI * 6378137;

export const WEB_MERCATOR_QUAD: TileMatrixSet = {
  id: 'WebMercatorQuad',
  title: 'Google Maps Compatible for the World',
  uri: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad',
  crs: 'http://www.opengis.net/def/crs/EPSG/0/3857',
  epsg: 3857,
  orderedAxes: ['X', 'Y'],
  origin: [-MERCATOR_HALF, MERCATOR_HALF],
  span0: 2 * MERCATOR_HALF,
  maxZoom: 24,
};

/**
 * SWEREF 99 TM (EPSG:3006) aligned with Lantmäteriet's "3006" WMTS tile matrix set, the one its Topografisk
 * webbkarta (topowebb, `…/topowebb/…/wmts/1.0.0/topowebb/default/3006/{z}/{y}/{x}.png`) and the Swedish police basemaps
 * use: TopLeftCorner 8500000 −1200000 (northing, easting: N 8 500 000, E −1 200 000), 256 × 256 px tiles, level n
 * with 4096 / 2^n m per pixel (ScaleDenominator 14 628 571.43 at level 0, i.e. 4096 m / 0.28 mm, halving per level:
 * 7 314 285.71, 3 657 142.86, …). Source: Lantmäteriet's WMTS capabilities (Topografisk webbkarta Visning, "3006"
 * matrix set) as configured in public clients, e.g. Hajk's defaults `origin: [-1200000, 8500000]`,
 * `resolutions: [4096, 2048, …, 1, 0.5]` and the extent [−1200000, 4305696, 2994304, 8500000] = 4 × 4 tiles of
 * Lantmäteriet's level 0 (1 048 576 m each).
 *
 * Lantmäteriet's level 0 has several tiles and ArcGIS wants one root tile, so two halving levels come first: our root
 * tile is that whole 4 × 4 extent, 4 194 304 m = 2^22 m a side (16 384 m per pixel), the one tile from the same
 * origin that covers Sweden (E ≈ 180 000–920 000, N ≈ 6 100 000–7 700 000, which needs more than 2 400 000 m south of
 * N 8 500 000; the 2 097 152 m tile of one level less does not reach Skåne). **Our level n is Lantmäteriet's level
 * n − 2** (our 2 = their 0, our 11 = their 9, 8 m per pixel, the deepest of the open topowebb): at every shared level
 * the tiles coincide exactly with Lantmäteriet's (same origin, same cell size), so our tiles lie on their raster tiles.
 */
export const SWEREF99_TM: TileMatrixSet = {
  id: 'SWEREF99TM',
  title: 'SWEREF 99 TM (EPSG:3006), aligned with Lantmäteriet\'s "3006" WMTS tile matrix set, with one root tile',
  crs: 'http://www.opengis.net/def/crs/EPSG/0/3006',
  epsg: 3006,
  orderedAxes: ['N', 'E'],
  origin: [-1_200_000, 8_500_000],
  span0: 2 ** 22,
  // 0.25 m per pixel: finer than any use of these polygons; the tiles themselves end at MAX_ZOOM (clients overzoom).
  maxZoom: 16,
};

export const TILE_MATRIX_SETS: readonly TileMatrixSet[] = [WEB_MERCATOR_QUAD, SWEREF99_TM];

export function tileMatrixSet(id: string): TileMatrixSet | undefined {
  return TILE_MATRIX_SETS.find((g) => g.id === id);
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Tile side in pixels, for scales and cell sizes (OGC, Esri): 256, as Lantmäteriet's and Web Mercator's tiles. */
export const TILE_SIZE = 256;

/** Side of a tile at level z in CRS units. */
export function tileSpan(grid: TileMatrixSet, z: number): number {
  return grid.span0 / 2 ** z;
}

/** Side of a pixel (of a TILE_SIZE tile) at level z in CRS units. */
export function cellSize(grid: TileMatrixSet, z: number): number {
  return tileSpan(grid, z) / TILE_SIZE;
}

/** OGC's scale denominator of a level: the cell size over the standard 0.28 mm pixel (metre-based CRSs). */
export function scaleDenominator(grid: TileMatrixSet, z: number): number {
  return cellSize(grid, z) / 0.00028;
}

/** A point of the grid's CRS, [easting, northing], in the CRS's authority axis order (as OGC documents write it). */
export function inAxisOrder(grid: TileMatrixSet, [e, n]: readonly number[]): [number, number] {
  return grid.orderedAxes[0] === 'N' ? [n, e] : [e, n];
}

/** Whether z/x/y names a tile of the matrix set (integers, 0 ≤ x, y < 2^z, z within the set). */
export function inTileMatrix(grid: TileMatrixSet, { z, x, y }: TileAddress): boolean {
  if (![z, x, y].every(Number.isSafeInteger) || z < 0 || z > grid.maxZoom) return false;
  const n = 2 ** z;
  return x >= 0 && y >= 0 && x < n && y < n;
}

/** The latitude of Web Mercator's square's edges, ≈ 85.05°. */
const MAX_MERCATOR_LAT = (Math.atan(Math.sinh(Math.PI)) * 180) / Math.PI;

/** Longitude/latitude (degrees) to the grid's CRS, [easting, northing]. */
export function toGridCrs(grid: TileMatrixSet, lonLat: readonly number[]): [number, number] {
  switch (grid.epsg) {
    case 3857:
      // Clamped to the square: Web Mercator has no finite northing at the poles.
      return toWebMercator([lonLat[0], Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lonLat[1]))]);
    case 3006:
      return toSweref99tm(lonLat);
    default:
      throw new Error(`no projection to EPSG:${grid.epsg}`);
  }
}

/** A point of the grid's CRS as a fraction of the root tile: [0, 1]² from the top-left corner, y down. */
export function rootTileFraction(grid: TileMatrixSet, [e, n]: readonly number[]): [number, number] {
  return [(e - grid.origin[0]) / grid.span0, (grid.origin[1] - n) / grid.span0];
}

/** Points sampled along each edge of a lon/lat box: enough for the curved image of its edges in any grid here. */
const EDGE_SAMPLES = 32;

export interface TileRange {
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * The columns and rows of the grid's tiles at level z that intersect the bounds [west, south, east, north] in
 * degrees: the box's edges are projected to the grid's CRS (sampled, since a meridian or parallel is curved there).
 */
export function tileRange(bounds: readonly number[], z: number, grid: TileMatrixSet = WEB_MERCATOR_QUAD): TileRange {
  const [west, south, east, north] = bounds;
  let [minU, minV, maxU, maxV] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= EDGE_SAMPLES; i++) {
    const t = i / EDGE_SAMPLES;
    const lon = west + t * (east - west);
    const lat = south + t * (north - south);
    for (const p of [[lon, south], [lon, north], [west, lat], [east, lat]]) {
      const [u, v] = rootTileFraction(grid, toGridCrs(grid, p));
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
  }
  const n = 2 ** z;
  const index = (f: number) => Math.min(n - 1, Math.max(0, Math.floor(f * n)));
  return { z, minX: index(minU), minY: index(minV), maxX: index(maxU), maxY: index(maxV) };
}

/** Every tile of the grid at level z that intersects the bounds [west, south, east, north] in degrees. */
export function* tilesCovering(bounds: readonly number[], z: number, grid: TileMatrixSet = WEB_MERCATOR_QUAD): Generator<TileAddress> {
  const { minX, minY, maxX, maxY } = tileRange(bounds, z, grid);
  for (let x = minX; x <= maxX; x++) for (let y = minY; y <= maxY; y++) yield { z, x, y };
}
