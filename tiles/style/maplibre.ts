/**
 * MapLibre style v8 documents for the tilesets. Written so that QGIS's style converter reads them too: one fill
 * layer per class with a `filter` and a constant `fill-color` (QGIS turns `match`, `case`, `step` and
 * `interpolate` in paint properties into empty or wrong expressions), no sprites, and no labels until glyphs are
 * served locally (no outside requests on closed networks).
 */
import type { CatalogEntry } from '../../data/dataset.ts';
import { AREA_LAYER } from '../attributes.ts';
import { AREA_OUTLINE_COLOR, CHOROPLETH_COLORS, KOMMUN_LINE_COLOR, NO_DATA_COLOR, OMRADESTYP_COLORS, OMRADESTYP_NAMES, UTSATT_LINE_COLOR } from './palette.ts';

export interface StyleLayer {
  id: string;
  type: 'fill' | 'line';
  source: string;
  'source-layer': string;
  filter?: unknown[];
  layout?: Record<string, unknown>;
  paint: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface StyleDocument {
  version: 8;
  name: string;
  metadata: Record<string, unknown>;
  sources: Record<string, { type: 'vector'; url: string; attribution?: string }>;
  layers: StyleLayer[];
}

export const SOURCE_ID = 'regso';

/** One fill layer per områdestyp; the legend reads names and colours from the layers' metadata. */
export function omradestypLayers(source: string): StyleLayer[] {
  return ([1, 2, 3, 4, 5] as const).map((typ) => ({
    id: `omradestyp-${typ}`,
    type: 'fill',
    source,
    'source-layer': AREA_LAYER,
    filter: ['==', ['get', 'omradestyp'], typ],
    paint: { 'fill-color': OMRADESTYP_COLORS[typ], 'fill-opacity': 0.85 },
    metadata: { legend: OMRADESTYP_NAMES[typ], omradestyp: typ },
  }));
}

/**
 * Choropleth of a metric: a no-data base, then one layer per class of [breaks[i], breaks[i+1]). Counts are mapped as
 * rates per 1,000 inhabitants (comparable across areas of different size); a population metric as it is.
 */
export function choroplethLayers(source: string, metric: CatalogEntry, breaks: number[]): StyleLayer[] {
  const field = mappedField(metric);
  const classes = breaks.slice(0, -1).map((low, i) => {
    const high = breaks[i + 1];
    const last = i === breaks.length - 2;
    return {
      id: `${metric.id}-${i + 1}`,
      type: 'fill' as const,
      source,
      'source-layer': AREA_LAYER,
      filter: ['all', ['>=', ['get', field], low], [last ? '<=' : '<', ['get', field], high]],
      paint: { 'fill-color': CHOROPLETH_COLORS[i], 'fill-opacity': 0.85 },
      metadata: { legend: { sv: `${format(low)}–${format(high)}`, en: `${format(low)}–${format(high)}` } },
    };
  });
  const noData: StyleLayer = {
    id: `${metric.id}-no-data`,
    type: 'fill',
    source,
    'source-layer': AREA_LAYER,
    paint: { 'fill-color': NO_DATA_COLOR, 'fill-opacity': 0.85 },
    metadata: { legend: { sv: 'Uppgift saknas eller skyddad', en: 'No value or suppressed' } },
  };
  return [noData, ...classes];
}

export function mappedField(metric: CatalogEntry): string {
  return metric.kind === 'count' ? `${metric.id}_per_1000` : metric.id;
}

function format(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** What an overlay needs of a dataset layer: its tile layer and its title (for the legend and layer switches). */
export interface OverlaySource {
  tileLayer: string;
  title: { sv: string; en: string };
}

/**
 * Outlines drawn over the fills: areas, kommun borders, and the other layers (e.g. utsatta områden). All visible: QGIS's
 * converter ignores `visibility: none`, so a hidden layer would show in QGIS and not in MapLibre; viewers switch them
 * (the other layers are marked `switchable` in their metadata, with their title as `legend`).
 */
export function overlayLayers(source: string, kommunLayer: OverlaySource | null, otherLayers: OverlaySource[]): StyleLayer[] {
  const layers: StyleLayer[] = [
    { id: 'regso-outline', type: 'line', source, 'source-layer': AREA_LAYER, paint: { 'line-color': AREA_OUTLINE_COLOR, 'line-width': 0.5, 'line-opacity': 0.6 } },
  ];
  if (kommunLayer) {
    layers.push({ id: 'kommun-outline', type: 'line', source, 'source-layer': kommunLayer.tileLayer, paint: { 'line-color': KOMMUN_LINE_COLOR, 'line-width': 1.2 }, metadata: { legend: kommunLayer.title } });
  }
  for (const layer of otherLayers) {
    layers.push({
      id: `${layer.tileLayer}-outline`,
      type: 'line',
      source,
      'source-layer': layer.tileLayer,
      paint: { 'line-color': UTSATT_LINE_COLOR, 'line-width': 2.5 },
      metadata: { legend: layer.title, switchable: true },
    });
  }
  return layers;
}

/** Class breaks: quantiles of the values (5 classes), rounded to one decimal and made strictly increasing. */
export function quantileBreaks(values: number[], classes = CHOROPLETH_COLORS.length): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [0, 1];
  const breaks = [sorted[0]];
  for (let i = 1; i < classes; i++) breaks.push(Math.round(sorted[Math.floor((i * (sorted.length - 1)) / classes)] * 10) / 10);
  breaks.push(sorted[sorted.length - 1]);
  return breaks.filter((b, i) => i === 0 || b > breaks[i - 1]);
}
