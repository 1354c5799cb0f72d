/**
 * The map's style: the server's style document for a theme and year (/styles/{theme}-{year}.json: its fills, the
 * outlines and the legend in the layers' metadata) with the viewer's own marks added, and the tile source pinned to
 * the data version (`?v=`) so that a new version gets new TileJSON, and so new tile URLs, past every cache.
 */
import { apiUrl } from './http.js';

export const SOURCE = 'regso';
export const AREA_LAYER = 'regso';
export const MARKS_LAYER = 'viewer-marks';

/** Fetches the style of a theme and year and adds the hover/highlight outline (feature-state `hover`, `highlight`). */
export async function loadStyle(theme, year, version, palette) {
  const res = await fetch(apiUrl(`styles/${encodeURIComponent(`${theme}-${year}`)}.json`), { cache: 'no-cache' });
  if (!res.ok) throw new Error(`${res.status} style ${theme}-${year}`);
  const style = await res.json();
  const source = style.sources[SOURCE];
  const url = new URL(source.url);
  url.searchParams.set('v', version);
  source.url = url.href;
  style.layers.push({
    id: MARKS_LAYER,
    type: 'line',
    source: SOURCE,
    'source-layer': AREA_LAYER,
    paint: {
      'line-color': palette.highlight,
      'line-width': ['case', ['boolean', ['feature-state', 'highlight'], false], 3, ['boolean', ['feature-state', 'hover'], false], 2, 0],
    },
  });
  return style;
}

/** The fill layers that carry a legend entry, in drawing order. */
export function legendEntries(style) {
  return style.layers
    .filter((l) => l.metadata?.legend)
    .map((l) => ({ id: l.id, type: l.type, color: l.paint[l.type === 'fill' ? 'fill-color' : 'line-color'], label: l.metadata.legend, omradestyp: l.metadata.omradestyp ?? null, switchable: Boolean(l.metadata.switchable) }));
}

/** The property a choropleth maps (read from its class filters), or null for the områdestyp map. */
export function mappedField(style) {
  for (const layer of style.layers) {
    const test = layer.filter?.[1];
    if (layer.filter?.[0] === 'all' && Array.isArray(test) && test[1]?.[0] === 'get') return test[1][1];
  }
  return null;
}

/** [west, south, east, north] of a GeoJSON geometry. */
export function bboxOf(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1]);
    } else c.forEach(visit);
  };
  visit(geometry.coordinates);
  return box;
}
