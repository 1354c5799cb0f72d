/**
 * The geometry of every tile layer, shared by all years and roles: the areas generalised topologically per zoom
 * band (dissolved by kommun × områdestyp below DISSOLVE_BELOW_ZOOM, which depends on the year), one label point per
 * area, and the extra layers. Each is a geojson-vt index whose features carry only their numeric id; tags are
 * attached at encoding time from attributes.ts.
 *
 * Every grid (grid.ts) has its own indexes, cut in its plane (plane.ts) from the same generalised geometry: a grid's
 * level z takes the zoom band, the dissolving and the labels of Web Mercator zoom z + the plane's zoomOffset (the zoom
 * of about the same ground resolution in Sweden), so a SWEREF 99 TM tile shows what a Web Mercator tile of the same
 * scale shows.
 */
import GeoJSONVT from 'geojson-vt';
import polylabel from 'polylabel';
import type { Feature, FeatureCollection, Geometry, MultiPolygon } from 'geojson';
import type { Dataset } from '../data/dataset.ts';
import type { Layer } from '../data/layers.ts';
import { AREA_LAYER, DISSOLVE_BELOW_ZOOM, LABEL_LAYER, dissolvedId, layerFeatureId } from './attributes.ts';
import { PartitionTopology, ZOOM_BANDS, bandOf as generalisationBand, type PartitionFeature, type ZoomBand } from './generalise.ts';
import { WEB_MERCATOR_QUAD, type TileMatrixSet } from './grid.ts';
import { EXTENT } from './mvt.ts';
import { gridPlane, mapGeometry, type GridPlane } from './plane.ts';
import { bandKey, pack, unpack, type BandFeatures, type PreparedBands } from './prepared.ts';

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
  /** The generalised features of each layer and band, prepared (see prepared.ts) or made on first use. */
  private readonly bands: PreparedBands;
  /** Built only if a band is not prepared: the topology is the costliest step of all (seconds on a busy machine). */
  private areaTopology?: PartitionTopology;
  private readonly layerTopologies = new Map<string, PartitionTopology>();
  private readonly indexes = new Map<string, { index: GeoJSONVT; grid: string; maxLevel: number }>();

  constructor(
    private readonly dataset: Dataset,
    prepared?: PreparedBands,
  ) {
    this.bands = new Map(prepared);
  }

  /**
   * The generalised features of every polygon layer and zoom band (the dissolved areas of every year), as the tiles
   * need them: what a worker thread prepares for the serving thread (prepared.ts).
   */
  prepareBands(): PreparedBands {
    for (const band of ZOOM_BANDS) {
      // The dissolved bands differ by year; the others are one for all years.
      for (const year of isDissolved(AREA_LAYER, band) ? this.dataset.years : this.dataset.years.slice(0, 1)) this.bandFeatures(AREA_LAYER, band, year);
      for (const layer of this.polygonLayers()) this.bandFeatures(layer, band, 0);
    }
    return this.bands;
  }

  /** The layers a tile at level z of the grid has. */
  layerNames(z: number, grid: TileMatrixSet = WEB_MERCATOR_QUAD): string[] {
    const labels = z + gridPlane(grid).zoomOffset >= DISSOLVE_BELOW_ZOOM;
    return [AREA_LAYER, ...(labels ? [LABEL_LAYER] : []), ...this.dataset.layers.map((l) => l.tileLayer)];
  }

  /**
   * Drops the grid's indexes whose band ends at or above level `maxLevel`: their tiles are in the tile cache after a
   * precompute, and geojson-vt keeps every tile it ever cut. An index dropped is rebuilt if ever needed.
   */
  release(maxLevel: number, grid: TileMatrixSet = WEB_MERCATOR_QUAD): void {
    for (const [key, entry] of this.indexes) if (entry.grid === grid.id && entry.maxLevel <= maxLevel) this.indexes.delete(key);
  }

  /** The geojson-vt index of a layer at level z of a grid (year matters only for the dissolved areas). */
  index(layer: string, z: number, year: number, grid: TileMatrixSet = WEB_MERCATOR_QUAD): GeoJSONVT {
    const plane = gridPlane(grid);
    const band = bandOf(z + plane.zoomOffset);
    // The band's levels in this grid; geojson-vt need not index beyond MAX_ZOOM.
    const minLevel = Math.max(0, band.minzoom - plane.zoomOffset);
    const maxLevel = Math.min(band.maxzoom - plane.zoomOffset, MAX_ZOOM);
    const key = `${grid.id}/${bandKey(layer, band, isDissolved(layer, band) ? year : null)}`;
    let entry = this.indexes.get(key);
    if (!entry) {
      // indexMaxZoom: cut the whole band's first level up front only where that is few tiles; deeper, cut on demand.
      const indexMaxZoom = Math.min(minLevel, INDEX_MAX_ZOOM);
      const index = new GeoJSONVT(this.features(layer, band, year, plane), { maxZoom: maxLevel, indexMaxZoom, tolerance: TOLERANCE, extent: EXTENT, buffer: BUFFER });
      this.indexes.set(key, (entry = { index, grid: grid.id, maxLevel }));
    }
    return entry.index;
  }

  private features(layer: string, band: ZoomBand, year: number, plane: GridPlane): FeatureCollection {
    if (layer === LABEL_LAYER) return labelPoints(this.dataset, plane);
    const generalised = this.bandFeatures(layer, band, year);
    if (generalised) return collection(generalised, plane);
    const source = this.dataset.layers.find((l) => l.tileLayer === layer)!;
    return { type: 'FeatureCollection', features: source.features.map((f, i) => feature(layerFeatureId(source, i), mapGeometry(f.wgs84, plane.fromLonLat))) };
  }

  /** A polygon layer's features generalised for a band (kept); null for a layer without a topology (points, lines). */
  private bandFeatures(layer: string, band: ZoomBand, year: number): BandFeatures | null {
    const dissolved = isDissolved(layer, band);
    const key = bandKey(layer, band, dissolved ? year : null);
    const prepared = this.bands.get(key);
    if (prepared) return unpack(prepared);
    let features: BandFeatures;
    if (layer === AREA_LAYER) features = dissolved ? this.dissolvedAreas(band, year) : this.areas().simplified(band);
    else if (this.polygonLayers().includes(layer)) features = this.layerTopology(layer).simplified(band);
    else return null;
    this.bands.set(key, pack(features));
    return features;
  }

  private areas(): PartitionTopology {
    this.areaTopology ??= new PartitionTopology(this.dataset.areas.map((a) => ({ id: a.id, properties: { regsokod: a.regsokod, kommunkod: a.kommunkod }, geometry: a.wgs84 })));
    return this.areaTopology;
  }

  /** The extra layers made of polygons only, generalised like the areas: a partition too (kommuner) or disjoint. */
  private polygonLayers(): string[] {
    return this.dataset.layers.filter(isPolygonal).map((l) => l.tileLayer);
  }

  private layerTopology(name: string): PartitionTopology {
    let topology = this.layerTopologies.get(name);
    if (!topology) this.layerTopologies.set(name, (topology = new PartitionTopology(polygonFeatures(this.dataset.layers.find((l) => l.tileLayer === name)!))));
    return topology;
  }

  private dissolvedAreas(band: ZoomBand, year: number): PartitionFeature[] {
    const types = this.dataset.areaTypes.get(year);
    return this.areas().dissolved(
      band,
      (f) => {
        const typ = types?.get(f.properties.regsokod as string);
        return typ === undefined ? null : `${f.properties.kommunkod}-${typ}`;
      },
      (key) => ({ id: dissolvedId(key.slice(0, 4), Number(key.slice(5))), properties: {} }),
    );
  }
}

