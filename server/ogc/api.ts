/**
 * `/api`: the OpenAPI 3.0 definition, made from the dataset's collections. Every collection has its own literal
 * paths (`/collections/regso/items`, …) with every parameter the server accepts there — `f` included, and the
 * collection's property filters — because that is where GDAL and QGIS look: both read the `limit` parameter
 * (`#/components/parameters/limit`: default 1,000, maximum 10,000) to choose their page size, and QGIS takes the
 * `form`/`explode: false` parameters of an items path for simple property filters.
 */
import type { CollectionModel } from '../../data/features/collections.ts';
import { AREAS_COLLECTION, CRS_URI, LIMIT, MEDIA_TYPE, SUPPORTED_CRS } from '../../data/features/constants.ts';
import { FEATURE_PARAMETERS, FILTER_LANGUAGES, ITEMS_PARAMETERS, filterableProperties } from '../../data/features/query.ts';
import type { Dataset } from '../../data/dataset.ts';
import { TILE_MATRIX_SETS } from '../../tiles/grid.ts';
import { MVT_CONTENT_TYPE } from '../../tiles/mvt.ts';
import { collectionPath } from './collections.ts';
import { fValues, type Format } from './negotiate.ts';
import type { LinkBase } from './links.ts';

type Json = Record<string, unknown>;

const FEATURE_FORMATS: Format[] = ['json', 'fgb', 'html', 'csv'];
const DOCUMENT_FORMATS: Format[] = ['json', 'html'];
const CRS_ENUM = SUPPORTED_CRS.map((c) => CRS_URI[c]);

const ref = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Components parameter name of each query parameter of the items and feature operations. */
const ITEMS_PARAMETER_REF: Record<(typeof ITEMS_PARAMETERS)[number], string> = {
  f: 'f-features',
  limit: 'limit',
  offset: 'offset',
  bbox: 'bbox',
  'bbox-crs': 'bbox-crs',
  datetime: 'datetime',
  crs: 'crs',
  properties: 'properties',
  sortby: 'sortby',
  filter: 'filter',
  'filter-lang': 'filter-lang',
  'filter-crs': 'filter-crs',
};

