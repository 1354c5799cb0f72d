/**
 * The plane geojson-vt cuts a grid's tiles in. geojson-vt is hard-wired to Web Mercator: it maps lon/lat to the unit
 * square (x = lon / 360 + 0.5, y = mercatorY(lat), see mercator.ts) and cuts that square into z/x/y tiles. For another
 * grid it is handed "plane lon/lat": positions chosen so that its unit square IS the grid's root tile —
 * u = (E − originE) / span0, v = (originN − N) / span0, lon = (u − 0.5) · 360, lat = inverse Mercator of v — so that
 * its z/x/y are the grid's level/column/row and the tile coordinates are linear in the grid's CRS. For Web Mercator
 * the plane lon/lat are the lon/lat themselves.
 *
 * Every position is mapped on its own by the same function, so the vertices neighbours share stay shared and the
 * generalised partition (generalise.ts, computed once in lon/lat) stays seamless in every grid; only the straight
 * segments between vertices are straight in the grid's plane instead of in Web Mercator's.
 */
import type { Geometry, Position } from 'geojson';
import { toWgs84 } from '../data/crs.ts';
import { rootTileFraction, toGridCrs, type TileMatrixSet } from './grid.ts';
import { EQUATOR_METRES } from './mercator.ts';

/**
 * The latitude at which a grid's ground resolution is matched to Web Mercator's: Sweden's middle (55.3°–69.1° N).
 * Mercator's scale there is 1 / cos 62° ≈ 2.13; from Malmö to Kiruna it varies by 0.6× to 1.3× of that.
 */
export const REFERENCE_LATITUDE = 62;

export interface GridPlane {
  grid: TileMatrixSet;
  /** Source lon/lat to the lon/lat given to geojson-vt. */
  fromLonLat(p: Position): Position;
  /** A SWEREF 99 TM position to the lon/lat given to geojson-vt (the label points are computed in SWEREF 99 TM). */
  fromSweref99tm(p: Position): Position;
  /**
   * The Web Mercator zoom with the nearest ground resolution to the grid's level 0 in Sweden: the grid's level z is
   * generalised, dissolved and labelled like Web Mercator zoom z + zoomOffset. 0 for Web Mercator; 2 for SWEREF 99 TM
   * (level 0 has 16,384 m pixels, Web Mercator zoom 2 at 62° N 18,374 m: 2^2.17 = 4.49 times the level-0 pixel).
   */
  zoomOffset: number;
}

const planes = new Map<string, GridPlane>();

export function gridPlane(grid: TileMatrixSet): GridPlane {
  let plane = planes.get(grid.id);
  if (!plane) planes.set(grid.id, (plane = makePlane(grid)));
  return plane;
}

function makePlane(grid: TileMatrixSet): GridPlane {
  if (grid.epsg === 3857) return { grid, fromLonLat: (p) => p, fromSweref99tm: (p) => toWgs84(p), zoomOffset: 0 };
  const fromCrs = (p: Position) => unitSquareLonLat(rootTileFraction(grid, p));
  const zoomOffset = Math.round(Math.log2((EQUATOR_METRES * Math.cos((REFERENCE_LATITUDE * Math.PI) / 180)) / grid.span0));
  const fromSweref99tm = grid.epsg === 3006 ? fromCrs : (p: Position) => fromCrs(toGridCrs(grid, toWgs84(p)));
  return { grid, fromLonLat: (p) => fromCrs(toGridCrs(grid, p)), fromSweref99tm, zoomOffset };
}

/**
 * The lon/lat geojson-vt maps to (u, v) of its unit square. v must lie in [0, 1] (geojson-vt clamps y there): every
 * grid here has Sweden well inside its root tile (SWEREF 99 TM: u 0.33–0.51, v 0.19–0.57).
 */
export function unitSquareLonLat([u, v]: readonly number[]): [number, number] {
  return [(u - 0.5) * 360, (Math.atan(Math.sinh(Math.PI * (1 - 2 * v))) * 180) / Math.PI];
}

/** A geometry with every position mapped. */
export function mapGeometry<G extends Geometry>(geometry: G, f: (p: Position) => Position): G {
  const g = geometry as Geometry;
  switch (g.type) {
    case 'Point':
      return { ...g, coordinates: f(g.coordinates) } as G;
    case 'MultiPoint':
    case 'LineString':
      return { ...g, coordinates: g.coordinates.map(f) } as G;
    case 'MultiLineString':
    case 'Polygon':
      return { ...g, coordinates: g.coordinates.map((r) => r.map(f)) } as G;
    case 'MultiPolygon':
      return { ...g, coordinates: g.coordinates.map((p) => p.map((r) => r.map(f))) } as G;
    case 'GeometryCollection':
      return { ...g, geometries: g.geometries.map((x) => mapGeometry(x, f)) } as G;
  }
}