/** Below DISSOLVE_BELOW_ZOOM the areas are dissolved by kommun × områdestyp, which depends on the year. */
function isDissolved(layer: string, band: ZoomBand): boolean {
  return layer === AREA_LAYER && band.minzoom < DISSOLVE_BELOW_ZOOM;
}

/** The generalisation band of a Web Mercator zoom (z < 0: the first band). */
function bandOf(z: number): ZoomBand {
  return generalisationBand(Math.max(0, z));
}

function isPolygonal(layer: Layer): boolean {
  return layer.features.length > 0 && layer.features.every((f) => f.wgs84.type === 'Polygon' || f.wgs84.type === 'MultiPolygon');
}

function polygonFeatures(layer: Layer): PartitionFeature[] {
  return layer.features.map((f, i) => ({ id: layerFeatureId(layer, i), properties: {}, geometry: f.wgs84 as MultiPolygon }));
}

/** One point per area at the pole of inaccessibility of its largest part, found in metres (SWEREF 99 TM). */
const labelCache = new WeakMap<Dataset, [number, number][]>();
function labelPoints(dataset: Dataset, plane: GridPlane): FeatureCollection {
  let labels = labelCache.get(dataset);
  if (!labels) {
    labels = dataset.areas.map((a) => {
      const largest = a.sweref99tm.coordinates.reduce((best, p) => (ringArea(p[0]) > ringArea(best[0]) ? p : best));
      const [x, y] = polylabel(largest as [number, number][][], 10);
      return [x, y];
    });
    labelCache.set(dataset, labels);
  }
  return { type: 'FeatureCollection', features: labels.map((p, i) => feature(dataset.areas[i].id, { type: 'Point', coordinates: plane.fromSweref99tm(p) })) };
}

function ringArea(ring: number[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return Math.abs(sum / 2);
}

function feature(id: number, geometry: Geometry): Feature {
  return { type: 'Feature', id, properties: null, geometry };
}

function collection(features: BandFeatures, plane: GridPlane): FeatureCollection {
  return { type: 'FeatureCollection', features: features.map((f) => feature(f.id, mapGeometry(f.geometry, plane.fromLonLat))) };
}
