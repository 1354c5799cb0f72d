/**
 * Query parameters → a typed, validated query. Every parameter a resource accepts is listed here (and /api
 * declares exactly these); any other parameter, a repeated one, or an invalid value is a QueryError (400) naming
 * it. `f` (the format) is accepted everywhere and left to the router.
 */
import { Cql2Error, type Cql2Node } from '../query/cql2-ast.ts';
import { parseCql2Json } from '../query/cql2-json.ts';
import { parseCql2Text } from '../query/cql2-text.ts';
import type { Bbox } from '../query/intersects.ts';
import { checkFilter, type Queryable } from '../query/queryables.ts';
import type { CollectionModel, PropertySpec, PropertyValue } from './collections.ts';
import { GEOMETRY_QUERYABLE, LIMIT, SUPPORTED_CRS, CRS_URI, type OgcCrs } from './constants.ts';
import { FILTER_CRS, bboxToStoredForm, looksEastingFirst, parseCrsUri } from './crs.ts';
import { parseDatetime, type TimeInterval } from './datetime.ts';
import { QueryError } from './errors.ts';

/** A query string as Koa parses it. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** Parameters of /collections/{id}/items besides the collection's property filters. */
export const ITEMS_PARAMETERS = ['f', 'limit', 'offset', 'bbox', 'bbox-crs', 'datetime', 'crs', 'properties', 'sortby', 'filter', 'filter-lang', 'filter-crs'] as const;
/** Parameters of /collections/{id}/items/{featureId}. */
export const FEATURE_PARAMETERS = ['f', 'crs', 'datetime', 'properties'] as const;
/** Parameters of every other resource. */
export const FORMAT_ONLY_PARAMETERS = ['f'] as const;

export const FILTER_LANGUAGES = ['cql2-text', 'cql2-json'] as const;
export type FilterLanguage = (typeof FILTER_LANGUAGES)[number];

export interface SortKey {
  property: string;
  descending: boolean;
}

export interface BboxFilter {
  /** The CRS the box was given in. */
  crs: OgcCrs;
  /** The box in the stored form it is compared with: SWEREF 99 TM for EPSG:3006, longitude/latitude otherwise. */
  stored: Bbox;
}

export interface PropertyFilter {
  property: string;
  value: PropertyValue;
}

export interface ItemsQuery {
  limit: number;
  offset: number;
  bbox: BboxFilter | null;
  datetime: TimeInterval | null;
  crs: OgcCrs;
  /** Properties to return, in the order given; null for all. */
  properties: string[] | null;
  sortby: SortKey[];
  /** A filter checked against the queryables, and the CRS of its geometry literals. */
  filter: { node: Cql2Node; crs: OgcCrs } | null;
  propertyFilters: PropertyFilter[];
}

export interface FeatureQuery {
  crs: OgcCrs;
  datetime: TimeInterval | null;
  properties: string[] | null;
}

/** Standard parameter names a property filter may not shadow. */
const RESERVED = new Set<string>(ITEMS_PARAMETERS);

/** Properties usable as `name=value` filters on the items: every property whose name is not a standard parameter. */
export function filterableProperties(collection: CollectionModel): PropertySpec[] {
  return collection.properties.filter((p) => !RESERVED.has(p.name));
}

/** The collection's queryables for CQL2: its properties and the geometry. */
export function queryablesOf(collection: CollectionModel): Record<string, Queryable> {
  const q: Record<string, Queryable> = { [GEOMETRY_QUERYABLE]: { type: 'geometry' } };
  for (const p of collection.properties) q[p.name] = { type: p.type };
  return q;
}

/** Throws unless every parameter is one of `allowed`, given once. */
export function checkParameters(raw: RawQuery, allowed: Iterable<string>): void {
  const known = new Set(allowed);
  for (const [name, value] of Object.entries(raw)) {
    if (!known.has(name)) throw new QueryError(`unknown query parameter "${name}"; this resource accepts: ${[...known].join(', ')}`, 400, name);
    if (Array.isArray(value)) throw new QueryError(`query parameter "${name}" is given ${value.length} times; give it once`, 400, name);
  }
}

function single(raw: RawQuery, name: string): string | undefined {
  const v = raw[name];
  return Array.isArray(v) ? v[0] : v;
}

function invalid(name: string, message: string): never {
  throw new QueryError(`invalid ${name}: ${message}`, 400, name);
}

export function parseItemsQuery(collection: CollectionModel, raw: RawQuery): ItemsQuery {
  const filterable = filterableProperties(collection);
  checkParameters(raw, [...ITEMS_PARAMETERS, ...filterable.map((p) => p.name)]);
  const get = (name: string) => single(raw, name);

  const bboxCrs = crsParameter(get('bbox-crs'), 'bbox-crs');
  const filterCrs = crsParameter(get('filter-crs'), 'filter-crs');
  const filterLang = get('filter-lang');
  if (filterLang !== undefined && !(FILTER_LANGUAGES as readonly string[]).includes(filterLang)) {
    invalid('filter-lang', `"${filterLang}"; expected ${FILTER_LANGUAGES.join(' or ')}`);
  }
  const datetime = get('datetime');
  return {
    limit: limitParameter(get('limit')),
    offset: integerParameter(get('offset'), 'offset', 0, 0),
    bbox: get('bbox') === undefined ? null : bboxParameter(get('bbox')!, bboxCrs),
    datetime: datetime === undefined ? null : parseDatetime(datetime),
    crs: crsParameter(get('crs'), 'crs'),
    properties: propertiesParameter(collection, get('properties')),
    sortby: sortbyParameter(collection, get('sortby')),
    filter: filterParameter(collection, get('filter'), (filterLang as FilterLanguage | undefined) ?? 'cql2-text', filterCrs),
    propertyFilters: filterable.flatMap((p) => {
      const v = get(p.name);
      return v === undefined ? [] : [{ property: p.name, value: propertyValue(p, v) }];
    }),
  };
}

