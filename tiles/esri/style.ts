/**
 * The default style of an Esri vector tile service (`resources/styles/root.json`): a Mapbox GL style v8 whose one
 * source is the service itself, relative to the style (`../../`, as ArcGIS writes it), with the same layers as the
 * MapLibre style of the tileset's year. No sprite and no glyphs: the style has no symbols.
 */
import type { Dataset } from '../../data/dataset.ts';
import type { YearAttributes } from '../attributes.ts';
import { styleLayers } from '../style/documents.ts';
import type { StyleDocument } from '../style/maplibre.ts';
import { TILESET_PREFIX } from '../tilesets.ts';
import { STYLE_SOURCE_ID, STYLE_SOURCE_URL, type EsriService } from './services.ts';

export function esriStyle(dataset: Dataset, service: EsriService, attributes: YearAttributes): StyleDocument {
  const request = { theme: TILESET_PREFIX, year: service.tileset.year };
  return {
    version: 8,
    name: service.name,
    metadata: { 'regso-tiles:theme': request.theme, 'regso-tiles:year': request.year, 'regso-tiles:synthetic': false },
    sources: { [STYLE_SOURCE_ID]: { type: 'vector', url: STYLE_SOURCE_URL, attribution: dataset.attribution } },
    layers: styleLayers(dataset, request, attributes, STYLE_SOURCE_ID),
  };
}