const PARAMETERS: Json = {
  'f-documents': {
    name: 'f',
    in: 'query',
    required: false,
    description: 'The format of the response; default by the Accept header (JSON, or HTML for browsers).',
    schema: { type: 'string', enum: fValues(DOCUMENT_FORMATS) },
  },
  'f-features': {
    name: 'f',
    in: 'query',
    required: false,
    description: 'The format of the response: json/geojson (GeoJSON), fgb/flatgeobuf (FlatGeobuf), html, csv (the attributes, no geometry); default by the Accept header.',
    schema: { type: 'string', enum: fValues(FEATURE_FORMATS) },
  },
  limit: {
    name: 'limit',
    in: 'query',
    required: false,
    description: `The number of features per page: ${LIMIT.minimum}–${LIMIT.maximum} (a larger value is clamped to ${LIMIT.maximum}); follow the next link for more.`,
    style: 'form',
    explode: false,
    schema: { type: 'integer', minimum: LIMIT.minimum, maximum: LIMIT.maximum, default: LIMIT.default },
  },
  offset: {
    name: 'offset',
    in: 'query',
    required: false,
    description: 'The number of matching features to skip (paging; the next and prev links carry it).',
    schema: { type: 'integer', minimum: 0, default: 0 },
  },
  bbox: {
    name: 'bbox',
    in: 'query',
    required: false,
    description:
      'Only features whose geometry intersects the box: 4 numbers (lower corner axis 1, axis 2, upper corner axis 1, axis 2) or 6 (with heights, ignored), in bbox-crs (default CRS84: west, south, east, north). In EPSG:3006 the axes are northing, easting.',
    style: 'form',
    explode: false,
    schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
  },
  'bbox-crs': {
    name: 'bbox-crs',
    in: 'query',
    required: false,
    description: 'The CRS of bbox.',
    schema: { type: 'string', format: 'uri', enum: CRS_ENUM, default: CRS_URI.CRS84 },
  },
  datetime: {
    name: 'datetime',
    in: 'query',
    required: false,
    description:
      'An instant or interval (RFC 3339 date-time or date, or a year such as 2022; intervals with "/", open ends as "..", one end may be an ISO 8601 duration such as 2022-06-01/P2D). A temporal collection (regso) answers with the properties of the latest year the value touches (default: the latest year); a value touching no year with data matches no features. Collections without time ignore it.',
    // Declared, not left to OpenAPI's defaults: the OGC suite (FeaturesTime.timeParameterDefinition) reads them as written.
    style: 'form',
    explode: false,
    schema: { type: 'string' },
  },
  crs: {
    name: 'crs',
    in: 'query',
    required: false,
    description: 'The CRS of the returned geometry (Content-Crs names it). Coordinates are in the CRS’s own axis order: EPSG:3006 northing, easting.',
    schema: { type: 'string', format: 'uri', enum: CRS_ENUM, default: CRS_URI.CRS84 },
  },
  properties: {
    name: 'properties',
    in: 'query',
    required: false,
    description: 'The properties to return, comma-separated (default all; empty for none).',
    style: 'form',
    explode: false,
    schema: { type: 'array', items: { type: 'string' } },
  },
  sortby: {
    name: 'sortby',
    in: 'query',
    required: false,
    description: 'Sort keys, comma-separated: a property (or id), "+" ascending (default) or "-" descending. Null values sort last.',
    style: 'form',
    explode: false,
    schema: { type: 'array', items: { type: 'string', pattern: '^[+-]?[^+-].*$' } },
  },
  filter: {
    name: 'filter',
    in: 'query',
    required: false,
    description: 'A CQL2 filter over the queryables (see /collections/{collectionId}/queryables), in filter-lang.',
    schema: { type: 'string' },
  },
  'filter-lang': {
    name: 'filter-lang',
    in: 'query',
    required: false,
    description: 'The encoding of filter.',
    schema: { type: 'string', enum: [...FILTER_LANGUAGES], default: 'cql2-text' },
  },
  'filter-crs': {
    name: 'filter-crs',
    in: 'query',
    required: false,
    description: 'The CRS of geometry literals in filter (EPSG:3006: northing, easting).',
    schema: { type: 'string', format: 'uri', enum: CRS_ENUM, default: CRS_URI.CRS84 },
  },
  'f-json': {
    name: 'f',
    in: 'query',
    required: false,
    description: 'The format of the response: JSON only.',
    schema: { type: 'string', enum: ['json'] },
  },
  'f-mvt': {
    name: 'f',
    in: 'query',
    required: false,
    description: 'The format of the tile: Mapbox Vector Tile only.',
    schema: { type: 'string', enum: ['mvt'] },
  },
  v: {
    name: 'v',
    in: 'query',
    required: false,
    description: 'The build id (as the item links give it): a tile URL with the current build id may be cached for good.',
    schema: { type: 'string' },
  },
  tileMatrixSetId: {
    name: 'tileMatrixSetId',
    in: 'path',
    required: true,
    description: 'The tile matrix set (see /tileMatrixSets).',
    schema: { type: 'string', enum: TILE_MATRIX_SETS.map((g) => g.id) },
  },
  tileMatrix: { name: 'tileMatrix', in: 'path', required: true, description: 'The level (zoom) of the tile matrix set.', schema: { type: 'integer', minimum: 0 } },
  tileRow: { name: 'tileRow', in: 'path', required: true, description: 'The row, from the top (0).', schema: { type: 'integer', minimum: 0 } },
  tileCol: { name: 'tileCol', in: 'path', required: true, description: 'The column, from the left (0).', schema: { type: 'integer', minimum: 0 } },
  featureId: {
    name: 'featureId',
    in: 'path',
    required: true,
    description: 'The feature id: the RegSO code in regso, the layer’s id field elsewhere.',
    schema: { type: 'string' },
  },
};

