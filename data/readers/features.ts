/**
 * What every feature reader returns, whatever the format: features with their properties and geometry exactly
 * as the file has them, and the CRS the file declares. Reprojection and geometry checks come later, so that a
 * problem is reported against the file's own coordinates.
 */
import { parseCrs, type CrsCode } from '../crs.ts';
import { fail } from '../report.ts';
import { readFlatGeobuf } from './flatgeobuf.ts';
import { readGeoJson } from './geojson.ts';
import { readGeoPackage } from './geopackage.ts';
import { formatOf, readSourceBytes, type SourceFormat } from './source-file.ts';

export interface SourceFeature {
  /** Zero-based position in the file: how problems point at the feature. */
  index: number;
  properties: Record<string, unknown>;
  geometry: GeoJSON.Geometry | null;
}

export interface FeatureSource {
  file: string;
  /** The GeoPackage table read; null for single-layer formats. */
  layer: string | null;
  /** The CRS as the file names it, or null if it names none (the manifest must then say). */
  crsName: string | null;
  crs: CrsCode | null;
  features: SourceFeature[];
}

export interface ReadOptions {
  /** GeoPackage table to read; needed only when the file has several feature tables. */
  layer?: string;
}

/** What a format reader finds; the CRS name is resolved to a code in one place, below. */
export type RawFeatureSource = Omit<FeatureSource, 'crs'>;

export async function readFeatureFile(file: string, options: ReadOptions = {}): Promise<FeatureSource> {
  const format = formatOf(file);
  if (options.layer !== undefined && format !== 'geopackage') {
    fail({ file, field: 'layer' }, `a layer ("${options.layer}") can only be chosen in a GeoPackage; this is ${format}`);
  }
  const raw = await readRaw(file, format, options);
  return { ...raw, crs: resolveCrs(file, raw.crsName) };
}

function readRaw(file: string, format: SourceFormat, options: ReadOptions): Promise<RawFeatureSource> {
  switch (format) {
    case 'geojson':
    case 'json': // `.json` files are read as GeoJSON; anything else in them is reported as not a FeatureCollection
      return readSourceBytes(file).then((bytes) => readGeoJson(file, bytes));
    case 'flatgeobuf':
      return readSourceBytes(file).then((bytes) => readFlatGeobuf(file, bytes));
    case 'geopackage':
      return readGeoPackage(file, options.layer);
    case 'csv':
      fail({ file }, 'a CSV file is a table, not a feature source: give a GeoJSON, FlatGeobuf or GeoPackage file');
  }
}

function resolveCrs(file: string, crsName: string | null): CrsCode | null {
  if (crsName === null) return null;
  const crs = parseCrs(crsName);
  if (crs === null) {
    fail({ file, field: 'crs' }, `unknown CRS "${crsName}": expected EPSG:3006, EPSG:4326/CRS84 or EPSG:3857`);
  }
  return crs;
}
