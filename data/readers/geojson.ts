/**
 * GeoJSON: a FeatureCollection, or a single Feature. RFC 7946 dropped the `crs` member, but GDAL, QGIS and
 * ArcGIS still write it for SWEREF 99 TM data, so it is read when present.
 */
import { fail } from '../report.ts';
import type { RawFeatureSource, SourceFeature } from './features.ts';

export function readGeoJson(file: string, bytes: Uint8Array): RawFeatureSource {
  const root = parseJson(file, bytes);
  if (!isObject(root) || (root.type !== 'FeatureCollection' && root.type !== 'Feature')) {
    fail({ file }, `expected a GeoJSON FeatureCollection, found ${describe(root)}`);
  }
  const crsName = readCrsMember(file, root.crs);
  if (root.type === 'Feature') return { file, layer: null, crsName, features: [toFeature(file, root, 0)] };
  if (!Array.isArray(root.features)) {
    fail({ file, field: 'features' }, `expected "features" to be an array, found ${describe(root.features)}`);
  }
  const features = root.features.map((f: unknown, i: number) => toFeature(file, f, i));
  return { file, layer: null, crsName, features };
}

function parseJson(file: string, bytes: Uint8Array): unknown {
  let text: string;
  try {
    // Fatal decoding: a Latin-1 file would otherwise turn å, ä and ö into U+FFFD without a word.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail({ file }, 'the file is not valid UTF-8 text (GeoJSON must be UTF-8)');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const line = jsonErrorLine(text, message);
    fail(line === undefined ? { file } : { file, line }, `not valid JSON: ${message}`);
  }
}

/** The line of a JSON.parse error, from "line N" (newer V8), "position N" (Node 20), or the end of a cut file. */
function jsonErrorLine(text: string, message: string): number | undefined {
  const line = /\bline (\d+)/.exec(message)?.[1];
  if (line !== undefined) return Number(line);
  const position = /\bposition (\d+)/.exec(message)?.[1] ?? (/end of JSON input/.test(message) ? text.length : undefined);
  if (position === undefined) return undefined;
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < Number(position); i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The legacy named-CRS form `{"type": "name", "properties": {"name": "EPSG:3006"}}`. */
function readCrsMember(file: string, crs: unknown): string | null {
  if (crs === undefined || crs === null) return null;
  if (isObject(crs) && crs.type === 'name' && isObject(crs.properties) && typeof crs.properties.name === 'string') {
    return crs.properties.name;
  }
  const expected = '{"type":"name","properties":{"name":"EPSG:3006"}}';
  fail({ file, field: 'crs' }, `expected a named CRS like ${expected}, found ${JSON.stringify(crs)}`);
}

function toFeature(file: string, value: unknown, index: number): SourceFeature {
  if (!isObject(value) || value.type !== 'Feature') {
    fail({ file, feature: index }, `expected a GeoJSON Feature (type "Feature"), found ${describe(value)}`);
  }
  const { properties, geometry } = value;
  if (properties !== undefined && properties !== null && !isObject(properties)) {
    const found = describe(properties);
    fail({ file, feature: index, field: 'properties' }, `expected "properties" to be an object or null, found ${found}`);
  }
  return { index, properties: properties ?? {}, geometry: (geometry ?? null) as GeoJSON.Geometry | null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value for messages: its GeoJSON type if it has one, else its kind. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return typeof value.type === 'string' ? `type "${value.type}"` : 'an object without "type"';
  return value === null ? 'null' : `a ${typeof value}`;
}