const SCHEMAS: Json = {
  exception: {
    type: 'object',
    required: ['status', 'error'],
    properties: { status: { type: 'integer' }, error: { type: 'string' }, parameter: { type: 'string' } },
  },
  link: {
    type: 'object',
    required: ['href', 'rel'],
    properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' } },
  },
  landingPage: {
    type: 'object',
    required: ['links'],
    properties: { title: { type: 'string' }, description: { type: 'string' }, attribution: { type: 'string' }, links: { type: 'array', items: schemaRef('link') } },
  },
  confClasses: {
    type: 'object',
    required: ['conformsTo'],
    properties: { conformsTo: { type: 'array', items: { type: 'string' } } },
  },
  collection: {
    type: 'object',
    required: ['id', 'links'],
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      attribution: { type: 'string' },
      itemType: { type: 'string' },
      extent: { type: 'object' },
      itemCount: { type: 'integer' },
      crs: { type: 'array', items: { type: 'string' } },
      storageCrs: { type: 'string' },
      links: { type: 'array', items: schemaRef('link') },
    },
  },
  collections: {
    type: 'object',
    required: ['links', 'collections'],
    properties: { links: { type: 'array', items: schemaRef('link') }, crs: { type: 'array', items: { type: 'string' } }, collections: { type: 'array', items: schemaRef('collection') } },
  },
  featureGeoJSON: {
    type: 'object',
    required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      geometry: { type: 'object', nullable: true },
      properties: { type: 'object', nullable: true },
      links: { type: 'array', items: schemaRef('link') },
    },
  },
  featureCollectionGeoJSON: {
    type: 'object',
    required: ['type', 'features'],
    properties: {
      type: { type: 'string', enum: ['FeatureCollection'] },
      features: { type: 'array', items: schemaRef('featureGeoJSON') },
      links: { type: 'array', items: schemaRef('link') },
      timeStamp: { type: 'string', format: 'date-time' },
      numberMatched: { type: 'integer', minimum: 0 },
      numberReturned: { type: 'integer', minimum: 0 },
    },
  },
  queryables: { type: 'object', required: ['properties'], properties: { properties: { type: 'object' } } },
  tileMatrixSets: { type: 'object', required: ['tileMatrixSets'], properties: { tileMatrixSets: { type: 'array', items: { type: 'object' } }, links: { type: 'array', items: schemaRef('link') } } },
  tileMatrixSet: { type: 'object', required: ['id', 'crs', 'tileMatrices'], properties: { id: { type: 'string' }, crs: { type: 'string' }, orderedAxes: { type: 'array', items: { type: 'string' } }, tileMatrices: { type: 'array', items: { type: 'object' } } } },
  tilesets: { type: 'object', required: ['tilesets'], properties: { tilesets: { type: 'array', items: { type: 'object' } }, links: { type: 'array', items: schemaRef('link') } } },
  tileset: { type: 'object', required: ['dataType', 'crs', 'links'], properties: { title: { type: 'string' }, dataType: { type: 'string' }, crs: { type: 'string' }, tileMatrixSetURI: { type: 'string' }, links: { type: 'array', items: schemaRef('link') } } },
};

const ERRORS = {
  '400': { description: 'An invalid or unknown query parameter.', content: { [MEDIA_TYPE.json]: { schema: schemaRef('exception') } } },
  '404': { description: 'No such resource.', content: { [MEDIA_TYPE.json]: { schema: schemaRef('exception') } } },
};

function documentResponse(description: string, schema: string, jsonType: string = MEDIA_TYPE.json) {
  return {
    '200': { description, content: { [jsonType]: { schema: schemaRef(schema) }, [MEDIA_TYPE.html]: { schema: { type: 'string' } } } },
    ...ERRORS,
  };
}

function featuresResponse(description: string, schema: string) {
  return {
    '200': {
      description,
      headers: {
        'Content-Crs': { description: 'The CRS of the geometry, in angle brackets.', schema: { type: 'string' } },
        Link: { description: 'self, next and prev links (for FlatGeobuf and CSV, which cannot carry them).', schema: { type: 'string' } },
        'OGC-NumberMatched': { description: 'numberMatched, for formats without a body member for it.', schema: { type: 'integer' } },
      },
      content: {
        [MEDIA_TYPE.geojson]: { schema: schemaRef(schema) },
        [MEDIA_TYPE.flatgeobuf]: { schema: { type: 'string', format: 'binary' } },
        [MEDIA_TYPE.html]: { schema: { type: 'string' } },
        [MEDIA_TYPE.csv]: { schema: { type: 'string' } },
      },
    },
    ...ERRORS,
  };
}

function jsonResponse(description: string, schema: string) {
  return { '200': { description, content: { [MEDIA_TYPE.json]: { schema: schemaRef(schema) } } }, ...ERRORS };
}

const TILE_RESPONSE = {
  '200': { description: 'A Mapbox vector tile (empty inside the matrix where there is no data)', content: { [MVT_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } } } },
  ...ERRORS,
};

/** The tilesets list, tileset and tile operations under `prefix` (`` for the dataset, a collection's path). */
function tilesPaths(prefix: string, tag: string, what: string, operation: string): Record<string, Json> {
  const time = prefix === '' || tag === AREAS_COLLECTION ? [ref('datetime')] : [];
  return {
    [`${prefix}/tiles`]: { get: { tags: [tag], summary: `The tilesets of ${what}`, operationId: `${operation}.tilesets`, parameters: [ref('f-json')], responses: jsonResponse('The tilesets', 'tilesets') } },
    [`${prefix}/tiles/{tileMatrixSetId}`]: {
      get: { tags: [tag], summary: `The tileset of ${what} in a tile matrix set`, operationId: `${operation}.tileset`, parameters: [ref('tileMatrixSetId'), ...time, ref('f-json')], responses: jsonResponse('The tileset metadata', 'tileset') },
    },
    [`${prefix}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}`]: {
      get: {
        tags: [tag],
        summary: `A tile of ${what}`,
        operationId: `${operation}.tile`,
        parameters: [ref('tileMatrixSetId'), ref('tileMatrix'), ref('tileRow'), ref('tileCol'), ...time, ref('v'), ref('f-mvt')],
        responses: TILE_RESPONSE,
      },
    },
  };
}

