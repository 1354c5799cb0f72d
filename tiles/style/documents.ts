/**
 * The styles served at /styles/{id}.json: `omradestyper` and one choropleth per visible metric, each for the
 * latest year or for a year (`omradestyper-2022`, `brott_totalt-2023`).
 */
import type { Dataset } from '../../data/dataset.ts';
import { canSee, visibleLayers, type Role } from '../../data/disclosure.ts';
import type { YearAttributes } from '../attributes.ts';
import { AREA_LAYER, areaMetrics } from '../attributes.ts';
import { TILESET_PREFIX } from '../tilesets.ts';
import { choroplethLayers, mappedField, omradestypLayers, overlayLayers, quantileBreaks, SOURCE_ID, type StyleDocument, type StyleLayer } from './maplibre.ts';

export interface StyleRequest {
  /** `omradestyper` or a metric id. */
  theme: string;
  year: number;
}

/** Parses a style id; null if it names no theme or year of the dataset (or a metric the role may not see). */
export function parseStyleId(dataset: Dataset, id: string, role: Role): StyleRequest | null {
  const m = /^(.+?)(?:-(\d{4}))?$/.exec(id);
  if (!m) return null;
  const year = m[2] ? Number(m[2]) : Math.max(...dataset.years);
  if (!dataset.years.includes(year)) return null;
  if (m[1] === TILESET_PREFIX) return { theme: m[1], year };
  const metric = dataset.catalog.find((c) => c.id === m[1]);
  if (!metric || metric.level !== 'regso' || !canSee(role, metric) || !metric.years.includes(year)) return null;
  return { theme: metric.id, year };
}

export function styleIds(dataset: Dataset, role: Role): string[] {
  const themes = [TILESET_PREFIX, ...dataset.catalog.filter((m) => m.level === 'regso' && canSee(role, m)).map((m) => m.id)];
  return themes.flatMap((t) => [t, ...dataset.years.map((y) => `${t}-${y}`)]);
}

/** `tileJsonUrl` is where the style's source finds its TileJSON. */
export function styleDocument(dataset: Dataset, request: StyleRequest, attributes: YearAttributes, tileJsonUrl: string): StyleDocument {
  const metric = themeMetric(dataset, request, attributes.role);
  return {
    version: 8,
    name: metric ? `${metric.label.sv} ${request.year}` : `Områdestyper ${request.year}`,
    metadata: { 'regso-tiles:theme': request.theme, 'regso-tiles:year': request.year, 'regso-tiles:synthetic': metric?.synthetic ?? false },
    sources: { [SOURCE_ID]: { type: 'vector', url: tileJsonUrl, attribution: dataset.attribution } },
    layers: styleLayers(dataset, request, attributes, SOURCE_ID),
  };
}

/**
 * The layers of a theme drawn from `source`: the fills, then the outlines. Every style of the project (MapLibre's and
 * the Esri services' root.json) is made of these, so they draw the same classes in the same colours.
 */
export function styleLayers(dataset: Dataset, request: StyleRequest, attributes: YearAttributes, source: string): StyleLayer[] {
  const layers = visibleLayers(dataset, attributes.role);
  const kommun = layers.find((l) => l.id === dataset.kommunLayer?.layer) ?? null;
  const others = layers.filter((l) => l.id !== dataset.kommunLayer?.layer);
  const metric = themeMetric(dataset, request, attributes.role);
  const fills = metric ? choroplethLayers(source, metric, breaksOf(attributes, mappedField(metric))) : omradestypLayers(source);
  return [...fills, ...overlayLayers(source, kommun, others)];
}

function themeMetric(dataset: Dataset, request: StyleRequest, role: Role) {
  return areaMetrics(dataset, role, request.year).find((m) => m.id === request.theme);
}

function breaksOf(attributes: YearAttributes, field: string): number[] {
  const values: number[] = [];
  for (const tags of attributes.layers.get(AREA_LAYER)!.values()) {
    if (tags.regsokod !== undefined && typeof tags[field] === 'number') values.push(tags[field] as number);
  }
  return quantileBreaks(values);
}
