/**
 * GeoJSON encoding of a page of features (streamed in chunks, so a 10,000-feature page never exists as one string)
 * and of a single feature. Top-level `id`: the RegSO code, or the layer's idField value.
 *
 * A page is joined from serialised pieces kept between requests, as serialising detailed SCB polygons is most of a
 * page's time: each geometry per output CRS, and each feature's `{"type":"Feature","id":…,"geometry":` and
 * `,"properties":{…}}` with every property. The bytes are exactly JSON.stringify's of the feature object. The pieces
 * live in WeakMaps keyed by the objects they serialise, so they go with the dataset that owns them: geometries are
 * the dataset's stored ones (the same for every role and year), feature records are made per dataset, role and year
 * (data/features/collections.ts) — a public feature's properties are never written into an analyst's page or the
 * other way round. National data: 3.8–4.1 MB of geometry per CRS asked for, plus 1.8 MB per role and year.
 */
import type { Feature, Geometry } from 'geojson';
import type { Readable } from 'node:stream';
import type { FeatureRecord, PropertyValue } from '../../data/features/collections.ts';
import type { OgcCrs } from '../../data/features/constants.ts';
import { storedFormOf } from '../../data/features/crs.ts';
import { outputGeometry, outputProperties } from '../../data/features/select.ts';
import { chunkedStream, kept } from './chunks.ts';
import type { Link } from './links.ts';

export interface GeoJsonPage {
  numberMatched: number;
  numberReturned: number;
  timeStamp: string;
  links: Link[];
}

export function geoJsonFeature(f: FeatureRecord, crs: OgcCrs, properties: readonly string[] | null, links?: Link[]): Feature<Geometry, Record<string, PropertyValue>> & { links?: Link[] } {
  return { type: 'Feature', id: f.idValue, geometry: outputGeometry(f, crs), properties: outputProperties(f, properties), ...(links ? { links } : {}) };
}

/** A FeatureCollection as a stream of UTF-8 chunks: the members first, then the features. */
export function geoJsonCollectionStream(page: GeoJsonPage, features: readonly FeatureRecord[], crs: OgcCrs, properties: readonly string[] | null): Readable {
  function* parts(): Generator<Buffer> {
    const head = JSON.stringify({ type: 'FeatureCollection', ...page, features: [] });
    yield Buffer.from(head.slice(0, -2)); // without the closing "]}"
    for (const [i, f] of features.entries()) {
      if (i > 0) yield COMMA;
      yield featureHead(f);
      yield geometryJson(f, crs);
      yield properties === null ? featureTail(f) : Buffer.from(tailOf(outputProperties(f, properties)));
    }
    yield CLOSE;
  }
  return chunkedStream(parts());
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** Stored geometry (the form a CRS is computed from) → its serialised output geometry, per CRS. */
const geometries: Record<OgcCrs, WeakMap<Geometry, Buffer>> = { CRS84: new WeakMap(), 'EPSG:3006': new WeakMap(), 'EPSG:3857': new WeakMap() };
const heads = new WeakMap<FeatureRecord, Buffer>();
const tails = new WeakMap<FeatureRecord, Buffer>();

function geometryJson(f: FeatureRecord, crs: OgcCrs): Buffer {
  return kept(geometries[crs], f.geometry[storedFormOf(crs)], () => JSON.stringify(outputGeometry(f, crs)));
}

/** `{"type":"Feature","id":…,"geometry":` */
function featureHead(f: FeatureRecord): Buffer {
  return kept(heads, f, () => `{"type":"Feature","id":${JSON.stringify(f.idValue)},"geometry":`);
}

/** `,"properties":{…}}` with every property. */
function featureTail(f: FeatureRecord): Buffer {
  return kept(tails, f, () => tailOf(outputProperties(f, null)));
}

function tailOf(properties: Record<string, PropertyValue>): string {
  return `,"properties":${JSON.stringify(properties)}}`;
}
