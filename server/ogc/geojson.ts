/**
 * GeoJSON encoding of a page of features (streamed feature by feature, so a 10,000-feature page never exists as
 * one string) and of a single feature. Top-level `id`: the RegSO code, or the layer's idField value.
 */
import type { Feature, Geometry } from 'geojson';
import { Readable } from 'node:stream';
import type { FeatureRecord, PropertyValue } from '../../data/features/collections.ts';
import type { OgcCrs } from '../../data/features/constants.ts';
import { outputGeometry, outputProperties } from '../../data/features/select.ts';
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

/** A FeatureCollection as a stream of UTF-8 chunks: the members first, then the features, about 64 kB a chunk. */
export function geoJsonCollectionStream(page: GeoJsonPage, features: readonly FeatureRecord[], crs: OgcCrs, properties: readonly string[] | null): Readable {
  function* chunks(): Generator<string> {
    const head = JSON.stringify({ type: 'FeatureCollection', ...page, features: [] });
    yield head.slice(0, -2); // without the closing "]}"
    let buffer = '';
    for (const [i, f] of features.entries()) {
      buffer += (i === 0 ? '' : ',') + JSON.stringify(geoJsonFeature(f, crs, properties));
      if (buffer.length >= 65_536) {
        yield buffer;
        buffer = '';
      }
    }
    yield `${buffer}]}`;
  }
  return Readable.from(chunks(), { objectMode: false });
}
