/**
 * The geometry of every tile layer, shared by all years and roles: the areas generalised topologically per zoom
 * band (dissolved by kommun × områdestyp below DISSOLVE_BELOW_ZOOM, which depends on the year), one label point per
 * area, and the extra layers. Each is a geojson-vt index whose features carry only their numeric id; tags are
 * attached at encoding time from attributes.ts.
 */
import GeoJSONVT from 'geojson-vt';
import polylabel from 'polylabel';
import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import { toWgs84 } from '../data/crs.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Layer } from '../data/layers.ts';
import { AREA_LAYER, DISSOLVE_BELOW_ZOOM, LABEL_LAYER, dissolvedId, layerFeatureId } from './attributes.ts';
import { PartitionTopology, bandOf as generalisationBand, type PartitionFeature, type ZoomBand } from './generalise.ts';
import { EXTENT } from './mvt.ts';

/** Deepest zoom with its own tiles; clients overzoom beyond (TileJSON maxzoom). */
export const MAX_ZOOM = 14;

/**
 * geojson-vt's own simplification, off: the partition is already generalised per band, and geojson-vt simplifies
 * each ring on its own (and drops small rings), which reopened gaps between neighbours at the zooms below each band's
 * maxzoom (measured: 1.2 % of interior sample points at z0 with 0.5; 0 with 0). Tile sizes barely change.
 */
const TOLERANCE = 0;
const BUFFER = 64;
const INDEX_MAX_ZOOM = 6;

export class TileGeometry {
  private readonly areaTopology: PartitionTopology;
  private readonly layerTopologies = new Map<string, PartitionTopology>();
  private readonly indexes = new Map<string, GeoJSONVT>();

  constructor(private readonly dataset: Dataset) {
    this.areaTopology = new PartitionTopology(dataset.areas.map((a) => ({ id: a.id, properties: { regsokod: a.regsokod, kommunkod: a.kommunkod }, geometry: a.wgs84 })));
    for (const layer of dataset.layers) {
      const polygons = polygonFeatures(layer);
      if (polygons) this.layerTopologies.set(layer.tileLayer, new PartitionTopology(polygons));
    }
  }

  /** The layers a tile at zoom z has. */
  layerNames(z: number): string[] {
    const names = [AREA_LAYER, ...(z >= DISSOLVE_BELOW_ZOOM ? [LABEL_LAYER] : []), ...this.dataset.layers.map((l) => l.tileLayer)];
    return names;
  }

  /**
   * Drops the indexes of the bands that end at or above `maxzoom`'s band start: their tiles are in the tile cache
   * after a precompute, and geojson-vt keeps every tile it ever cut. An index dropped is rebuilt if ever needed.
   */
  release(maxzoom: number): void {
    for (const key of this.indexes.keys()) {
      const bandMax = Number(key.split('/')[2]);
      if (bandMax <= maxzoom) this.indexes.delete(key);
    }
  }

  /** The geojson-vt index of a layer at zoom z (year matters only for the dissolved areas). */
  index(layer: string, z: number, year: number): GeoJSONVT {
    const band = bandOf(z);
    const yearPart = layer === AREA_LAYER && z < DISSOLVE_BELOW_ZOOM ? year : '';
    const key = `${layer}/${band.minzoom}/${band.maxzoom}/${yearPart}`;
    let index = this.indexes.get(key);
    if (!index) {
      // indexMaxZoom: cut the whole band's first zoom up front only where that is few tiles; deeper, cut on demand.
      const indexMaxZoom = Math.min(band.minzoom, INDEX_MAX_ZOOM);
      index = new GeoJSONVT(this.features(layer, band, year), { maxZoom: band.maxzoom, indexMaxZoom, tolerance: TOLERANCE, extent: EXTENT, buffer: BUFFER });
      this.indexes.set(key, index);
    }
    return index;
  }

  private features(layer: string, band: ZoomBand, year: number): FeatureCollection {
    if (layer === AREA_LAYER) return collection(band.minzoom < DISSOLVE_BELOW_ZOOM ? this.dissolvedAreas(band, year) : this.areaTopology.simplified(band));
    if (layer === LABEL_LAYER) return labelPoints(this.dataset);
    const topology = this.layerTopologies.get(layer);
    if (topology) return collection(topology.simplified(band));
    const source = this.dataset.layers.find((l) => l.tileLayer === layer)!;
    return { type: 'FeatureCollection', features: source.features.map((f, i) => feature(layerFeatureId(source, i), f.wgs84)) };
  }

  private dissolvedAreas(band: ZoomBand, year: number): PartitionFeature[] {
    const types = this.dataset.areaTypes.get(year);
    return this.areaTopology.dissolved(
      band,
      (f) => {
        const typ = types?.get(f.properties.regsokod as string);
        return typ === undefined ? null : `${f.properties.kommunkod}-${typ}`;
      },
      (key) => ({ id: dissolvedId(key.slice(0, 4), Number(key.slice(5))), properties: {} }),
    );
  }
}

/** The generalisation band of a zoom, ending at MAX_ZOOM (geojson-vt need not index deeper). */
function bandOf(z: number): ZoomBand {
  const band = generalisationBand(z);
  return { minzoom: band.minzoom, maxzoom: Math.min(band.maxzoom, MAX_ZOOM) };
}

function polygonFeatures(layer: Layer): PartitionFeature[] | null {
  const polygonal = layer.features.every((f) => f.wgs84.type === 'Polygon' || f.wgs84.type === 'MultiPolygon');
  if (!polygonal || layer.features.length === 0) return null;
  return layer.features.map((f, i) => ({ id: layerFeatureId(layer, i), properties: {}, geometry: f.wgs84 as MultiPolygon }));
}

/** One point per area at the pole of inaccessibility of its largest part, found in metres (SWEREF 99 TM). */
const labelCache = new WeakMap<Dataset, FeatureCollection>();
function labelPoints(dataset: Dataset): FeatureCollection {
  let labels = labelCache.get(dataset);
  if (!labels) {
    labels = {
      type: 'FeatureCollection',
      features: dataset.areas.map((a) => {
        const largest = a.sweref99tm.coordinates.reduce((best, p) => (ringArea(p[0]) > ringArea(best[0]) ? p : best));
        const [x, y] = polylabel(largest as [number, number][][], 10);
        return feature(a.id, { type: 'Point', coordinates: toWgs84([x, y]) });
      }),
    };
    labelCache.set(dataset, labels);
  }
  return labels;
}

function ringArea(ring: number[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(sum / 2);
}

function feature(id: number, geometry: Geometry): Feature {
  return { type: 'Feature', id, properties: null, geometry };
}

function collection(features: PartitionFeature[]): FeatureCollection {
  return { type: 'FeatureCollection', features: features.map((f) => feature(f.id, f.geometry)) };
}
