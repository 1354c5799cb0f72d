/**
 * Running a query over a collection: choose the year, filter (bbox, property filters, CQL2), count, sort, page;
 * then, per returned feature, the geometry in the CRS asked for and the properties chosen. Filters and sort keys
 * see the published values only — a suppressed figure is NULL to them — so no query can tell more than the
 * features show.
 */
import type { Geometry, Polygon } from 'geojson';
import { compileFilter, type FilterTarget } from '../query/evaluate.ts';
import { bboxContains, bboxesIntersect, geometriesIntersect, type Bbox } from '../query/intersects.ts';
import type { CollectionModel, FeatureRecord, PropertyValue } from './collections.ts';
import type { OgcCrs } from './constants.ts';
import { geometryIn, storedFormOf, toStoredForm } from './crs.ts';
import { selectYear, type TimeInterval } from './datetime.ts';
import type { BboxFilter, ItemsQuery, SortKey } from './query.ts';

export interface Selection {
  /** Features matching the query, all pages together. */
  numberMatched: number;
  /** This page. */
  features: FeatureRecord[];
  /** The year whose properties the features carry; null for a collection without time or a datetime without data. */
  year: number | null;
}

/** The year a request gets: null for a collection without time; undefined if the datetime touches no year with data. */
export function requestYear(collection: CollectionModel, datetime: TimeInterval | null): number | null | undefined {
  if (!collection.years) return null;
  return selectYear(collection.years, datetime) ?? undefined;
}

export function selectFeatures(collection: CollectionModel, q: ItemsQuery): Selection {
  const year = requestYear(collection, q.datetime);
  if (year === undefined) return { numberMatched: 0, features: [], year: null };
  const tests: ((f: FeatureRecord) => boolean)[] = [];
  if (q.bbox) tests.push(bboxTest(q.bbox));
  for (const { property, value } of q.propertyFilters) tests.push((f) => f.properties[property] === value);
  if (q.filter) tests.push(cql2Test(q.filter.node, q.filter.crs));
  const all = collection.features(year);
  const matched = tests.length === 0 ? [...all] : all.filter((f) => tests.every((t) => t(f)));
  if (q.sortby.length > 0) sortFeatures(matched, q.sortby);
  return { numberMatched: matched.length, features: matched.slice(q.offset, q.offset + q.limit), year };
}

// ---------------------------------------------------------------------------------------------------------------
// Filters

/** Features whose geometry intersects the box (boundaries included), tested exactly, boxes first. */
function bboxTest(filter: BboxFilter): (f: FeatureRecord) => boolean {
  const form = storedFormOf(filter.crs);
  const [w, s, e, n] = filter.stored;
  // A CRS84 box with west > east crosses the antimeridian: two boxes.
  const boxes: Bbox[] = w <= e ? [[w, s, e, n]] : [[w, s, 180, n], [-180, s, e, n]];
  const polygons = boxes.map((b): Polygon => ({ type: 'Polygon', coordinates: [[[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]]] }));
  return (f) =>
    boxes.some((b, i) => {
      const fb = f.geometry.bbox[form];
      if (!bboxesIntersect(fb, b)) return false;
      if (bboxContains(b, fb)) return true;
      return geometriesIntersect(polygons[i], f.geometry[form]);
    });
}

/** A checked CQL2 filter as a test; geometry literals are brought from the filter CRS to the stored form. */
function cql2Test(node: Parameters<typeof compileFilter>[0], crs: OgcCrs): (f: FeatureRecord) => boolean {
  const form = storedFormOf(crs);
  const test = compileFilter(node, crs === 'CRS84' ? {} : { transformGeometry: (g) => toStoredForm(crs, g) });
  return (f) => {
    const target: FilterTarget = {
      properties: f.properties,
      bbox: f.geometry.bbox[form],
      intersects: (g: Geometry) => geometriesIntersect(g, f.geometry[form]),
    };
    return test(target);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sorting

const collator = new Intl.Collator('sv');

/**
 * Sorts in place by the keys; strings in Swedish alphabetical order (å, ä, ö after z), numbers numerically, NULL
 * last in either direction; ties keep the collection's order (the sort is stable).
 */
export function sortFeatures(features: FeatureRecord[], keys: readonly SortKey[]): void {
  const valueOf = (f: FeatureRecord, property: string): PropertyValue => (property === 'id' ? f.idValue : (f.properties[property] ?? null));
  features.sort((a, b) => {
    for (const { property, descending } of keys) {
      const x = valueOf(a, property);
      const y = valueOf(b, property);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const order = typeof x === 'string' && typeof y === 'string' ? collator.compare(x, y) : x < y ? -1 : x > y ? 1 : 0;
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/** The geometry of a feature in the CRS asked for (authority axis order). */
export function outputGeometry(f: FeatureRecord, crs: OgcCrs): Geometry {
  return geometryIn(crs, f.geometry);
}

/** The properties chosen by `properties` (all when null), in the order asked for. */
export function outputProperties(f: FeatureRecord, properties: readonly string[] | null): Record<string, PropertyValue> {
  if (properties === null) return { ...f.properties };
  return Object.fromEntries(properties.map((p) => [p, f.properties[p] ?? null]));
}
