/**
 * CRSs of OGC API – Features Part 2: parsing `crs`, `bbox-crs` and `filter-crs` values, and bringing geometry
 * between the stored forms (SWEREF 99 TM and WGS84, both kept on every area and layer feature) and the CRS a
 * client asked for.
 *
 * Axis order. Every CRS is written in its authority's axis order, as Part 2 requires and the `Content-Crs` header
 * states: CRS84 longitude, latitude; EPSG:3857 easting, northing; **EPSG:3006 northing, easting** (EPSG's
 * coordinate system 4500). That is what the clients expect: GDAL's OAPIF driver (≥ 3.7, default
 * SERVER_FEATURE_AXIS_ORDER=AUTHORITY_COMPLIANT) and QGIS's OAPIF provider (≥ 3.28.7) swap geometries, `bbox`
 * and filter literals of a CRS whose axis order is not GIS-friendly; QGIS does so for FlatGeobuf pages too. The same
 * order applies to `bbox` with `bbox-crs` and to CQL2 geometry literals with `filter-crs`.
 *
 * EPSG:3006 coordinates come from the stored SWEREF 99 TM geometry (swapped, never reprojected); CRS84 ones from
 * the stored WGS84 geometry; EPSG:3857 is projected from WGS84 and rounded to 1 mm.
 */
import type { Geometry, Position } from 'geojson';
import proj4 from 'proj4';
import { SWEDEN_BOUNDS, toWebMercator } from '../crs.ts';
import type { FilterCrs } from '../query/queryables.ts';
import { CRS_URI, type OgcCrs } from './constants.ts';
import type { Bbox } from '../query/intersects.ts';

const BY_URI = new Map<string, OgcCrs>(Object.entries(CRS_URI).map(([code, uri]) => [uri, code as OgcCrs]));
/** Safe CURIEs (Part 2 allows `[EPSG:3006]`) and the https form of the URIs. */
const ALIASES = new Map<string, OgcCrs>([
  ['[OGC:CRS84]', 'CRS84'],
  ['[EPSG:3006]', 'EPSG:3006'],
  ['[EPSG:3857]', 'EPSG:3857'],
  ...Object.entries(CRS_URI).map(([code, uri]) => [uri.replace(/^http:/, 'https:'), code as OgcCrs] as [string, OgcCrs]),
]);

/** A supported CRS by its URI (or safe CURIE); null if not supported. */
export function parseCrsUri(value: string): OgcCrs | null {
  return BY_URI.get(value) ?? ALIASES.get(value) ?? null;
}

/** The value of the `Content-Crs` header: the URI in angle brackets. */
export function contentCrsHeader(crs: OgcCrs): string {
  return `<${CRS_URI[crs]}>`;
}

/** Whether the CRS's first axis is northing (so a position is written [y, x] relative to the stored geometry). */
export function northingFirst(crs: OgcCrs): boolean {
  return crs === 'EPSG:3006';
}

/** Which stored geometry a CRS is computed from. */
export function storedFormOf(crs: OgcCrs): 'sweref99tm' | 'wgs84' {
  return crs === 'EPSG:3006' ? 'sweref99tm' : 'wgs84';
}

const webMercatorToWgs84 = proj4('EPSG:3857', 'EPSG:4326');

