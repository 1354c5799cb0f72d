/**
 * Extra layers carried as they are (kommun polygons, Polisen's utsatta områden, …): checked, given both CRS,
 * properties untouched.
 */
import type { Geometry, Position } from 'geojson';
import { diagnoseOutsideSweden, insideSweden, toSweref99tm, toWgs84, type CrsCode } from './crs.ts';
import { bothCrs, sourceCrs } from './areas.ts';
import type { LayerSource, License } from './manifest.ts';
import { readFeatureFile } from './readers/features.ts';
import type { Report } from './report.ts';
import { checkAreaGeometry } from './validate/geometry.ts';

export interface LayerFeature {
  /** The value of the layer's idField, as a string. */
  id: string;
  name: string;
  properties: Record<string, unknown>;
  sweref99tm: Geometry;
  wgs84: Geometry;
}

export interface Layer {
  id: string;
  /** Name of the layer in vector tiles. */
  tileLayer: string;
  /** Published name → source property. */
  properties: Record<string, string> | null;
  title: { sv: string; en: string };
  attribution: string;
  license: License | null;
  access: 'public' | 'restricted';
  idField: string;
  nameField: string;
  features: LayerFeature[];
}

/** A feature's properties as published: renamed and selected per the layer's `properties`, or all of them. */
export function publishedProperties(layer: Layer, feature: LayerFeature): Record<string, unknown> {
  if (!layer.properties) return feature.properties;
  return Object.fromEntries(Object.entries(layer.properties).map(([name, source]) => [name, feature.properties[source] ?? null]));
}

/** The name a source field is published under (null if the layer's `properties` leave it out). */
export function publishedName(layer: Layer, sourceField: string): string | null {
  if (!layer.properties) return sourceField;
  return Object.keys(layer.properties).find((name) => layer.properties![name] === sourceField) ?? null;
}

export async function readLayer(source: LayerSource, file: string, report: Report): Promise<Layer> {
  const layer: Layer = { id: source.id, tileLayer: source.tileLayer ?? source.id.replaceAll('-', '_'), properties: source.properties ?? null, title: source.title, attribution: source.attribution, license: source.license ?? null, access: source.access, idField: source.idField, nameField: source.nameField, features: [] };
  const read = await readFeatureFile(file, { layer: source.layer });
  const crs = sourceCrs(read, source.crs, report);
  if (crs === null) return layer;
  const ids = new Set<string>();
  for (const feature of read.features) {
    const at = { file, feature: feature.index };
    const id = feature.properties[source.idField];
    if (id === undefined || id === null || id === '') {
      report.error({ ...at, field: source.idField }, 'expected an id, found none');
      continue;
    }
    if (ids.has(String(id))) {
      report.error({ ...at, field: source.idField }, `id "${id}" is used by an earlier feature`);
      continue;
    }
    ids.add(String(id));
    const geometries = layerGeometry(feature.geometry, crs, at, report);
    if (geometries === null) continue;
    const [sweref99tm, wgs84] = geometries;
    const missing = Object.values(source.properties ?? {}).filter((p) => !(p in feature.properties));
    if (missing.length > 0) report.warn({ ...at, field: missing[0] }, `properties to publish are missing: ${missing.join(', ')}`);
    layer.features.push({ id: String(id), name: String(feature.properties[source.nameField] ?? ''), properties: feature.properties, sweref99tm, wgs84 });
  }
  return layer;
}

function layerGeometry(geometry: Geometry | null, crs: CrsCode, at: { file: string; feature: number }, report: Report): [Geometry, Geometry] | null {
  if (geometry?.type === 'Polygon' || geometry?.type === 'MultiPolygon') {
    const polygons = checkAreaGeometry(geometry, crs, at, report);
    return polygons === null ? null : bothCrs(polygons, crs);
  }
  if (geometry === null || geometry.type === 'GeometryCollection') {
    report.error({ ...at, field: 'geometry' }, `expected a point, line or polygon geometry, found ${geometry === null ? 'none' : 'a GeometryCollection'}`);
    return null;
  }
  for (const [x, y] of positions(geometry.coordinates)) {
    if (!insideSweden(crs, x, y)) {
      report.error({ ...at, field: 'geometry' }, `position [${x}, ${y}] is outside Sweden in ${crs}: ${diagnoseOutsideSweden(crs, x, y)}`);
      return null;
    }
  }
  const other = crs === 'EPSG:3006' ? toWgs84 : toSweref99tm;
  const converted = { ...geometry, coordinates: mapPositions(geometry.coordinates, other) } as Geometry;
  return crs === 'EPSG:3006' ? [geometry, converted] : [converted, geometry];
}

type Nested = Position | Nested[];

function* positions(c: Nested): Generator<Position> {
  if (typeof c[0] === 'number') yield c as Position;
  else for (const child of c as Nested[]) yield* positions(child);
}

function mapPositions(c: Nested, f: (p: Position) => Position): Nested {
  return typeof c[0] === 'number' ? f(c as Position) : (c as Nested[]).map((child) => mapPositions(child, f));
}
