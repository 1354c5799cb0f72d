/**
 * FlatGeobuf encoding of a page of features, written incrementally with the flatgeobuf package's own builders:
 * the magic bytes, a header (column schema from the collection, feature count, CRS code, no spatial index), then
 * each feature as it is encoded, about 64 kB a chunk. Column `id` comes first, as QGIS's OAPIF provider takes the
 * feature id from a field named `id`. Null values are left out of a feature, which readers give back as null.
 */
import type { Geometry } from 'geojson';
import { Readable } from 'node:stream';
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
  function* chunks(): Generator<Buffer> {
    yield Buffer.from(magicbytes);
    yield Buffer.from(buildHeader(header, CRS_CODE[crs]));
    let parts: Uint8Array[] = [];
    let size = 0;
    for (const f of features) {
      const props = outputProperties(f, chosen);
      const row = withId ? { id: f.id, ...props } : props;
      const bytes = buildFeature(parseGeometry(outputGeometry(f, crs) as Exclude<Geometry, { type: 'GeometryCollection' }>), row, header);
      parts.push(bytes);
      size += bytes.length;
      if (size >= 65_536) {
        yield Buffer.concat(parts);
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) yield Buffer.concat(parts);
  }
  return Readable.from(chunks(), { objectMode: false });
}
