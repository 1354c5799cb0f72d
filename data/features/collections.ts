/**
 * The feature collections of a dataset, as OGC API – Features serves them: `regso` (one feature per area, with the
 * properties of one year) and one collection per extra layer of the manifest (by its id: `kommuner`,
 * `utsatta-omraden`, …). Everything a role may see is decided here, once per dataset, role and year, and cached
 * with the dataset object: a swapped-in build gets new collections, an old one is collected with its dataset.
 *
 * Properties follow the vector tiles' rules (data/features/published.ts): the same names, the same values, the same
 * disclosure control; where the tiles leave a suppressed figure out, a feature here has it as `null`, so every
 * feature of a collection has every property of the collection's schema.
 */
import type { Geometry, Position } from 'geojson';
import type { CatalogEntry, Dataset } from '../dataset.ts';
import { canSee, visibleLayers, type Role } from '../disclosure.ts';
import { publishedProperties, type Layer } from '../layers.ts';
import type { License } from '../manifest.ts';
import type { Bbox } from '../query/intersects.ts';
import { AREAS_COLLECTION } from './constants.ts';
import { areaFigures, kommunFigures, rateName } from './published.ts';

export type PropertyType = 'string' | 'integer' | 'number' | 'boolean';
export type PropertyValue = string | number | boolean | null;

export interface PropertySpec {
  name: string;
  type: PropertyType;
  title: string;
  description?: string;
}

/** A feature's geometry in both stored forms, with their boxes ([minx, miny, maxx, maxy], x = easting/longitude). */
export interface FeatureGeometry {
  sweref99tm: Geometry;
  wgs84: Geometry;
  bbox: { sweref99tm: Bbox; wgs84: Bbox };
}

export interface FeatureRecord {
  /** The feature id as it appears in URLs. */
  id: string;
  /** The id as GeoJSON writes it: the idField's number where it is an integer, else the string. */
  idValue: string | number;
  properties: Readonly<Record<string, PropertyValue>>;
  geometry: FeatureGeometry;
}

export type GeometryTypeName = 'Point' | 'MultiPoint' | 'LineString' | 'MultiLineString' | 'Polygon' | 'MultiPolygon' | 'Geometry';

export interface CollectionModel {
  id: string;
  title: string;
  description: string;
  attribution: string;
  /** The licence of the data, where its source names one. */
  license: License | null;
  /** The GeoJSON type of every feature's geometry, or `Geometry` where they differ. */
  geometryType: GeometryTypeName;
  /** The dataset layer the collection serves (its manifest id); null for the areas. */
  layer: string | null;
  /** Years with data (ascending): a feature carries the properties of one of them. Null: not temporal. */
  years: readonly number[] | null;
  /** Union of the features' boxes, in both stored forms. */
  bbox: { sweref99tm: Bbox; wgs84: Bbox };
  itemCount: number;
  /** Every property, in the order features list them. */
  properties: readonly PropertySpec[];
  /** The features in their default order (areas by regsokod, layer features as in the source), for a year of `years` (null when not temporal). */
  features(year: number | null): readonly FeatureRecord[];
  feature(id: string, year: number | null): FeatureRecord | undefined;
}

const cache = new WeakMap<Dataset, Map<Role, CollectionModel[]>>();

/** The collections a role sees in a dataset: `regso` first, then the layers in manifest order. */
export function collectionsOf(dataset: Dataset, role: Role): CollectionModel[] {
  let byRole = cache.get(dataset);
  if (!byRole) cache.set(dataset, (byRole = new Map()));
  let collections = byRole.get(role);
  if (!collections) {
    collections = [areasCollection(dataset, role)];
    const ids = new Set([AREAS_COLLECTION]);
    for (const layer of visibleLayers(dataset, role)) {
      const id = ids.has(layer.id) ? `layer-${layer.id}` : layer.id;
      ids.add(id);
      collections.push(layerCollection(dataset, layer, id, role));
    }
    byRole.set(role, collections);
  }
  return collections;
}

export function findCollection(dataset: Dataset, role: Role, id: string): CollectionModel | undefined {
  return collectionsOf(dataset, role).find((c) => c.id === id);
}

// ---------------------------------------------------------------------------------------------------------------
// regso

