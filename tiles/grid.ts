/**
 * Tile matrix sets: the grids tiles are cut in. Every grid here is a quadtree with one root tile at level 0 whose
 * cell size halves per level (what ArcGIS and geojson-vt both need); a grid is its CRS, the top-left corner of the root
 * tile and the root tile's side. One place for their constants: tiles, TileJSON, OGC API – Tiles, the OGC tile matrix
 * set documents and the Esri services all read them from here.
 */

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
  origin: [-MERCATOR_HALF, MERCATOR_HALF],
  span0: 2 * MERCATOR_HALF,
  maxZoom: 24,
};

export const TILE_MATRIX_SETS: readonly TileMatrixSet[] = [WEB_MERCATOR_QUAD];

export function tileMatrixSet(id: string): TileMatrixSet | undefined {
  return TILE_MATRIX_SETS.find((g) => g.id === id);
}

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Side of a tile at level z in CRS units. */
export function tileSpan(grid: TileMatrixSet, z: number): number {
  return grid.span0 / 2 ** z;
}

/** Whether z/x/y names a tile of the matrix set (integers, 0 ≤ x, y < 2^z, z within the set). */
export function inTileMatrix(grid: TileMatrixSet, { z, x, y }: TileAddress): boolean {
  if (![z, x, y].every(Number.isSafeInteger) || z < 0 || z > grid.maxZoom) return false;
  const n = 2 ** z;
  return x >= 0 && y >= 0 && x < n && y < n;
}

/** Every Web Mercator tile at zoom z that intersects the bounds [west, south, east, north] in degrees. */
export function* tilesCovering(bounds: readonly number[], z: number): Generator<TileAddress> {
  const [minX, maxY] = lonLatToTile(bounds[0], bounds[1], z);
  const [maxX, minY] = lonLatToTile(bounds[2], bounds[3], z);
  for (let x = minX; x <= maxX; x++) for (let y = minY; y <= maxY; y++) yield { z, x, y };
}

function lonLatToTile(lon: number, lat: number, z: number): [number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const s = Math.sin((lat * Math.PI) / 180);
  const y = Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n);
  return [Math.min(n - 1, Math.max(0, x)), Math.min(n - 1, Math.max(0, y))];
}
