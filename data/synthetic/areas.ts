/**
 * Synthetic RegSO polygons: a kommun's real polygon cut into as many pieces as it has RegSO. The pieces are
 * Voronoi cells of seeded points clipped to the kommun, so they cover it without overlap and neighbours share
 * their border exactly. Seeds are denser around the kommun's centre, as urban RegSO are small and rural ones
 * large, and the RegSO with the most DeSO (the most people) get the central cells.
 */
import { Delaunay } from 'd3-delaunay';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type Pair, type Polygon as ClipPolygon, type Ring } from 'polygon-clipping';
import { PolygonSampler } from './polygon-sampler.ts';
import { deriveRng, type Rng } from './random.ts';

export interface KommunShape {
  kommunkod: string;
  /** EPSG:3006 metres. */
  geometry: Polygon | MultiPolygon;
}

export interface AreaToSplit {
  regsokod: string;
  /** Number of DeSO in the RegSO (1–13), a proxy for its population. */
  nDeso: number;
}

/** Output coordinates are multiples of 0.1 m: stable text, small files, far below the data's accuracy. */
const ROUND_FACTOR = 10;
/** Density samples per area for the relaxation; more gives smoother cells, at linear cost. */
const SAMPLES_PER_AREA = 40;
const MIN_SAMPLES = 2000;
/**
 * The settlement density is a uniform cover plus a core around the centre whose density falls off as
 * (1 + r²/s²)⁻², so cells grow gradually from the town outwards instead of jumping from town to wilderness.
 * The scale s is relative to √(kommun area) but capped, as a town's size follows its population rather than
 * its kommun's area (Kiruna's town is small, its kommun huge).
 */
const CORE_SHARE = 0.6;
const CORE_SCALE = 0.08;
const MAX_CORE_SCALE_M = 2000;
/** Uniform candidates for the centre: the one nearest the main part's centroid becomes the centre. */
const CENTRE_CANDIDATES = 256;
const LLOYD_ITERATIONS = 6;
/** A piece smaller than this share of the mean piece counts as missing: it could not hold incidents. */
const MIN_PIECE_SHARE = 1e-3;
const MAX_ATTEMPTS = 10;

function round(v: number): number {
  return Math.round(v * ROUND_FACTOR) / ROUND_FACTOR;
}

/** Signed shoelace area (positive for counter-clockwise rings). */
function ringArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}

