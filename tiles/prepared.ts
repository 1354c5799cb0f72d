/**
 * The generalised geometry of every polygon layer and zoom band, prepared in a worker thread. Building a partition's
 * topology and generalising its bands takes seconds of CPU (more on a busy machine); done on the serving thread, a
 * reload or the first tiles after start-up stalled every request for that long. The worker reads the same build,
 * runs the same TileGeometry code and hands the results over packed in typed arrays: moved, not copied, and compact
 * to keep (a band's index is rebuilt from them after precompute dropped it).
 */
import { Worker } from 'node:worker_threads';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { WORKER_ENTRY } from '../data/build/build.ts';
import type { ZoomBand } from './generalise.ts';

export interface BandFeature {
  id: number;
  geometry: Polygon | MultiPolygon;
}

export type BandFeatures = readonly BandFeature[];

/** Features in typed arrays. Feature i has polygons polygonStart[i]…[i + 1], polygon p rings ringStart[p]…[p + 1]. */
export interface PackedFeatures {
  ids: Float64Array;
  /** 1 where the geometry is a MultiPolygon. */
  multi: Uint8Array;
  polygonStart: Uint32Array;
  ringStart: Uint32Array;
  /** Ring r has positions positionStart[r]…[r + 1]: x, y pairs in coords. */
  positionStart: Uint32Array;
  coords: Float64Array;
}

/** Packed features by bandKey. */
export type PreparedBands = Map<string, PackedFeatures>;

/** A layer's band; the dissolved areas also depend on the year's områdestyp. */
export function bandKey(layer: string, band: ZoomBand, year: number | null): string {
  return `${layer}/${band.minzoom}${year === null ? '' : `/${year}`}`;
}

export function pack(features: BandFeatures): PackedFeatures {
  const polygonsOf = (f: BandFeature): Position[][][] => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates);
  const polygons = features.flatMap(polygonsOf);
  const rings = polygons.flat();
  const packed: PackedFeatures = {
    ids: Float64Array.from(features, (f) => f.id),
    multi: Uint8Array.from(features, (f) => (f.geometry.type === 'MultiPolygon' ? 1 : 0)),
    polygonStart: starts(features.map((f) => polygonsOf(f).length)),
    ringStart: starts(polygons.map((p) => p.length)),
    positionStart: starts(rings.map((r) => r.length)),
    coords: new Float64Array(2 * rings.reduce((n, r) => n + r.length, 0)),
  };
  let at = 0;
  for (const ring of rings) for (const [x, y] of ring) (packed.coords[at++] = x), (packed.coords[at++] = y);
  return packed;
}

export function unpack(p: PackedFeatures): BandFeature[] {
  const ring = (r: number): Position[] => {
    const out: Position[] = [];
    for (let i = p.positionStart[r]; i < p.positionStart[r + 1]; i++) out.push([p.coords[2 * i], p.coords[2 * i + 1]]);
    return out;
  };
  const polygon = (q: number): Position[][] => range(p.ringStart[q], p.ringStart[q + 1]).map(ring);
  return Array.from(p.ids, (id, i) => {
    const polygons = range(p.polygonStart[i], p.polygonStart[i + 1]).map(polygon);
    return { id, geometry: p.multi[i] ? { type: 'MultiPolygon', coordinates: polygons } : { type: 'Polygon', coordinates: polygons[0] } };
  });
}

/** Offsets from counts: [0, c0, c0 + c1, …]. */
function starts(counts: number[]): Uint32Array {
  const out = new Uint32Array(counts.length + 1);
  counts.forEach((c, i) => (out[i + 1] = out[i] + c));
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** The buffers of prepared bands, to move them to another thread. */
export function transferList(bands: PreparedBands): ArrayBuffer[] {
  return [...bands.values()].flatMap((p) => [p.ids, p.multi, p.polygonStart, p.ringStart, p.positionStart, p.coords].map((a) => a.buffer as ArrayBuffer));
}

/** Prepares the bands of build `id` under `root` in a worker thread (prepare-worker.ts). */
export function prepareBandsInWorker(root: string, id: string): Promise<PreparedBands> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_ENTRY, { workerData: { module: new URL('./prepare-worker.ts', import.meta.url).href, root, id } });
    let bands: PreparedBands | undefined;
    worker.once('message', (message: PreparedBands) => (bands = message));
    worker.on('error', reject);
    worker.on('exit', (code) => (bands ? resolve(bands) : reject(new Error(`the tile geometry worker exited with code ${code} without a result`))));
  });
}