const AREA_PROPERTIES: PropertySpec[] = [
  { name: 'regsokod', type: 'string', title: 'RegSO-kod', description: "SCB's RegSO code (kommun code, R, serial)" },
  { name: 'regsonamn', type: 'string', title: 'RegSO-namn', description: 'Name of the area' },
  { name: 'kommunkod', type: 'string', title: 'Kommunkod', description: 'Four-digit kommun code' },
  { name: 'kommunnamn', type: 'string', title: 'Kommunnamn', description: 'Name of the kommun' },
  { name: 'lanskod', type: 'string', title: 'Länskod', description: 'Two-digit län code' },
  { name: 'year', type: 'integer', title: 'År', description: 'The year of the områdestyp and the figures (chosen with datetime; default the latest)' },
  { name: 'geom_source', type: 'string', title: 'Geometrins källa', description: 'Where the polygon comes from: scb (as published), derived (from SCB data) or synthetic (modelled)' },
  { name: 'omradestyp', type: 'integer', title: 'Områdestyp', description: "SCB's socioeconomic area type, 1 (major socioeconomic challenges) to 5 (very good conditions)" },
];

function areasCollection(dataset: Dataset, role: Role): CollectionModel {
  const geometries = dataset.areas.map((a) => featureGeometry(a.sweref99tm, a.wgs84));
  const metrics = dataset.catalog
    .filter((m) => m.level === 'regso' && canSee(role, m) && m.years.length > 0)
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'population' ? -1 : 1));
  const metricProperties: PropertySpec[] = [];
  for (const m of metrics) {
    metricProperties.push(metricSpec(m, m.id, metricValuesAreIntegers(dataset, m) ? 'integer' : 'number'));
    if (m.kind === 'count') {
      metricProperties.push({ name: rateName(m.id), type: 'number', title: `${m.label.sv} per 1 000 invånare`, description: `${m.label.en} per 1,000 inhabitants, one decimal${suppressionNote(m)}` });
    }
  }
  const properties = [...AREA_PROPERTIES, ...metricProperties];
  const byYear = new Map<number, FeatureRecord[]>();
  const indexByCode = new Map(dataset.areas.map((a, i) => [a.regsokod, i]));
  const latest = dataset.years[dataset.years.length - 1];

  const features = (year: number | null): FeatureRecord[] => {
    const y = year ?? latest;
    let records = byYear.get(y);
    if (records) return records;
    const types = dataset.areaTypes.get(y);
    const figures = areaFigures(dataset, y, role);
    records = dataset.areas.map((a, i) => {
      const props: Record<string, PropertyValue> = {
        regsokod: a.regsokod,
        regsonamn: a.regsonamn,
        kommunkod: a.kommunkod,
        kommunnamn: a.kommunnamn,
        lanskod: a.lanskod,
        year: y,
        geom_source: a.geomSource,
        omradestyp: types?.get(a.regsokod) ?? null,
      };
      const f = figures.get(a.regsokod);
      for (const spec of metricProperties) props[spec.name] = f?.[spec.name] ?? null;
      return { id: a.regsokod, idValue: a.regsokod, properties: props, geometry: geometries[i] };
    });
    byYear.set(y, records);
    return records;
  };

  return {
    id: AREAS_COLLECTION,
    title: 'RegSO – regionala statistikområden',
    description: `${dataset.title.sv}. One feature per RegSO area (${dataset.areas.length}): its områdestyp and published figures of one year (${dataset.years.join(', ')}; choose with datetime, default the latest).`,
    attribution: dataset.attribution,
    license: dataset.license,
    geometryType: 'MultiPolygon',
    layer: null,
    years: dataset.years,
    bbox: unionBbox(geometries),
    itemCount: dataset.areas.length,
    properties,
    features,
    feature(id, year) {
      const i = indexByCode.get(id);
      return i === undefined ? undefined : features(year)[i];
    },
  };
}

function metricSpec(m: CatalogEntry, name: string, type: PropertyType, titleSuffix = ''): PropertySpec {
  const synthetic = m.synthetic ? ' Synthetic data.' : '';
  return {
    name,
    type,
    title: `${m.label.sv}${titleSuffix}`,
    description: `${m.label.en}${titleSuffix} (${m.unit.en}). ${m.definition.en} Source: ${m.source}.${synthetic}${suppressionNote(m)}`,
  };
}

function suppressionNote(m: CatalogEntry): string {
  return m.kind === 'count' ? ' Null where suppressed by disclosure control.' : '';
}