function collectionPaths(c: CollectionModel): Record<string, Json> {
  const path = collectionPath(c);
  const tag = c.id;
  const propertyParameters = filterableProperties(c).map((p) => ({
    name: p.name,
    in: 'query',
    required: false,
    description: `Only features whose ${p.name} equals the value. ${p.title}${p.description ? `: ${p.description}` : ''}`,
    style: 'form',
    explode: false,
    schema: { type: p.type },
  }));
  return {
    [path]: {
      get: { tags: [tag], summary: `Describe ${c.id}`, operationId: `${c.id}.describe`, parameters: [ref('f-documents')], responses: documentResponse(`The ${c.id} collection`, 'collection') },
    },
    [`${path}/items`]: {
      get: {
        tags: [tag],
        summary: `The features of ${c.id}`,
        operationId: `${c.id}.items`,
        parameters: [...ITEMS_PARAMETERS.map((p) => ref(ITEMS_PARAMETER_REF[p])), ...propertyParameters],
        responses: featuresResponse(`A page of ${c.id} features`, 'featureCollectionGeoJSON'),
      },
    },
    [`${path}/items/{featureId}`]: {
      get: {
        tags: [tag],
        summary: `One feature of ${c.id}`,
        operationId: `${c.id}.feature`,
        parameters: [ref('featureId'), ...FEATURE_PARAMETERS.map((p) => ref(ITEMS_PARAMETER_REF[p]))],
        responses: featuresResponse(`A ${c.id} feature`, 'featureGeoJSON'),
      },
    },
    [`${path}/queryables`]: {
      get: {
        tags: [tag],
        summary: `The queryables of ${c.id}`,
        operationId: `${c.id}.queryables`,
        parameters: [ref('f-documents')],
        responses: documentResponse(`The queryables of ${c.id} (JSON Schema)`, 'queryables', MEDIA_TYPE.jsonSchema),
      },
    },
    ...tilesPaths(path, tag, c.id, c.id),
  };
}

export function openApiDocument(dataset: Dataset, collections: readonly CollectionModel[], base: LinkBase): Json {
  const paths: Json = {
    '/': { get: { tags: ['capabilities'], summary: 'The landing page', operationId: 'getLandingPage', parameters: [ref('f-documents')], responses: documentResponse('The landing page', 'landingPage') } },
    '/conformance': {
      get: { tags: ['capabilities'], summary: 'The conformance classes implemented', operationId: 'getConformance', parameters: [ref('f-documents')], responses: documentResponse('The conformance classes', 'confClasses') },
    },
    '/api': {
      get: {
        tags: ['capabilities'],
        summary: 'This API definition',
        operationId: 'getApi',
        parameters: [ref('f-documents')],
        responses: {
          '200': { description: 'The OpenAPI 3.0 definition (JSON), or its HTML rendering', content: { [MEDIA_TYPE.openapi]: { schema: { type: 'object' } }, [MEDIA_TYPE.html]: { schema: { type: 'string' } } } },
          ...ERRORS,
        },
      },
    },
    '/collections': {
      get: { tags: ['capabilities'], summary: 'The feature collections', operationId: 'getCollections', parameters: [ref('f-documents')], responses: documentResponse('The collections', 'collections') },
    },
  };
  Object.assign(paths, {
    '/tileMatrixSets': { get: { tags: ['tiles'], summary: 'The tile matrix sets', operationId: 'getTileMatrixSets', parameters: [ref('f-json')], responses: jsonResponse('The tile matrix sets', 'tileMatrixSets') } },
    '/tileMatrixSets/{tileMatrixSetId}': {
      get: { tags: ['tiles'], summary: 'A tile matrix set (OGC TileMatrixSet 2.0)', operationId: 'getTileMatrixSet', parameters: [ref('tileMatrixSetId'), ref('f-json')], responses: jsonResponse('The tile matrix set', 'tileMatrixSet') },
    },
    ...tilesPaths('', 'tiles', 'the dataset (every layer)', 'dataset'),
  });
  for (const c of collections) Object.assign(paths, collectionPaths(c));
  return {
    openapi: '3.0.3',
    info: {
      title: `${dataset.title.sv} – OGC API Features and Tiles`,
      description: `${dataset.title.en}. ${dataset.attribution}.`,
      version: dataset.id,
    },
    servers: [{ url: base.url }],
    tags: [
      { name: 'capabilities', description: 'The landing page, conformance, this definition and the collections' },
      { name: 'tiles', description: 'The tile matrix sets and the dataset’s vector tiles (OGC API – Tiles)' },
      ...collections.map((c) => ({ name: c.id, description: c.title })),
    ],
    paths,
    components: { parameters: PARAMETERS, schemas: SCHEMAS },
  };
}
