/**
 * Uniform random points inside a (multi)polygon and a fast inside test, for seeding synthetic areas and placing
 * synthetic incidents. Real RegSO rings have up to ~1,000 vertices and millions of points are drawn, so a
 * per-point scan of every edge (or rejection from the bounding box, hopeless for thin or island-scattered
 * shapes) is too slow. Instead the shape is cut once into trapezoids between consecutive vertex y values:
 * drawing a point is then a binary search by area, and an inside test only looks at one horizontal slab.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Rng } from './random.ts';

/** Points closer than this to an edge count as outside, so callers never get a point on a border. */
const EDGE_MARGIN = 1e-6;

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Non-horizontal edges of all rings, oriented upwards (horizontal edges bound no slab interior). */
function collectEdges(rings: readonly (readonly Position[])[]): Edge[] {
  const edges: Edge[] = [];
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i];
      const [bx, by] = ring[i + 1];
      if (ay === by) continue;
      edges.push(ay < by ? { x0: ax, y0: ay, x1: bx, y1: by } : { x0: bx, y0: by, x1: ax, y1: ay });
    }
  }
  return edges.sort((p, q) => p.y0 - q.y0);
}

function xAt(edge: Edge, y: number): number {
  return edge.x0 + ((y - edge.y0) * (edge.x1 - edge.x0)) / (edge.y1 - edge.y0);
}

export class PolygonSampler {
  /** Area in the coordinates' unit squared (m² for EPSG:3006), counting holes and overlaps by the even–odd rule. */
  readonly area: number;
  /** Sorted distinct vertex y values: slab k lies between ys[k] and ys[k + 1]. */
  private readonly ys: Float64Array;
  /** Trapezoids of slab k are trapezoid indices slabStart[k] … slabStart[k + 1] − 1. */
  private readonly slabStart: Int32Array;
  private readonly trapSlab: Int32Array;
  /** Per trapezoid: left x at the slab's bottom and top, right x at bottom and top. */
  private readonly trapX: Float64Array;
  /** Running total of trapezoid areas, to pick a trapezoid with probability proportional to its area. */
  private readonly cumulativeArea: Float64Array;

  constructor(geometry: Polygon | MultiPolygon) {
    const rings = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
    const edges = collectEdges(rings);
    this.ys = Float64Array.from(new Set(edges.flatMap((e) => [e.y0, e.y1]))).sort();
    const slabs = Math.max(this.ys.length - 1, 0);
    this.slabStart = new Int32Array(slabs + 1);
    const trapSlab: number[] = [];
    const trapX: number[] = [];
    let active: Edge[] = [];
    let next = 0;
    for (let k = 0; k < slabs; k++) {
      const bottom = this.ys[k];
      const top = this.ys[k + 1];
      active = active.filter((e) => e.y1 > bottom);
      while (next < edges.length && edges[next].y0 === bottom) active.push(edges[next++]);
      // Edges of a valid polygon do not cross inside a slab, so their order at mid-height is their order
      // everywhere in it; by the even–odd rule consecutive pairs bound the inside.
      const mid = (bottom + top) / 2;
      const crossing = active.map((e) => ({ e, x: xAt(e, mid) })).sort((p, q) => p.x - q.x);
      for (let i = 0; i + 1 < crossing.length; i += 2) {
        const left = crossing[i].e;
        const right = crossing[i + 1].e;
        trapSlab.push(k);
        trapX.push(xAt(left, bottom), xAt(left, top), xAt(right, bottom), xAt(right, top));
      }
      this.slabStart[k + 1] = trapSlab.length;
    }
    this.trapSlab = Int32Array.from(trapSlab);
    this.trapX = Float64Array.from(trapX);
    this.cumulativeArea = new Float64Array(trapSlab.length);
    let total = 0;
    for (let t = 0; t < trapSlab.length; t++) {
      const height = this.ys[trapSlab[t] + 1] - this.ys[trapSlab[t]];
      total += (height * (trapX[4 * t + 2] - trapX[4 * t] + (trapX[4 * t + 3] - trapX[4 * t + 1]))) / 2;
      this.cumulativeArea[t] = total;
    }
    this.area = total;
  }

  /**
   * True if (x, y) is inside and not within EDGE_MARGIN of an edge. A point exactly on the height of a vertex
   * is reported outside: that is where horizontal edges and vertices lie, and it costs samplers nothing to
   * draw again.
   */
  contains(x: number, y: number): boolean {
    const ys = this.ys;
    if (!(y > ys[0] && y < ys[ys.length - 1])) return false;
    let lo = 0;
    let hi = ys.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (ys[mid] <= y) lo = mid;
      else hi = mid;
    }
    if (ys[lo] === y) return false;
    const t = (y - ys[lo]) / (ys[lo + 1] - ys[lo]);
    const trapX = this.trapX;
    for (let i = this.slabStart[lo]; i < this.slabStart[lo + 1]; i++) {
      const left = trapX[4 * i] + t * (trapX[4 * i + 1] - trapX[4 * i]);
      const right = trapX[4 * i + 2] + t * (trapX[4 * i + 3] - trapX[4 * i + 2]);
      if (x > left + EDGE_MARGIN && x < right - EDGE_MARGIN) return true;
    }
    return false;
  }

  /** A point drawn uniformly over the area (not rounded, so it is inside except with probability ~0). */
  sample(rng: Rng): [number, number] {
    if (!(this.area > 0)) throw new RangeError('cannot sample a polygon with no area');
    const trap = this.pickTrapezoid(rng.next() * this.area);
    const k = this.trapSlab[trap];
    const trapX = this.trapX;
    const xl0 = trapX[4 * trap];
    const xl1 = trapX[4 * trap + 1];
    const xr0 = trapX[4 * trap + 2];
    const xr1 = trapX[4 * trap + 3];
    const t = heightFraction(xr0 - xl0, xr1 - xl1, rng.next());
    const left = xl0 + t * (xl1 - xl0);
    const right = xr0 + t * (xr1 - xr0);
    return [left + rng.next() * (right - left), this.ys[k] + t * (this.ys[k + 1] - this.ys[k])];
  }

  private pickTrapezoid(target: number): number {
    const cumulative = this.cumulativeArea;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Inverse of the area distribution function of a trapezoid whose width goes linearly from w0 (bottom) to
 * w1 (top): the height fraction below which a share u of its area lies. Written in the rationalised form
 * u(w0 + w1) / (w0 + √(w0² + u(w1² − w0²))), which stays exact when w0 = w1 (gives u) and when w0 = 0 (gives √u).
 */
function heightFraction(w0: number, w1: number, u: number): number {
  const denominator = w0 + Math.sqrt(w0 * w0 + u * (w1 * w1 - w0 * w0));
  return denominator > 0 ? (u * (w0 + w1)) / denominator : 0;
}