function metricValuesAreIntegers(dataset: Dataset, m: CatalogEntry): boolean {
  const table = (m.level === 'kommun' ? dataset.kommunMetrics : dataset.metrics).get(m.id);
  for (const byCode of table?.values() ?? []) for (const v of byCode.values()) if (!Number.isInteger(v)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// extra layers

function layerCollection(dataset: Dataset, layer: Layer, id: string, role: Role): CollectionModel {
  const isKommunLayer = dataset.kommunLayer?.layer === layer.id;
  const figures = isKommunLayer ? kommunFigures(dataset, role) : new Map<string, Record<string, number | null>>();
  const published = layer.features.map((f) => publishedProperties(layer, f));

  // The schema: every published property (in first-seen order) with its type, then the kommun-level figures.
  const types = new Map<string, Set<string>>();
  for (const props of published) {
    for (const [k, v] of Object.entries(props)) {
      let set = types.get(k);
      if (!set) types.set(k, (set = new Set()));
      if (v !== null && v !== undefined) set.add(valueKind(v));
    }
  }
  const properties: PropertySpec[] = [...types].map(([name, kinds]) => ({ name, type: propertyType(kinds), title: name }));
  if (isKommunLayer) {
    for (const m of dataset.catalog.filter((c) => c.level === 'kommun' && canSee(role, c))) {
      for (const year of m.years) properties.push(metricSpec(m, `${m.id}_${year}`, metricValuesAreIntegers(dataset, m) ? 'integer' : 'number', ` ${year}`));
    }
  }
  const typeOf = new Map(properties.map((p) => [p.name, p.type]));

  const records: FeatureRecord[] = layer.features.map((f, i) => {
    const props: Record<string, PropertyValue> = {};
    for (const [name] of types) props[name] = coerce(published[i][name], typeOf.get(name)!);
    if (isKommunLayer) {
      const own = figures.get(String(f.properties[dataset.kommunLayer!.codeField]));
      for (const p of properties) if (!(p.name in props)) props[p.name] = own?.[p.name] ?? null;
    }
    const raw = f.properties[layer.idField];
    const idValue = typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : f.id;
    return { id: f.id, idValue, properties: props, geometry: featureGeometry(f.sweref99tm, f.wgs84) };
  });
  const index = new Map(records.map((r, i) => [r.id, i]));
  const geometryTypes = new Set(layer.features.map((f) => f.wgs84.type));

  return {
    id,
    title: layer.title.sv,
    description: `${layer.title.en}. ${layer.features.length} features.`,
    attribution: layer.attribution,
    license: layer.license,
    geometryType: geometryTypes.size === 1 ? ([...geometryTypes][0] as GeometryTypeName) : 'Geometry',
    layer: layer.id,
    years: null,
    bbox: unionBbox(records.map((r) => r.geometry)),
    itemCount: records.length,
    properties,
    features: () => records,
    feature(featureId) {
      const i = index.get(featureId);
      return i === undefined ? undefined : records[i];
    },
  };
}

function valueKind(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  return 'string';
}

/** One type per property: integer and number make number; any other mix (or an object) makes string. */
function propertyType(kinds: Set<string>): PropertyType {
  if (kinds.size === 0) return 'string';
  if ([...kinds].every((k) => k === 'integer')) return 'integer';
  if ([...kinds].every((k) => k === 'integer' || k === 'number')) return 'number';
  if (kinds.size === 1 && kinds.has('boolean')) return 'boolean';
  return 'string';
}

function coerce(v: unknown, type: PropertyType): PropertyValue {
  if (v === null || v === undefined) return null;
  if (type === 'string') return typeof v === 'object' ? JSON.stringify(v) : String(v);
  return v as PropertyValue;
}

// ---------------------------------------------------------------------------------------------------------------
// geometry

function featureGeometry(sweref99tm: Geometry, wgs84: Geometry): FeatureGeometry {
  return { sweref99tm, wgs84, bbox: { sweref99tm: boxOf(sweref99tm), wgs84: boxOf(wgs84) } };
}

function boxOf(g: Geometry): Bbox {
  const b: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (typeof (c as Position)[0] === 'number') {
      const [x, y] = c as Position;
      if (x < b[0]) b[0] = x;
      if (y < b[1]) b[1] = y;
      if (x > b[2]) b[2] = x;
      if (y > b[3]) b[3] = y;
    } else for (const child of c as unknown[]) visit(child);
  };
  if (g.type === 'GeometryCollection') {
    for (const child of g.geometries) {
      const [x0, y0, x1, y1] = boxOf(child);
      visit([
        [x0, y0],
        [x1, y1],
      ]);
    }
  } else visit(g.coordinates);
  return b;
}

function unionBbox(geometries: readonly FeatureGeometry[]): { sweref99tm: Bbox; wgs84: Bbox } {
  const union = (boxes: Bbox[]): Bbox =>
    boxes.length === 0
      ? [0, 0, 0, 0]
      : [Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))];
  return { sweref99tm: union(geometries.map((g) => g.bbox.sweref99tm)), wgs84: union(geometries.map((g) => g.bbox.wgs84)) };
}
