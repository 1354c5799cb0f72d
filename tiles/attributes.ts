/**
 * What each tile layer says about its features, per year and role: the properties (tags) by feature id, with
 * disclosure control applied. Geometry is shared by all years and roles (see geometry.ts); only this differs.
 */
import type { Area } from '../data/areas.ts';
import type { CatalogEntry, Dataset } from '../data/dataset.ts';
import { areaGroups, blockGroups, blockKey, blockRules, blockTotals, publishCounts, visibleLayers, type GroupOf, type NestedRules, type Role } from '../data/disclosure.ts';
import { areaMetrics, kommunFigures, publishFigures } from '../data/features/published.ts';
import { publishedProperties, type Layer } from '../data/layers.ts';

/** Which metrics a role sees: shared with OGC API – Features (data/features/published.ts), re-exported here. */
export { areaMetrics, kommunMetrics } from '../data/features/published.ts';

export type Tags = Record<string, string | number | boolean>;
export type LayerTags = Map<number, Tags>;

/** The tile layers made from the areas; extra layers keep their own tile layer names. */
export const AREA_LAYER = 'regso';
export const LABEL_LAYER = 'regso_label';

/** Below this zoom the areas are dissolved by kommun and områdestyp (see geometry.ts). */
export const DISSOLVE_BELOW_ZOOM = 7;

/** Id of a dissolved kommun × områdestyp polygon: kommun code × 10 + type (1480 typ 1 → 14801); never an area id. */
export function dissolvedId(kommunkod: string, omradestyp: number): number {
  return Number(kommunkod) * 10 + omradestyp;
}

/** Numeric tile id of an extra layer's feature: its id if numeric (kommun "0114" → 114), else its position + 1. */
export function layerFeatureId(layer: Layer, index: number): number {
  const id = layer.features[index].id;
  return /^\d{1,15}$/.test(id) ? Number(id) : index + 1;
}

export interface YearAttributes {
  year: number;
  role: Role;
  /** tile layer name → feature id → tags */
  layers: Map<string, LayerTags>;
}

export function yearAttributes(dataset: Dataset, year: number, role: Role): YearAttributes {
  const layers = new Map<string, LayerTags>();
  const areaTags = areaAttributes(dataset, year, role);
  layers.set(AREA_LAYER, new Map([...areaTags, ...dissolvedAttributes(dataset, year, role)]));
  layers.set(LABEL_LAYER, labelAttributes(dataset.areas, areaTags));
  for (const layer of visibleLayers(dataset, role)) layers.set(layer.tileLayer, extraLayerAttributes(dataset, layer, role));
  return { year, role, layers };
}

function areaAttributes(dataset: Dataset, year: number, role: Role): LayerTags {
  const types = dataset.areaTypes.get(year);
  const tags: LayerTags = new Map();
  const idOf = new Map<string, number>();
  for (const a of dataset.areas) {
    const t: Tags = { regsokod: a.regsokod, regsonamn: a.regsonamn, kommunkod: a.kommunkod, kommunnamn: a.kommunnamn, lanskod: a.lanskod, year, geom_source: a.geomSource };
    const typ = types?.get(a.regsokod);
    if (typ !== undefined) t.omradestyp = typ;
    tags.set(a.id, t);
    idOf.set(a.regsokod, a.id);
  }
  const values = (metric: CatalogEntry) => dataset.metrics.get(metric.id)?.get(year);
  addMetrics(areaMetrics(dataset, role, year), values, role, areaGroups(dataset, year), tags, idOf);
  return tags;
}

/**
 * Dissolved kommun × områdestyp polygons carry their group's totals. Totals are cells too: suppressed when small or
 * when they would reveal a suppressed area, with complementary suppression across the kommun and the type
 * (data/disclosure.ts blockRules; /stats publishes the same block totals).
 */
