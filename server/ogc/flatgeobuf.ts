/**
 * FlatGeobuf encoding of a page of features, written incrementally with the flatgeobuf package's own builders:
 * the magic bytes, a header (column schema from the collection, feature count, CRS code, no spatial index), then
 * each feature as it is encoded, about 64 kB a chunk. Column `id` comes first, as QGIS's OAPIF provider takes the
 * feature id from a field named `id`. Null values are left out of a feature, which readers give back as null.
 *
 * Encoding a feature is most of a page's time, so a feature encoded with every property (the columns QGIS and GDAL
 * ask for) is kept per feature record and CRS, in WeakMaps: records are made per dataset, role and year
 * (data/features/collections.ts), so the bytes go with their dataset and never cross roles. National data: about
 * 3.7 MB per role, year and CRS asked for. A `properties` subset is encoded afresh.
 */
import type { Geometry } from 'geojson';
import type { Readable } from 'node:stream';
import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js';
import { ColumnType } from 'flatgeobuf/lib/mjs/flat-geobuf/column-type.js';
import { GeometryType } from 'flatgeobuf/lib/mjs/flat-geobuf/geometry-type.js';
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js';
import { buildHeader } from 'flatgeobuf/lib/mjs/generic/featurecollection.js';
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js';
import type { ColumnMeta } from 'flatgeobuf/lib/mjs/column-meta.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import type { CollectionModel, FeatureRecord, PropertyType } from '../../data/features/collections.ts';
import type { OgcCrs } from '../../data/features/constants.ts';
import { outputGeometry, outputProperties } from '../../data/features/select.ts';
import { chunkedStream, kept } from './chunks.ts';

const COLUMN_TYPE: Record<PropertyType, ColumnType> = {
  string: ColumnType.String,
  integer: ColumnType.Long,
  number: ColumnType.Double,
  boolean: ColumnType.Bool,
};

/** EPSG code written in the header; CRS84 is EPSG:4326 read the GIS way (longitude first), as GDAL reads FlatGeobuf. */
const CRS_CODE: Record<OgcCrs, number> = { CRS84: 4326, 'EPSG:3006': 3006, 'EPSG:3857': 3857 };

function geometryType(name: CollectionModel['geometryType']): GeometryType {
  return name === 'Geometry' ? GeometryType.Unknown : GeometryType[name];
}

function column(name: string, type: ColumnType, title: string | null): ColumnMeta {
  return { name, type, title, description: null, width: -1, precision: -1, scale: -1, nullable: true, unique: false, primary_key: false };
}

export function flatgeobufStream(collection: CollectionModel, features: readonly FeatureRecord[], crs: OgcCrs, properties: readonly string[] | null): Readable {
  const chosen = properties ?? collection.properties.map((p) => p.name);
  const specs = new Map(collection.properties.map((p) => [p.name, p]));
  const withId = !chosen.includes('id');
  const columns = [...(withId ? [column('id', ColumnType.String, 'Feature id')] : []), ...chosen.map((name) => column(name, COLUMN_TYPE[specs.get(name)!.type], specs.get(name)!.title))];
  const header: HeaderMeta = {
    geometryType: geometryType(collection.geometryType),
    columns,
    envelope: null,
    featuresCount: features.length,
    indexNodeSize: 0,
    crs: null,
    title: collection.title,
    description: null,
    metadata: null,
  };
  const encode = (f: FeatureRecord): Uint8Array => {
    const props = outputProperties(f, chosen);
    const row = withId ? { id: f.id, ...props } : props;
    return buildFeature(parseGeometry(outputGeometry(f, crs) as Exclude<Geometry, { type: 'GeometryCollection' }>), row, header);
  };
  function* parts(): Generator<Uint8Array> {
    yield magicbytes;
    yield buildHeader(header, CRS_CODE[crs]);
    for (const f of features) yield properties === null ? kept(encoded[crs], f, () => encode(f)) : encode(f);
  }
  return chunkedStream(parts());
}

/** Features encoded with every property, per CRS. */
const encoded: Record<OgcCrs, WeakMap<FeatureRecord, Buffer>> = { CRS84: new WeakMap(), 'EPSG:3006': new WeakMap(), 'EPSG:3857': new WeakMap() };
