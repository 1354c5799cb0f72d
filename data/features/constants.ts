/**
 * The one source of truth for OGC API – Features identifiers: conformance classes, CRS URIs, media types and
 * paging limits. The landing page, /conformance, /api, the collection documents and the query parser all read
 * them from here, so a class is declared exactly when the code that implements it is wired.
 */
import { CQL2_CONFORMANCE_CLASSES, CQL2_DRAFT_CONFORMANCE_ALIASES } from '../query/cql2-ast.ts';

const PART1 = 'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf';
const PART2 = 'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf';
const PART3 = 'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf';

export const CONFORMANCE = {
  core: `${PART1}/core`,
  oas30: `${PART1}/oas30`,
  geojson: `${PART1}/geojson`,
  html: `${PART1}/html`,
  crs: `${PART2}/crs`,
  filter: `${PART3}/filter`,
  featuresFilter: `${PART3}/features-filter`,
  queryables: `${PART3}/queryables`,
  queryablesQueryParameters: `${PART3}/queryables-query-parameters`,
} as const;

const TILES = 'http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf';
const TMS = 'http://www.opengis.net/spec/tms/2.0/conf';

/**
 * OGC API – Tiles Part 1 (server/ogc/tiles.ts): tiles, tileset metadata and lists for the dataset and each
 * collection, `datetime` on tiles of the areas, MVT, the paths in /api; and the tile matrix set documents
 * (`/tileMatrixSets`), under TMS 2.0's names and the Tiles draft's `tmxs` that older clients look for.
 */
export const TILES_CONFORMANCE = {
  core: `${TILES}/core`,
  tileset: `${TILES}/tileset`,
  tilesetsList: `${TILES}/tilesets-list`,
  geodataTilesets: `${TILES}/geodata-tilesets`,
  datasetTilesets: `${TILES}/dataset-tilesets`,
  datetime: `${TILES}/datetime`,
  mvt: `${TILES}/mvt`,
  oas30: `${TILES}/oas30`,
  tmxs: `${TILES}/tmxs`,
  tileMatrixSet: `${TMS}/tilematrixset`,
  jsonTileMatrixSet: `${TMS}/json-tilematrixset`,
} as const;

/**
 * What /conformance declares: OGC API – Features Parts 1, 2 and 3, the CQL2 classes data/query passes in full, the
 * draft CQL2 name QGIS 3.x still looks for before it pushes spatial filters to the server, and OGC API – Tiles.
 */
export const CONFORMANCE_CLASSES: readonly string[] = [
  ...Object.values(CONFORMANCE),
  ...CQL2_CONFORMANCE_CLASSES,
  ...CQL2_DRAFT_CONFORMANCE_ALIASES,
  ...Object.values(TILES_CONFORMANCE),
];

/** The CRSs features can be had in (Part 2), by their URIs. */
export const CRS_URI = {
  CRS84: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84',
  'EPSG:3006': 'http://www.opengis.net/def/crs/EPSG/0/3006',
  'EPSG:3857': 'http://www.opengis.net/def/crs/EPSG/0/3857',
} as const;

export type OgcCrs = keyof typeof CRS_URI;

/** Listed in every collection's `crs`, the default (CRS84) first. */
export const SUPPORTED_CRS: readonly OgcCrs[] = ['CRS84', 'EPSG:3006', 'EPSG:3857'];

/** The CRS the geometry is stored and checked in: SWEREF 99 TM. */
export const STORAGE_CRS: OgcCrs = 'EPSG:3006';

/** Temporal reference system of `extent.temporal`. */
export const TRS_GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian';

export const MEDIA_TYPE = {
  json: 'application/json',
  geojson: 'application/geo+json',
  flatgeobuf: 'application/flatgeobuf',
  html: 'text/html',
  csv: 'text/csv',
  openapi: 'application/vnd.oai.openapi+json;version=3.0',
  jsonSchema: 'application/schema+json',
} as const;

/** Items paging: the `limit` parameter's default and maximum (larger values are clamped), as /api declares them. */
export const LIMIT = { default: 1000, minimum: 1, maximum: 10_000 } as const;

/** The feature collection of the areas themselves; every extra layer of the dataset is a collection by its id. */
export const AREAS_COLLECTION = 'regso';

/** The queryable (and CQL2 property name) of the feature geometry. */
export const GEOMETRY_QUERYABLE = 'geometry';