function dissolvedAttributes(dataset: Dataset, year: number, role: Role): LayerTags {
  const types = dataset.areaTypes.get(year);
  const groups = new Map<string, Area[]>();
  for (const a of dataset.areas) {
    const typ = types?.get(a.regsokod);
    if (typ === undefined) continue;
    const key = blockKey(a.kommunkod, typ);
    const members = groups.get(key);
    if (members) members.push(a);
    else groups.set(key, [a]);
  }
  const tags: LayerTags = new Map();
  const idOf = new Map<string, number>();
  for (const [key, members] of groups) {
    const typ = Number(key.slice(5));
    const first = members[0];
    const sources = new Set(members.map((m) => m.geomSource));
    const id = dissolvedId(first.kommunkod, typ);
    tags.set(id, { kommunkod: first.kommunkod, kommunnamn: first.kommunnamn, lanskod: first.lanskod, year, omradestyp: typ, n_areas: members.length, geom_source: sources.size === 1 ? first.geomSource : 'mixed' });
    idOf.set(key, id);
  }
  const rawOf = (metric: CatalogEntry) => dataset.metrics.get(metric.id)?.get(year);
  const values = (metric: CatalogEntry) => {
    const raw = rawOf(metric);
    return raw && blockTotals(dataset, year, raw);
  };
  const nested = (metric: CatalogEntry) => {
    const raw = rawOf(metric);
    return raw && blockRules(dataset, year, publishCounts(raw, metric, role, areaGroups(dataset, year)));
  };
  addMetrics(areaMetrics(dataset, role, year), values, role, blockGroups, tags, idOf, nested);
  return tags;
}

/**
 * Adds every visible metric to the tags: the count (or population) and, for counts, the rate per 1,000
 * inhabitants, as data/features/published.ts publishes them. Suppressed values are left out (MVT has no null);
 * the population metric must come first.
 */
function addMetrics(
  metrics: CatalogEntry[],
  valuesOf: (metric: CatalogEntry) => ReadonlyMap<string, number> | undefined,
  role: Role,
  groups: GroupOf[],
  tags: LayerTags,
  idOf: ReadonlyMap<string, number>,
  nestedOf?: (metric: CatalogEntry) => NestedRules | undefined,
): void {
  for (const [code, figures] of publishFigures(metrics, valuesOf, role, groups, nestedOf)) {
    const t = tags.get(idOf.get(code)!);
    if (!t) continue;
    for (const [name, value] of Object.entries(figures)) if (value !== null) t[name] = value;
  }
}

function labelAttributes(areas: readonly Area[], areaTags: LayerTags): LayerTags {
  const tags: LayerTags = new Map();
  for (const a of areas) {
    const t = areaTags.get(a.id)!;
    tags.set(a.id, { regsokod: a.regsokod, regsonamn: a.regsonamn, ...(t.omradestyp !== undefined ? { omradestyp: t.omradestyp } : {}) });
  }
  return tags;
}

/** Extra layers: their published properties; the kommun layer also gets kommun-level metrics as `<id>_<year>`. */
function extraLayerAttributes(dataset: Dataset, layer: Layer, role: Role): LayerTags {
  const tags: LayerTags = new Map();
  const idOf = new Map<string, number>();
  layer.features.forEach((f, i) => {
    const t: Tags = {};
    for (const [k, v] of Object.entries(publishedProperties(layer, f))) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') t[k] = v;
    const id = layerFeatureId(layer, i);
    tags.set(id, t);
    if (dataset.kommunLayer?.layer === layer.id) idOf.set(String(f.properties[dataset.kommunLayer.codeField]), id);
  });
  if (dataset.kommunLayer?.layer !== layer.id) return tags;
  for (const [code, figures] of kommunFigures(dataset, role)) {
    const t = tags.get(idOf.get(code)!);
    if (!t) continue;
    for (const [name, value] of Object.entries(figures)) if (value !== null) t[name] = value;
  }
  return tags;
}