/** Rounds a ring and drops the repeated points rounding creates; null if nothing with area is left. */
function roundRing(ring: readonly Position[]): Pair[] | null {
  const out: Pair[] = [];
  for (const p of ring) {
    const q: Pair = [round(p[0]), round(p[1])];
    const last = out[out.length - 1];
    if (last === undefined || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  if (out[0][0] !== out[out.length - 1][0] || out[0][1] !== out[out.length - 1][1]) out.push([out[0][0], out[0][1]]);
  return out.length >= 4 && ringArea(out) !== 0 ? out : null;
}

/** Rounds every ring; a polygon whose outer ring collapses is dropped, a collapsed hole just disappears. */
function roundPolygons(polygons: readonly (readonly (readonly Position[])[])[]): ClipPolygon[] {
  const out: ClipPolygon[] = [];
  for (const rings of polygons) {
    const [outer, ...holes] = rings.map(roundRing);
    if (outer) out.push([outer, ...holes.filter((h): h is Ring => h !== null)]);
  }
  return out;
}

function polygonsOf(geometry: Polygon | MultiPolygon): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Area-weighted centroid of the outer ring of the polygon with the largest area (the kommun's main part). */
function mainCentroid(polygons: readonly ClipPolygon[]): Pair {
  const outer = polygons.map((p) => p[0]).reduce((a, b) => (Math.abs(ringArea(b)) > Math.abs(ringArea(a)) ? b : a));
  let cx = 0;
  let cy = 0;
  for (let i = 0; i + 1 < outer.length; i++) {
    const cross = outer[i][0] * outer[i + 1][1] - outer[i + 1][0] * outer[i][1];
    cx += (outer[i][0] + outer[i + 1][0]) * cross;
    cy += (outer[i][1] + outer[i + 1][1]) * cross;
  }
  const area6 = 6 * ringArea(outer);
  return [cx / area6, cy / area6];
}

/** The centre of settlement: a point inside the kommun near its main part's centroid (which may be in water). */
function findCentre(rng: Rng, sampler: PolygonSampler, polygons: readonly ClipPolygon[]): Pair {
  const [cx, cy] = mainCentroid(polygons);
  let best: Pair = sampler.sample(rng);
  for (let i = 1; i < CENTRE_CANDIDATES; i++) {
    const p = sampler.sample(rng);
    if ((p[0] - cx) ** 2 + (p[1] - cy) ** 2 < (best[0] - cx) ** 2 + (best[1] - cy) ** 2) best = p;
  }
  return best;
}

interface DensitySamples {
  /** x, y interleaved. */
  points: Float64Array;
  /** The settlement density at each point (relative units). */
  weights: Float64Array;
}

/** Points from the settlement density (see CORE_SHARE), with the density at each. */
function densitySamples(rng: Rng, sampler: PolygonSampler, centre: Pair, count: number): DensitySamples {
  const scale = Math.min(CORE_SCALE * Math.sqrt(sampler.area), MAX_CORE_SCALE_M);
  const corePeak = CORE_SHARE / (Math.PI * scale * scale); // the core integrates to CORE_SHARE over the plane
  const uniformLevel = (1 - CORE_SHARE) / sampler.area;
  const points = new Float64Array(2 * count);
  const weights = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let p = sampler.sample(rng);
    if (rng.next() < CORE_SHARE) {
      // Inverse of the core's radial distribution 1 − 1/(1 + r²/s²); a draw off the kommun keeps the uniform point.
      const u = rng.next();
      const r = scale * Math.sqrt(u / (1 - u));
      const angle = 2 * Math.PI * rng.next();
      const x = centre[0] + r * Math.cos(angle);
      const y = centre[1] + r * Math.sin(angle);
      if (sampler.contains(x, y)) p = [x, y];
    }
    points[2 * i] = p[0];
    points[2 * i + 1] = p[1];
    const r2 = ((p[0] - centre[0]) ** 2 + (p[1] - centre[1]) ** 2) / (scale * scale);
    weights[i] = uniformLevel + corePeak / (1 + r2) ** 2;
  }
  return { points, weights };
}

/**
 * Lloyd relaxation (k-means) on the density samples, each weighted by the density again: plain k-means spreads
 * seeds as √density, which leaves a town with one or two cells; sampling and weighting by the density makes
 * seeds follow the density itself, so central cells come out small and outer cells large.
 * A mean outside the kommun (a bay between two arms of land) is replaced by the seed's sample nearest to it,
 * so seeds always stay strictly inside and every cell keeps a piece of the kommun.
 */
function relax(seeds: Float64Array, { points, weights }: DensitySamples, sampler: PolygonSampler): void {
  const n = seeds.length / 2;
  const owner = new Int32Array(weights.length);
  for (let iteration = 0; iteration < LLOYD_ITERATIONS; iteration++) {
    const delaunay = new Delaunay(seeds);
    const sums = new Float64Array(3 * n);
    let hint = 0;
    for (let s = 0; s < owner.length; s++) {
      hint = owner[s] = delaunay.find(points[2 * s], points[2 * s + 1], hint);
      sums[3 * hint] += weights[s] * points[2 * s];
      sums[3 * hint + 1] += weights[s] * points[2 * s + 1];
      sums[3 * hint + 2] += weights[s];
    }
    for (let i = 0; i < n; i++) {
      if (sums[3 * i + 2] === 0) continue;
      const mx = sums[3 * i] / sums[3 * i + 2];
      const my = sums[3 * i + 1] / sums[3 * i + 2];
      [seeds[2 * i], seeds[2 * i + 1]] = sampler.contains(mx, my) ? [mx, my] : nearestOwnSample(i, mx, my, points, owner);
    }
  }
}

function nearestOwnSample(seed: number, x: number, y: number, samples: Float64Array, owner: Int32Array): Pair {
  let best = -1;
  let bestDistance = Infinity;
  for (let s = 0; s < owner.length; s++) {
    if (owner[s] !== seed) continue;
    const d = (samples[2 * s] - x) ** 2 + (samples[2 * s + 1] - y) ** 2;
    if (d < bestDistance) [best, bestDistance] = [s, d];
  }
  return [samples[2 * best], samples[2 * best + 1]];
}

function boundsOf(polygons: readonly ClipPolygon[]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of polygons.flat(2)) {
    b[0] = Math.min(b[0], x);
    b[1] = Math.min(b[1], y);
    b[2] = Math.max(b[2], x);
    b[3] = Math.max(b[3], y);
  }
  return b;
}

/**
 * Each seed's Voronoi cell intersected with the kommun, or null where that leaves (almost) nothing. The cell
 * vertices are rounded before clipping: neighbouring cells share the very same vertex values, so their common
 * edge, and where the kommun border cuts it, come out identical in both pieces.
 */
function clipCells(seeds: Float64Array, kommun: ClipPolygon[], minArea: number): (ClipPolygon[] | null)[] {
  const [x0, y0, x1, y1] = boundsOf(kommun);
  const margin = Math.max(x1 - x0, y1 - y0); // the cells must reach well beyond the kommun to cover it
  const voronoi = new Delaunay(seeds).voronoi([x0 - margin, y0 - margin, x1 + margin, y1 + margin]);
  const pieces: (ClipPolygon[] | null)[] = [];
  for (let i = 0; i < seeds.length / 2; i++) {
    const cell = voronoi.cellPolygon(i); // null for a duplicate seed
    const ring = cell === null ? null : roundRing(cell);
    const piece = ring === null ? [] : roundPolygons(polygonClipping.intersection(kommun, [ring]));
    pieces.push(areaOf(piece) >= minArea ? piece : null);
  }
  return pieces;
}

function areaOf(polygons: readonly ClipPolygon[]): number {
  return polygons.flat().reduce((sum, ring) => sum + ringArea(ring), 0);
}

/** Seed indices from the centre outwards (ties by position, so the order never depends on the sort algorithm). */
function seedsByDistance(seeds: Float64Array, centre: Pair): number[] {
  const distance = (i: number) => (seeds[2 * i] - centre[0]) ** 2 + (seeds[2 * i + 1] - centre[1]) ** 2;
  return Array.from({ length: seeds.length / 2 }, (_, i) => i).sort(
    (a, b) => distance(a) - distance(b) || seeds[2 * a] - seeds[2 * b] || seeds[2 * a + 1] - seeds[2 * b + 1],
  );
}

/** Most DeSO first, then by code: the order in which areas take cells from the centre outwards. */
function areasByWeight(areas: readonly AreaToSplit[]): AreaToSplit[] {
  return [...areas].sort((a, b) => b.nDeso - a.nDeso || (a.regsokod < b.regsokod ? -1 : a.regsokod > b.regsokod ? 1 : 0));
}

function toGeoJson(polygons: ClipPolygon[]): Polygon | MultiPolygon {
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
}

/** One seeded try: the pieces in centre-outwards order, or null if some seed got no usable piece. */
function trySplit(rng: Rng, kommun: ClipPolygon[], sampler: PolygonSampler, n: number): ClipPolygon[][] | null {
  const centre = findCentre(rng, sampler, kommun);
  const samples = densitySamples(rng, sampler, centre, Math.max(MIN_SAMPLES, SAMPLES_PER_AREA * n));
  const seeds = samples.points.slice(0, 2 * n); // samples are independent draws, so the first n are a random start
  relax(seeds, samples, sampler);
  const pieces = clipCells(seeds, kommun, (MIN_PIECE_SHARE * sampler.area) / n);
  const ordered = seedsByDistance(seeds, centre).map((i) => pieces[i]);
  return ordered.every((p) => p !== null) ? (ordered as ClipPolygon[][]) : null;
}

/**
 * Splits the kommun into exactly `areas.length` non-overlapping pieces covering it, keyed by regsokod in the
 * order of `areas`. Deterministic in (seed, kommunkod, areas): the result does not depend on other kommuner.
 */
export function splitKommun(
  seed: number,
  kommun: KommunShape,
  areas: readonly AreaToSplit[],
): Map<string, Polygon | MultiPolygon> {
  if (areas.length === 0) throw new RangeError(`kommun ${kommun.kommunkod}: nothing to split into`);
  if (new Set(areas.map((a) => a.regsokod)).size !== areas.length) {
    throw new RangeError(`kommun ${kommun.kommunkod}: duplicate regsokod among the areas to split`);
  }
  const shape = roundPolygons(polygonsOf(kommun.geometry));
  const sampler = new PolygonSampler({ type: 'MultiPolygon', coordinates: shape });
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pieces = trySplit(deriveRng(seed, `areas:${kommun.kommunkod}:${attempt}`), shape, sampler, areas.length);
    if (pieces === null) continue;
    const byCode = new Map(areasByWeight(areas).map((a, i) => [a.regsokod, toGeoJson(pieces[i])]));
    return new Map(areas.map((a) => [a.regsokod, byCode.get(a.regsokod)!]));
  }
  throw new Error(`kommun ${kommun.kommunkod}: no split into ${areas.length} usable pieces after ${MAX_ATTEMPTS} attempts`);
}
