/**
 * `/collections/{collectionId}/queryables`: a JSON Schema of what filters may name. The geometry is a `$ref` to the
 * GeoJSON schema of its type (QGIS's provider recognises the geometry queryable by that prefix) with a `format`
 * (`geometry-multipolygon`, as Part 3 recommends).
 */
import type { CollectionModel } from '../../data/features/collections.ts';
import { GEOMETRY_QUERYABLE } from '../../data/features/constants.ts';
import { href, type LinkBase } from './links.ts';
import { collectionPath } from './collections.ts';

export function queryablesDocument(c: CollectionModel, base: LinkBase) {
  const geometryType = c.geometryType;
  const geometry = {
    title: 'Geometry',
    description: 'The feature geometry, for S_INTERSECTS (its literals in filter-crs, default CRS84)',
    $ref: `https://geojson.org/schema/${geometryType}.json`,
    format: `geometry-${geometryType.toLowerCase() === 'geometry' ? 'any' : geometryType.toLowerCase()}`,
  };
  const properties: Record<string, object> = { [GEOMETRY_QUERYABLE]: geometry };
  for (const p of c.properties) properties[p.name] = { title: p.title, ...(p.description ? { description: p.description } : {}), type: p.type };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: href(base, `${collectionPath(c)}/queryables`),
    type: 'object',
    title: c.title,
    description: `Queryables of ${c.id}: the names a filter (CQL2), a property filter (name=value) or sortby may use.`,
    properties,
    additionalProperties: false,
  };
}
