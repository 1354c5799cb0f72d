/**
 * The Web Mercator tile grid (OGC WebMercatorQuad): tile z/x/y validation and bounds. One place for its constants.
 */

export const WEB_MERCATOR_QUAD = {
  id: 'WebMercatorQuad',
  uri: 'http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad',
  crs: 'http://www.opengis.net/def/crs/EPSG/0/3857',
  /** Deepest zoom any request may name: beyond the data's maxzoom clients overzoom. */
  maxZoom: 24,
} as const;

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Whether z/x/y names a tile of the matrix set (integers, 0 ≤ x, y < 2^z, z within the set). */
export function inTileMatrix({ z, x, y }: TileAddress): boolean {
  if (![z, x, y].every(Number.isSafeInteger) || z < 0 || z > WEB_MERCATOR_QUAD.maxZoom) return false;
  const n = 2 ** z;
  return x >= 0 && y >= 0 && x < n && y < n;
}

/** Every tile at zoom z that intersects the bounds [west, south, east, north]. */
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