export function parseFeatureQuery(collection: CollectionModel, raw: RawQuery): FeatureQuery {
  checkParameters(raw, FEATURE_PARAMETERS);
  const datetime = single(raw, 'datetime');
  return {
    crs: crsParameter(single(raw, 'crs'), 'crs'),
    datetime: datetime === undefined ? null : parseDatetime(datetime),
    properties: propertiesParameter(collection, single(raw, 'properties')),
  };
}

/** limit: an integer ≥ 1; above the maximum it is clamped (Part 1 permits that, and clients page on regardless). */
function limitParameter(value: string | undefined): number {
  return Math.min(integerParameter(value, 'limit', LIMIT.default, LIMIT.minimum), LIMIT.maximum);
}

function integerParameter(value: string | undefined, name: string, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!/^\+?\d+$/.test(value.trim())) invalid(name, `"${value}" is not an integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) invalid(name, `"${value}" is too large`);
  if (n < minimum) invalid(name, `${n} is below the minimum ${minimum}`);
  return n;
}

function crsParameter(value: string | undefined, name: string): OgcCrs {
  if (value === undefined) return 'CRS84';
  const crs = parseCrsUri(value);
  if (!crs) invalid(name, `"${value}" is not supported; use one of ${SUPPORTED_CRS.map((c) => CRS_URI[c]).join(', ')}`);
  return crs;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function bboxParameter(value: string, crs: OgcCrs): BboxFilter {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 4 && parts.length !== 6) invalid('bbox', `expected 4 or 6 comma-separated numbers, found ${parts.length}`);
  const bad = parts.find((p) => !NUMBER.test(p));
  if (bad !== undefined) invalid('bbox', `"${bad}" is not a number`);
  const n = parts.map(Number);
  // 6 numbers: min axis 1, min axis 2, min height, max axis 1, max axis 2, max height.
  const b: Bbox = parts.length === 6 ? [n[0], n[1], n[3], n[4]] : [n[0], n[1], n[2], n[3]];
  if (parts.length === 6 && n[2] > n[5]) invalid('bbox', `the minimum height ${n[2]} is greater than the maximum ${n[5]}`);
  if (crs === 'CRS84') {
    if (b.some((v, i) => Math.abs(v) > (i % 2 === 0 ? 180 : 90))) invalid('bbox', 'CRS84 longitudes lie within ±180 and latitudes within ±90');
    if (b[1] > b[3]) invalid('bbox', `south (${b[1]}) is greater than north (${b[3]})`);
  } else {
    const [axis1, axis2] = crs === 'EPSG:3006' ? ['northing', 'easting'] : ['easting', 'northing'];
    if (b[0] > b[2]) invalid('bbox', `the minimum ${axis1} (${b[0]}) is greater than the maximum (${b[2]})`);
    if (b[1] > b[3]) invalid('bbox', `the minimum ${axis2} (${b[1]}) is greater than the maximum (${b[3]})`);
    if (crs === 'EPSG:3006' && looksEastingFirst(b)) {
      invalid('bbox', 'in EPSG:3006 a bbox is minimum northing, minimum easting, maximum northing, maximum easting (the EPSG axis order); this one looks written easting first');
    }
  }
  return { crs, stored: bboxToStoredForm(crs, b) };
}

function propertiesParameter(collection: CollectionModel, value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const names = value === '' ? [] : value.split(',').map((s) => s.trim());
  const known = new Set(collection.properties.map((p) => p.name));
  for (const name of names) if (!known.has(name)) invalid('properties', `"${name}" is not a property of ${collection.id}; properties are: ${[...known].join(', ')}`);
  return [...new Set(names)];
}

function sortbyParameter(collection: CollectionModel, value: string | undefined): SortKey[] {
  if (value === undefined) return [];
  const known = new Set(['id', ...collection.properties.map((p) => p.name)]);
  return value.split(',').map((part) => {
    // A '+' arrives as a space when the client did not percent-encode it.
    const m = /^\s*([+-]?)\s*([^\s+-][^\s]*)\s*$/.exec(part);
    if (!m) invalid('sortby', `"${part}" is not [+|-]property`);
    if (!known.has(m[2])) invalid('sortby', `"${m[2]}" is not a sortable property of ${collection.id}; sortable are: ${[...known].join(', ')}`);
    return { property: m[2], descending: m[1] === '-' };
  });
}

function propertyValue(p: PropertySpec, value: string): PropertyValue {
  switch (p.type) {
    case 'string':
      return value;
    case 'boolean':
      if (value !== 'true' && value !== 'false') invalid(p.name, `"${value}" is not true or false`);
      return value === 'true';
    case 'integer':
    case 'number': {
      if (!NUMBER.test(value.trim())) invalid(p.name, `"${value}" is not a number`);
      return Number(value);
    }
  }
}

function filterParameter(collection: CollectionModel, value: string | undefined, lang: FilterLanguage, crs: OgcCrs): ItemsQuery['filter'] {
  if (value === undefined) return null;
  try {
    const node = lang === 'cql2-json' ? parseCql2Json(value) : parseCql2Text(value);
    checkFilter(node, queryablesOf(collection), FILTER_CRS[crs]);
    return { node, crs };
  } catch (err) {
    if (!(err instanceof Cql2Error)) throw err;
    const hint = crs === 'EPSG:3006' && /outside the filter CRS/.test(err.message) ? ' (EPSG:3006 coordinates are northing first, then easting)' : '';
    throw new QueryError(`invalid filter (${lang}): ${err.message}${hint}`, 400, 'filter');
  }
}

