/**
 * The coordinate reference systems the project reads and writes, and the transforms between them.
 * Geometry is kept in SWEREF 99 TM (EPSG:3006, what SCB, Lantmäteriet and Swedish police GIS use) and in
 * WGS84 longitude/latitude (what GeoJSON, MapLibre and Web Mercator tiling need).
 */
import proj4 from 'proj4';

export type CrsCode = 'EPSG:3006' | 'EPSG:4326' | 'EPSG:3857';

/**
 * SWEREF 99 TM as EPSG and GDAL define it (`gdalsrsinfo -o proj4 EPSG:3006`). SWEREF 99 is tied to ETRS89,
 * so the datum shift to WGS84 is zero at the accuracy of this data.
 */
proj4.defs('EPSG:3006', '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs');

const sweref99tmToWgs84 = proj4('EPSG:3006', 'EPSG:4326');
const wgs84ToWebMercator = proj4('EPSG:4326', 'EPSG:3857');

/** Easting/northing (EPSG:3006) to longitude/latitude. */
export function toWgs84(p: readonly number[]): [number, number] {
  const [lon, lat] = sweref99tmToWgs84.forward([p[0], p[1]]);
  return [lon, lat];
}

/** Longitude/latitude to easting/northing (EPSG:3006). */
export function toSweref99tm(p: readonly number[]): [number, number] {
  const [x, y] = sweref99tmToWgs84.inverse([p[0], p[1]]);
  return [x, y];
}

/** Longitude/latitude to Web Mercator metres (EPSG:3857). */
export function toWebMercator(p: readonly number[]): [number, number] {
  const [x, y] = wgs84ToWebMercator.forward([p[0], p[1]]);
  return [x, y];
}

/** The transform from longitude/latitude into a CRS (the identity for EPSG:4326). */
export function fromWgs84(crs: CrsCode): (p: readonly number[]) => [number, number] {
  if (crs === 'EPSG:3006') return toSweref99tm;
  if (crs === 'EPSG:3857') return toWebMercator;
  return (p) => [p[0], p[1]];
}

/**
 * The bounding box in a CRS of a box [west, south, east, north] in degrees. A projection maps the box's boundary
 * onto the boundary of its image, so the image's bounding box is that of the projected boundary: each edge is
 * densified (transverse Mercator bends parallels; 1,024 steps leave well under a metre between samples over
 * Sweden) and the result is rounded outwards to the metre.
 */
export function projectBounds(bounds: readonly number[], crs: CrsCode, steps = 1024): [number, number, number, number] {
  const [west, south, east, north] = bounds;
  const project = fromWgs84(crs);
  const out: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const lon = west + (east - west) * t;
    const lat = south + (north - south) * t;
    for (const [x, y] of [project([lon, south]), project([lon, north]), project([west, lat]), project([east, lat])]) {
      out[0] = Math.min(out[0], x);
      out[1] = Math.min(out[1], y);
      out[2] = Math.max(out[2], x);
      out[3] = Math.max(out[3], y);
    }
  }
  return crs === 'EPSG:4326' ? out : [Math.floor(out[0]), Math.floor(out[1]), Math.ceil(out[2]), Math.ceil(out[3])];
}

/**
 * The names under which sources declare a CRS: EPSG codes, OGC URNs and URIs, CRS84. EPSG:4326 is read as
 * longitude/latitude, as GeoJSON (RFC 7946) and GDAL's GeoJSON driver do; swapped axes are caught by the
 * bounds check below.
 */
export function parseCrs(name: string | number | null | undefined): CrsCode | null {
  if (name === null || name === undefined) return null;
  const s = String(name).trim();
  if (/^(urn:ogc:def:crs:OGC:(1\.3|2):)?CRS84$/i.test(s) || s.endsWith('/OGC/1.3/CRS84')) return 'EPSG:4326';
  const code = /(?:^|EPSG[:/]+(?:[\d.]*[:/]+)?)(\d+)$/i.exec(s)?.[1];
  switch (code) {
    case '3006':
      return 'EPSG:3006';
    case '4326':
    case '4258': // ETRS89 geographic: identical to WGS84 at this accuracy
      return 'EPSG:4326';
    case '3857':
    case '900913':
      return 'EPSG:3857';
    default:
      return null;
  }
}

/** Where Sweden lies in each CRS, with a margin for territorial waters: catches swapped axes and wrong CRS. */
export const SWEDEN_BOUNDS: Record<CrsCode, [number, number, number, number]> = {
  'EPSG:3006': [200_000, 6_050_000, 1_000_000, 7_750_000],
  'EPSG:4326': [9.5, 54.5, 25.0, 69.5],
  'EPSG:3857': [1_050_000, 7_250_000, 2_800_000, 10_950_000],
};

export function insideSweden(crs: CrsCode, x: number, y: number): boolean {
  const [minX, minY, maxX, maxY] = SWEDEN_BOUNDS[crs];
  return x >= minX && x <= maxX && y >= minY && y <= maxY;
}

/** A hint for the most likely mistake behind a coordinate outside Sweden. */
export function diagnoseOutsideSweden(crs: CrsCode, x: number, y: number): string {
  if (insideSweden(crs, y, x)) return 'the axes look swapped (x and y exchanged)';
  for (const other of Object.keys(SWEDEN_BOUNDS) as CrsCode[]) {
    if (other !== crs && insideSweden(other, x, y)) return `the coordinates look like ${other}, not ${crs}`;
  }
  return 'it lies outside Sweden';
}