function fromWebMercator(p: Position): Position {
  const [lon, lat] = webMercatorToWgs84.forward([p[0], p[1]]);
  return [lon, lat];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * A feature's geometry in the CRS asked for, in that CRS's axis order, from the stored forms. CRS84 returns the
 * stored object itself; the others are new objects.
 */
export function geometryIn(crs: OgcCrs, stored: { sweref99tm: Geometry; wgs84: Geometry }): Geometry {
  switch (crs) {
    case 'CRS84':
      return stored.wgs84;
    case 'EPSG:3006':
      return mapGeometry(stored.sweref99tm, (p) => [p[1], p[0]]);
    case 'EPSG:3857':
      return mapGeometry(stored.wgs84, (p) => toWebMercator(p).map(round3));
  }
}

/**
 * A geometry given by a client in `crs` (authority axis order) as the stored form it is compared with: EPSG:3006
 * → SWEREF 99 TM easting, northing; CRS84 → as it is; EPSG:3857 → WGS84 longitude, latitude.
 */
export function toStoredForm(crs: OgcCrs, g: Geometry): Geometry {
  switch (crs) {
    case 'CRS84':
      return g;
    case 'EPSG:3006':
      return mapGeometry(g, (p) => [p[1], p[0]]);
    case 'EPSG:3857':
      return mapGeometry(g, fromWebMercator);
  }
}

/**
 * A box given in `crs` (authority axis order: [min axis 1, min axis 2, max axis 1, max axis 2]) in the stored form:
 * [minx, miny, maxx, maxy] in SWEREF 99 TM easting/northing for EPSG:3006, in longitude/latitude otherwise
 * (Web Mercator maps longitude/latitude boxes to boxes, so the conversion is exact). A CRS84 box may have west
 * greater than east (it crosses the antimeridian).
 */
export function bboxToStoredForm(crs: OgcCrs, b: Bbox): Bbox {
  switch (crs) {
    case 'CRS84':
      return b;
    case 'EPSG:3006':
      return [b[1], b[0], b[3], b[2]];
    case 'EPSG:3857': {
      const [w, s] = fromWebMercator([b[0], b[1]]);
      const [e, n] = fromWebMercator([b[2], b[3]]);
      return [w, s, e, n];
    }
  }
}

/** A stored-form box in a CRS's own axis order (for collection extents and HTML). */
export function bboxFromStoredForm(crs: OgcCrs, stored: { sweref99tm: Bbox; wgs84: Bbox }): Bbox {
  switch (crs) {
    case 'CRS84':
      return stored.wgs84;
    case 'EPSG:3006': {
      const b = stored.sweref99tm;
      return [b[1], b[0], b[3], b[2]];
    }
    case 'EPSG:3857': {
      const [w, s, e, n] = stored.wgs84;
      return [...toWebMercator([w, s]), ...toWebMercator([e, n])].map(round3) as Bbox;
    }
  }
}

/** Web Mercator's valid range (x and y), for checks. */
const MERCATOR_MAX = 20_037_508.342789244;

/**
 * Coordinate ranges of geometry literals in a filter CRS (checkFilter rejects literals outside them), in the CRS's
 * own axis order. EPSG:3006: northing 4.3–8.5 million, easting −1.2–2.6 million, which catches literals written
 * easting first (an easting of 0.2–1 million is no northing of this projection's zone).
 */
export const FILTER_CRS: Record<OgcCrs, FilterCrs> = {
  CRS84: { range: [-180, -90, 180, 90], longitudeX: true },
  'EPSG:3006': { range: [4_300_000, -1_200_000, 8_500_000, 2_600_000], longitudeX: false },
  'EPSG:3857': { range: [-MERCATOR_MAX, -MERCATOR_MAX, MERCATOR_MAX, MERCATOR_MAX], longitudeX: false },
};

/**
 * Whether a box given in EPSG:3006 looks like it was written easting first: as northing, easting it misses Sweden
 * entirely, but with its axes exchanged it lies on Sweden. A real northing/easting box never does that (its
 * "easting" would be 6–7.7 million, far outside the projection's zone).
 */
export function looksEastingFirst(b: Bbox): boolean {
  const [minE, minN, maxE, maxN] = SWEDEN_BOUNDS['EPSG:3006'];
  const overlaps = (x0: number, y0: number, x1: number, y1: number) => x0 <= maxE && x1 >= minE && y0 <= maxN && y1 >= minN;
  return !overlaps(b[1], b[0], b[3], b[2]) && overlaps(b[0], b[1], b[2], b[3]);
}

type Nested = Position | Nested[];

function mapPositions(c: Nested, f: (p: Position) => Position): Nested {
  return typeof c[0] === 'number' ? f(c as Position) : (c as Nested[]).map((child) => mapPositions(child, f));
}

/** The geometry with every position mapped (GeometryCollections recursively). */
export function mapGeometry(g: Geometry, f: (p: Position) => Position): Geometry {
  if (g.type === 'GeometryCollection') return { type: 'GeometryCollection', geometries: g.geometries.map((c) => mapGeometry(c, f)) };
  return { type: g.type, coordinates: mapPositions(g.coordinates as Nested, f) } as Geometry;
}
