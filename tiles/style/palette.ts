/**
 * Every colour the project draws with: the one source of truth for MapLibre styles, the Esri root.json, QGIS and
 * the viewer. Colour-blind safe (ColorBrewer schemes marked safe for deuteranopia, protanopia and tritanopia).
 */

/** Områdestyp 1–5, ColorBrewer RdYlBu (5 classes): red = great socioeconomic challenges, blue = very good conditions. */
export const OMRADESTYP_COLORS: Record<1 | 2 | 3 | 4 | 5, string> = {
  1: '#d7191c',
  2: '#fdae61',
  3: '#ffffbf',
  4: '#abd9e9',
  5: '#2c7bb6',
};

/** The types' names live with the data (data/area-types.ts); re-exported for the styles. */
export { OMRADESTYP_NAMES } from '../../data/area-types.ts';

/** Choropleth classes, low to high: ColorBrewer YlOrRd (5 classes). */
export const CHOROPLETH_COLORS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const;

/** Areas without a value (suppressed or missing). */
export const NO_DATA_COLOR = '#d9d9d9';

export const KOMMUN_LINE_COLOR = '#404040';
export const UTSATT_LINE_COLOR = '#7b3294';
export const AREA_OUTLINE_COLOR = '#ffffff';
/** The viewer's hover and selection outline: black reads against every fill of both schemes. */
export const HIGHLIGHT_COLOR = '#000000';
