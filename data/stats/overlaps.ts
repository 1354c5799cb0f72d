/**
 * Which RegSO overlap which of Polisen's utsatta områden, and by how much: the share of each area's own area
 * inside the polygon, computed in SWEREF 99 TM (metres, equal-area enough at this scale) with polygon-clipping.
 * A figure for an utsatt område is then the areas' figures weighted by these shares. Computed once per dataset.
 */
import type { Geometry, MultiPolygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import type { Dataset } from '../dataset.ts';
import { visibleLayers, type Role } from '../disclosure.ts';
import { publishedProperties, type Layer, type LayerFeature } from '../layers.ts';
import { totalArea } from '../validate/geometry.ts';

/** The id of the layer holding Polisen's utsatta områden in a manifest. */
export const UTSATTA_LAYER_ID = 'utsatta-omraden';

/** Overlaps below this share of an area are slivers where borders drawn at different scales meet: ignored. */
export const MIN_OVERLAP_SHARE = 0.001;

export interface UtsattOverlap {
  feature: LayerFeature;
  /** Published properties of the feature (namn, kategori, ort, …). */
  properties: Record<string, unknown>;
  /** RegSO code → share of the area's area inside the utsatt område (0–1]. */
  shares: Map<string, number>;
}

const cache = new WeakMap<Dataset, UtsattOverlap[] | null>();

/** The layer of utsatta områden, if the dataset has one and the role may see it. */
export function utsattaLayer(dataset: Dataset, role: Role): Layer | undefined {
  return visibleLayers(dataset, role).find((l) => l.id === UTSATTA_LAYER_ID);
}

/** The overlaps of every utsatt område with the areas; null if the dataset has no such layer. */
export function utsattOverlaps(dataset: Dataset): UtsattOverlap[] | null {
  if (!cache.has(dataset)) cache.set(dataset, computeOverlaps(dataset));
  return cache.get(dataset)!;
}

type Box = [number, number, number, number];

function computeOverlaps(dataset: Dataset): UtsattOverlap[] | null {
  const layer = dataset.layers.find((l) => l.id === UTSATTA_LAYER_ID);
  if (!layer) return null;
  const areas = dataset.areas.map((a) => ({ code: a.regsokod, geom: a.sweref99tm.coordinates as Geom, box: boxOf(a.sweref99tm.coordinates.flat(2)), size: totalArea(a.sweref99tm.coordinates) }));
  return layer.features.flatMap((feature) => {
    const polygons = polygonsOf(feature.sweref99tm);
    if (polygons === null) return [];
    const box = boxOf(polygons.coordinates.flat(2));
    const shares = new Map<string, number>();
    for (const a of areas) {
      if (!boxesMeet(box, a.box) || a.size === 0) continue;
      const share = totalArea(polygonClipping.intersection(a.geom, polygons.coordinates as Geom)) / a.size;
      if (share >= MIN_OVERLAP_SHARE) shares.set(a.code, Math.min(1, share));
    }
    return [{ feature, properties: publishedProperties(layer, feature), shares }];
  });
}

function polygonsOf(geometry: Geometry): MultiPolygon | null {
  if (geometry.type === 'MultiPolygon') return geometry;
  if (geometry.type === 'Polygon') return { type: 'MultiPolygon', coordinates: [geometry.coordinates] };
  return null;
}

function boxOf(positions: Position[]): Box {
  const b: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of positions) {
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
  }
  return b;
}

function boxesMeet(a: Box, b: Box): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}
