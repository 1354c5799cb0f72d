/**
 * Topological generalisation of a partition (the RegSO areas) per zoom band.
 *
 * geojson-vt simplifies every ring on its own, so two neighbours simplify their common border differently: gaps and
 * overlaps open between them at low zoom and small areas vanish. Here the partition is turned into a topology once
 * (topojson-server: every border shared by two areas becomes one arc, cut at the junctions where three or more areas
 * meet), every arc gets Visvalingam weights once (in Web Mercator, the plane tiles are cut in), and each zoom band keeps
 * the points of an arc whose weight reaches the band's tolerance. Both sides of a border are drawn from the same kept
 * points, so the simplified areas still tile the plane; the dissolved layers are stitched from the same arcs.
 *
 * Simplifying arcs one by one can still break the topology, so every band is repaired by putting back the most
 * important removed points until:
 *  - every kept ring keeps its orientation and at least half its area or the band's tolerance area, whichever is less
 *    (no area vanishes or collapses to a line: an island or enclave bounded by one closed arc keeps a triangle at least);
 *  - no two kept segments cross or touch except at shared end points (no self-intersection, no overlap between
 *    neighbours), unless the source itself crosses there (the Stockholm areas overlap a little: kept as they are);
 *  - every ring's first junction is inside the same rings as before (no island swallowed by a neighbour's coast).
 * At the bands with a tolerance, islands of a multi-part area that touch no other area and are smaller than the
 * tolerance area are left out (never the area's largest part), and so are holes smaller than that which nothing
 * fills (lakes).
 *
 * Before that, "bubbles" are collapsed (see border-bubbles.ts): where two neighbours drew their common border twice
 * (the Stockholm areas), one line is adopted by both. Other mismatches in the source (the seams between the real regions
 * and the synthetic areas) are generalised as they are: they stay about as large as in the source.
 *
 * Coordinates come back bit-identical to input lon/lat positions: the topology is built on the input positions
 * themselves and projected to Web Mercator only for the weights and checks, so shared borders stay identical to the
 * source at the highest band (where a bubble was collapsed, an area has its neighbour's positions there).
 */
import Flatbush from 'flatbush';
import polygonClipping, { type Polygon as ClipPolygon } from 'polygon-clipping';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { topology as buildTopology } from 'topojson-server';
import { DEFAULT_BUBBLE_OPTIONS, findBorderBubbles, type BubbleOptions } from './border-bubbles.ts';
import { mercatorX, mercatorY } from './mercator.ts';
import { EXTENT } from './mvt.ts';
import { pointInRing, ringArea, ringsConflict, segmentsConflict } from './planar.ts';
import { effectiveAreas } from './visvalingam.ts';

export interface PartitionFeature {
  id: number;
  properties: Record<string, unknown>;
  /** WGS84 lon/lat. */
  geometry: Polygon | MultiPolygon;
}

export interface ZoomBand {
  minzoom: number;
  maxzoom: number;
}

/**
 * The zoom bands, finest last.
 *
 * Tolerance: a point of an arc is kept when its Visvalingam effective area is at least (TOLERANCE_PX tile pixels)² at
 * the band's minzoom, a pixel being 1/4096 of a tile side. That area is what a screen can still show: at 512 screen
 * pixels a tile, a 4096 extent pixel is 1/8 of a screen pixel, so (2 px)² at minzoom is (4 px)² = (½ screen px)² at
 * maxzoom, the coarsest point of each two-zoom band. Detail finer than that is invisible but would make the low-zoom
 * tiles large (all of Sweden is in a handful of z5 tiles).
 *
 * Bands of two zooms: the tolerance then never is more than 2× (linearly) off the ideal one for a zoom, while the
 * number of generalisations to compute and cache stays small. z0–2 is one band (not z0–4: a tolerance taken at z0
 * would be 16× too coarse at z4); Sweden is only a few hundred pixels there. From z11 on the source is served as it
 * is (only exactly collinear and repeated points go): a z11 pixel is about 2.5 m at 59°N, while the sources' median
 * segment is 21 m (SCB's RegSO), 320 m (Stockholm, from simplified DeSO) and 3.7 km (the synthetic areas).
 *
 * Measured on the national build (3,363 areas, 149,180 vertices), vertices kept per band: 24.6k, 29.4k, 36.1k, 51.3k,
 * 70.2k and 150.4k (collapsed bubbles adopt a neighbour's line, sometimes with more points); dissolved by kommun and
 * områdestyp (851 groups): 16.7k at z0–2, 25.7k at z5–6. The floor at low zoom is the junctions: every area keeps the
 * points where three areas meet (the synthetic areas are Voronoi cells: junctions and little else).
 */
export const ZOOM_BANDS: readonly ZoomBand[] = [
  { minzoom: 0, maxzoom: 2 },
  { minzoom: 3, maxzoom: 4 },
  { minzoom: 5, maxzoom: 6 },
  { minzoom: 7, maxzoom: 8 },
  { minzoom: 9, maxzoom: 10 },
  { minzoom: 11, maxzoom: 24 },
];

/** Tolerance in tile pixels (of a 4096 extent) at a band's minzoom; see ZOOM_BANDS. */
export const TOLERANCE_PX = 2;

/** From this zoom on, no simplification beyond dropping exactly collinear points. */
export const UNSIMPLIFIED_FROM_ZOOM = 11;

/** The band's minimum Visvalingam area in Web Mercator unit-square units² (0: keep all but collinear points). */
export function bandTolerance(band: ZoomBand): number {
  if (band.minzoom >= UNSIMPLIFIED_FROM_ZOOM) return 0;
  const px = TOLERANCE_PX / (EXTENT * 2 ** band.minzoom);
  return px * px;
}

/** The band a zoom falls in. */
export function bandOf(zoom: number): ZoomBand {
  return ZOOM_BANDS.find((b) => zoom >= b.minzoom && zoom <= b.maxzoom) ?? ZOOM_BANDS[ZOOM_BANDS.length - 1];
}

export { mercatorX, mercatorY };

export interface PartitionOptions {
  /**
   * Collapse "bubbles" (one area's border and its neighbours' borders that meet at both ends but differ in between,
   * by less than these limits) into one shared border before generalising; false keeps every border as it is. See
   * border-bubbles.ts; the default is DEFAULT_BUBBLE_OPTIONS.
   */
  bubbles?: BubbleOptions | false;
}

interface RingInfo {
  feature: number;
  polygon: number;
  hole: boolean;
  /** Topology arc references: i for arc i forwards, ~i backwards. */
  arcs: number[];
  /** Signed area of the source ring in the projected plane. */
  area: number;
  /** A junction of the ring (an arc end point: kept at every band), projected. */
  repX: number;
  repY: number;
}

interface PolygonInfo {
  feature: number;
  /** Ring ids, exterior first. */
  rings: number[];
}

/** One band's generalisation: which points of every arc are kept, which islands and lakes are left out. */
interface BandState {
  threshold: number;
  keep: Uint8Array[];
  droppedRing: Uint8Array;
  droppedPolygon: Uint8Array;
  /** Repair rounds and points put back, for diagnostics. */
  rounds: number;
  restored: number;
}

/** Diagnostics of one band's generalisation. */
export interface BandStats {
  threshold: number;
  /** Points kept over all arcs (each shared border counted once). */
  arcPoints: number;
  /** Points put back by the repairs. */
  restored: number;
  rounds: number;
  droppedPolygons: number;
  droppedHoles: number;
}

export class PartitionTopology {
  private readonly features: readonly PartitionFeature[];
  private readonly arcPos: Position[][];
  private readonly arcXY: Float64Array[];
  private readonly arcW: Float64Array[];
  /** Ring ids using each arc. */
  private readonly arcRings: number[][];
  private readonly rings: RingInfo[] = [];
  private readonly polygons: PolygonInfo[] = [];
  private readonly featurePolygons: number[][] = [];
  /** For ring r's junction and another ring s around it (bounding box), whether s contains it in the source. */
  private readonly containment: { ring: number; other: number; inside: boolean }[] = [];
  /** Number of other rings' junctions inside each ring in the source. */
  private readonly enclosed: Int32Array;
  private readonly bands = new Map<string, BandState>();

  constructor(features: readonly PartitionFeature[], options: PartitionOptions = {}) {
    this.features = features;
    let polygons = features.map((f, i) => normalise(f, i));
    let topo = topologyOf(polygons);
    if (options.bubbles !== false) {
      const rings = topo.objects.areas.geometries.flatMap((g, feature) => (g.arcs ?? []).flatMap((p) => p.map((arcs) => ({ feature, arcs }))));
      const replace = findBorderBubbles(topo.arcs, topo.arcs.map(project), rings, options.bubbles ?? DEFAULT_BUBBLE_OPTIONS);
      if (replace.size > 0) {
        polygons = substitute(topo, replace);
        topo = topologyOf(polygons);
      }
    }

    this.arcPos = topo.arcs;
    this.arcXY = this.arcPos.map(project);
    this.arcW = this.arcXY.map(effectiveAreas);
    this.arcRings = this.arcPos.map(() => []);

    topo.objects.areas.geometries.forEach((g, fi) => {
      const polygonIds: number[] = [];
      for (const polygonArcs of g.arcs ?? []) {
        const pid = this.polygons.length;
        const ringIds: number[] = [];
        polygonArcs.forEach((arcs, k) => {
          const rid = this.rings.length;
          const first = arcs[0];
          const firstArc = this.arcXY[first < 0 ? ~first : first];
          const at = first < 0 ? firstArc.length - 2 : 0;
          this.rings.push({ feature: fi, polygon: pid, hole: k > 0, arcs, area: 0, repX: firstArc[at], repY: firstArc[at + 1] });
          for (const ref of arcs) {
            const list = this.arcRings[ref < 0 ? ~ref : ref];
            if (list[list.length - 1] !== rid) list.push(rid);
          }
          ringIds.push(rid);
        });
        this.polygons.push({ feature: fi, rings: ringIds });
        polygonIds.push(pid);
      }
      this.featurePolygons.push(polygonIds);
    });

    // Source ring geometry (projected) for areas and containment.
    const ringXY = this.rings.map((r) => this.ringXY(r, null));
    ringXY.forEach((xy, i) => (this.rings[i].area = ringArea(xy)));
    this.enclosed = new Int32Array(this.rings.length);
    this.indexContainment(ringXY);
  }

  /** The features simplified for a zoom band: same ids, properties and order; coordinates are input positions. */
  simplified(band: ZoomBand): PartitionFeature[] {
    const state = this.state(band);
    return this.features.map((f, fi) => {
      const polygons = this.featureCoordinates(fi, state);
      const geometry: Polygon | MultiPolygon =
        f.geometry.type === 'Polygon' && polygons.length === 1
          ? { type: 'Polygon', coordinates: polygons[0] }
          : { type: 'MultiPolygon', coordinates: polygons };
      return { id: f.id, properties: f.properties, geometry };
    });
  }

  /**
   * Features merged by a group key (null: left out), stitched from the band's simplified arcs: borders inside a group
   * go, the others are the very arcs of simplified(), so the dissolved polygons tile the plane as the areas do. One
   * feature per group, in the order of the groups' first members.
   */
  dissolved(
    band: ZoomBand,
    group: (f: PartitionFeature) => string | null,
    describe: (key: string, members: PartitionFeature[]) => { id: number; properties: Record<string, unknown> },
  ): PartitionFeature[] {
    const state = this.state(band);
    const groups = new Map<string, number[]>();
    this.features.forEach((f, fi) => {
      const key = group(f);
      if (key === null) return;
      const members = groups.get(key);
      if (members) members.push(fi);
      else groups.set(key, [fi]);
    });
    const out: PartitionFeature[] = [];
    for (const [key, members] of groups) {
      const { id, properties } = describe(key, members.map((fi) => this.features[fi]));
      out.push({ id, properties, geometry: this.merge(members, state) });
    }
    return out;
  }

  /** Diagnostics of a band (computes the band if needed). */
  stats(band: ZoomBand): BandStats {
    const state = this.state(band);
    let arcPoints = 0;
    const used = new Uint8Array(this.arcPos.length);
    this.rings.forEach((r, rid) => {
      if (state.droppedRing[rid] || state.droppedPolygon[r.polygon]) return;
      for (const ref of r.arcs) used[ref < 0 ? ~ref : ref] = 1;
    });
    state.keep.forEach((k, a) => {
      if (used[a]) for (let i = 0; i < k.length; i++) arcPoints += k[i];
    });
    return {
      threshold: state.threshold,
      arcPoints,
      restored: state.restored,
      rounds: state.rounds,
      droppedPolygons: state.droppedPolygon.reduce((s, v) => s + v, 0),
      droppedHoles: state.droppedRing.reduce((s, v) => s + v, 0),
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Band computation

  private state(band: ZoomBand): BandState {
    const threshold = bandTolerance(band);
    const key = String(threshold);
    let state = this.bands.get(key);
    if (!state) {
      state = this.generalise(threshold);
      this.bands.set(key, state);
    }
    return state;
  }

  private generalise(threshold: number): BandState {
    const keep = this.arcW.map((w) => {
      const k = new Uint8Array(w.length);
      for (let i = 0; i < w.length; i++) k[i] = (threshold > 0 ? w[i] >= threshold : w[i] > 0) ? 1 : 0;
      return k;
    });
    const state: BandState = {
      threshold,
      keep,
      droppedRing: new Uint8Array(this.rings.length),
      droppedPolygon: new Uint8Array(this.polygons.length),
      rounds: 0,
      restored: 0,
    };
    if (threshold > 0) this.dropSmallParts(state);

    const active = this.rings.map((r, rid) => !state.droppedRing[rid] && !state.droppedPolygon[r.polygon]);
    const activeArcs = new Uint8Array(this.arcPos.length);
    this.rings.forEach((r, rid) => {
      if (active[rid]) for (const ref of r.arcs) activeArcs[ref < 0 ? ~ref : ref] = 1;
    });

    // Arcs changed since the last crossing check (null: check all). Every repair only adds points, so this ends.
    let pending: Uint8Array | null = null;
    for (let round = 0; round < 1000; round++) {
      state.rounds = round + 1;
      const changed = new Uint8Array(this.arcPos.length);
      let restored = this.repairRings(state, active, changed);
      if (threshold > 0) {
        if (pending) for (let a = 0; a < changed.length; a++) pending[a] |= changed[a];
        const afterCheck = new Uint8Array(this.arcPos.length);
        restored += this.repairCrossings(state, activeArcs, pending, afterCheck);
        restored += this.repairContainment(state, active, afterCheck);
        pending = afterCheck;
      }
      state.restored += restored;
      if (restored === 0) break;
    }
    return state;
  }

  /** Leaves out islands and lakes smaller than the tolerance that no other area touches or fills. */
  private dropSmallParts(state: BandState): void {
    const t = state.threshold;
    const alone = (rid: number) => this.rings[rid].arcs.every((ref) => this.arcRings[ref < 0 ? ~ref : ref].length === 1);
    this.featurePolygons.forEach((pids) => {
      if (pids.length < 2) return;
      const largest = pids.reduce((a, b) => (Math.abs(this.rings[this.polygons[b].rings[0]].area) > Math.abs(this.rings[this.polygons[a].rings[0]].area) ? b : a));
      for (const pid of pids) {
        const rings = this.polygons[pid].rings;
        const ext = rings[0];
        if (pid === largest || rings.length > 1 || !alone(ext) || this.enclosed[ext] > 0) continue;
        if (Math.abs(this.rings[ext].area) < t) state.droppedPolygon[pid] = 1;
      }
    });
    this.rings.forEach((r, rid) => {
      if (r.hole && Math.abs(r.area) < t && alone(rid) && this.enclosed[rid] === 0) state.droppedRing[rid] = 1;
    });
  }

  /** Puts points back into rings that lost their orientation or too much of their area. */
  private repairRings(state: BandState, active: boolean[], changed: Uint8Array): number {
    let restored = 0;
    this.rings.forEach((ring, rid) => {
      if (!active[rid]) return;
      const need = Math.min(Math.abs(ring.area) / 2, state.threshold);
      for (;;) {
        const a = ringArea(this.ringXY(ring, state.keep));
        if (a !== 0 && Math.sign(a) === Math.sign(ring.area) && Math.abs(a) >= need) return;
        // Put back the most important removed point of the ring's arcs.
        let bestArc = -1, bestI = -1, bestW = -Infinity;
        for (const ref of ring.arcs) {
          const arc = ref < 0 ? ~ref : ref;
          const w = this.arcW[arc], k = state.keep[arc];
          for (let i = 1; i < w.length - 1; i++) if (!k[i] && w[i] > bestW) (bestW = w[i]), (bestArc = arc), (bestI = i);
        }
        if (bestArc < 0) return;
        state.keep[bestArc][bestI] = 1;
        changed[bestArc] = 1;
        restored++;
      }
    });
    return restored;
  }

  /**
   * Finds kept segments that cross or touch (outside shared end points) and puts back the most important removed
   * point under each simplified one, unless the source lines under both cross as well.
   */
  private repairCrossings(state: BandState, activeArcs: Uint8Array, dirty: Uint8Array | null, changed: Uint8Array): number {
    const segArc: number[] = [], segFrom: number[] = [], segTo: number[] = [];
    for (let a = 0; a < this.arcPos.length; a++) {
      if (!activeArcs[a]) continue;
      const k = state.keep[a];
      let prev = 0;
      for (let i = 1; i < k.length; i++) {
        if (!k[i]) continue;
        segArc.push(a);
        segFrom.push(prev);
        segTo.push(i);
        prev = i;
      }
    }
    const n = segArc.length;
    if (n === 0) return 0;
    const index = new Flatbush(n);
    for (let s = 0; s < n; s++) {
      const xy = this.arcXY[segArc[s]], i = segFrom[s], j = segTo[s];
      index.add(Math.min(xy[2 * i], xy[2 * j]), Math.min(xy[2 * i + 1], xy[2 * j + 1]), Math.max(xy[2 * i], xy[2 * j]), Math.max(xy[2 * i + 1], xy[2 * j + 1]));
    }
    index.finish();

    const refine = new Set<number>();
    for (let s = 0; s < n; s++) {
      const a = segArc[s];
      if (dirty && !dirty[a]) continue;
      const xy = this.arcXY[a], i = segFrom[s], j = segTo[s];
      const ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1];
      for (const t of index.search(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by))) {
        if (t === s || (t < s && (!dirty || dirty[segArc[t]]))) continue;
        const sRefinable = j - i > 1, tRefinable = segTo[t] - segFrom[t] > 1;
        if (!sRefinable && !tRefinable) continue;
        if ((!sRefinable || refine.has(s)) && (!tRefinable || refine.has(t))) continue;
        const uxy = this.arcXY[segArc[t]], k = segFrom[t], l = segTo[t];
        if (!segmentsConflict(ax, ay, bx, by, uxy[2 * k], uxy[2 * k + 1], uxy[2 * l], uxy[2 * l + 1])) continue;
        if (linesConflict(xy, i, j, uxy, k, l)) continue; // the source crosses here too
        if (sRefinable) refine.add(s);
        if (tRefinable) refine.add(t);
      }
    }
    for (const s of refine) this.restoreBetween(state, segArc[s], segFrom[s], segTo[s], changed);
    return refine.size;
  }

  /** Checks that every ring's junction is inside the same other rings as in the source; refines the ring that moved. */
  private repairContainment(state: BandState, active: boolean[], changed: Uint8Array): number {
    let restored = 0;
    const cache = new Map<number, Float64Array>();
    for (const { ring, other, inside } of this.containment) {
      if (!active[ring] || !active[other]) continue;
      let xy = cache.get(other);
      if (!xy) cache.set(other, (xy = this.ringXY(this.rings[other], state.keep)));
      const { repX, repY } = this.rings[ring];
      if (pointInRing(repX, repY, xy) === inside) continue;
      // Refine the simplified segments of `other` whose swept region (source line closed by the segment) holds it.
      let done = 0;
      const candidates: [number, number, number][] = [];
      for (const ref of this.rings[other].arcs) {
        const a = ref < 0 ? ~ref : ref, k = state.keep[a], axy = this.arcXY[a];
        let prev = 0;
        for (let i = 1; i < k.length; i++) {
          if (!k[i]) continue;
          if (i - prev > 1) {
            candidates.push([a, prev, i]);
            if (pointInRing(repX, repY, axy, prev, i)) done += this.restoreBetween(state, a, prev, i, changed);
          }
          prev = i;
        }
      }
      if (done === 0) for (const [a, i, j] of candidates) done += this.restoreBetween(state, a, i, j, changed);
      restored += done;
      cache.delete(other);
    }
    return restored;
  }

  /** Keeps the most important removed point strictly between kept points i and j of an arc. */
  private restoreBetween(state: BandState, arc: number, i: number, j: number, changed: Uint8Array): number {
    const w = this.arcW[arc];
    let best = -1;
    for (let m = i + 1; m < j; m++) if (best < 0 || w[m] > w[best]) best = m;
    if (best < 0) return 0;
    state.keep[arc][best] = 1;
    changed[arc] = 1;
    return 1;
  }

  /** Records, for every ring's junction, which nearby rings contain it in the source. */
  private indexContainment(ringXY: Float64Array[]): void {
    if (this.rings.length === 0) return;
    const index = new Flatbush(this.rings.length);
    for (const xy of ringXY) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = 0; i < xy.length; i += 2) {
        x0 = Math.min(x0, xy[i]);
        x1 = Math.max(x1, xy[i]);
        y0 = Math.min(y0, xy[i + 1]);
        y1 = Math.max(y1, xy[i + 1]);
      }
      index.add(x0, y0, x1, y1);
    }
    index.finish();
    // Arc end points of each ring: a junction on a ring's boundary is neither in nor out of it.
    const ends = (rid: number) =>
      this.rings[rid].arcs.flatMap((ref) => {
        const xy = this.arcXY[ref < 0 ? ~ref : ref];
        return [xy[0], xy[1], xy[xy.length - 2], xy[xy.length - 1]];
      });
    this.rings.forEach((r, rid) => {
      for (const other of index.search(r.repX, r.repY, r.repX, r.repY)) {
        if (other === rid) continue;
        const e = ends(other);
        let onBoundary = false;
        for (let i = 0; i < e.length && !onBoundary; i += 2) onBoundary = e[i] === r.repX && e[i + 1] === r.repY;
        if (onBoundary) continue;
        const inside = pointInRing(r.repX, r.repY, ringXY[other]);
        this.containment.push({ ring: rid, other, inside });
        if (inside) this.enclosed[other]++;
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Geometry assembly

  /** A feature's kept polygons at a band, as fresh lon/lat rings. */
  private featureCoordinates(fi: number, state: BandState): Position[][][] {
    const polygons: Position[][][] = [];
    for (const pid of this.featurePolygons[fi]) {
      if (state.droppedPolygon[pid]) continue;
      const rings: Position[][] = [];
      for (const rid of this.polygons[pid].rings) {
        if (!state.droppedRing[rid]) rings.push(closedRing(this.ringPositions(this.rings[rid].arcs, state.keep)));
      }
      polygons.push(rings);
    }
    return polygons;
  }

  /** Projected points of a ring (without the closing point); all source points when keep is null. */
  private ringXY(ring: RingInfo, keep: Uint8Array[] | null): Float64Array {
    let count = 0;
    for (const ref of ring.arcs) {
      const arc = ref < 0 ? ~ref : ref, k = keep?.[arc], n = this.arcXY[arc].length >> 1;
      if (!k) count += n - 1;
      else for (let i = 1; i < n; i++) count += k[i];
    }
    const out = new Float64Array(2 * count);
    let o = 0;
    for (const ref of ring.arcs) {
      const arc = ref < 0 ? ~ref : ref, xy = this.arcXY[arc], k = keep?.[arc], n = xy.length >> 1;
      if (ref >= 0) {
        for (let i = 0; i < n - 1; i++) if (!k || k[i]) (out[o++] = xy[2 * i]), (out[o++] = xy[2 * i + 1]);
      } else {
        for (let i = n - 1; i > 0; i--) if (!k || k[i]) (out[o++] = xy[2 * i]), (out[o++] = xy[2 * i + 1]);
      }
    }
    return out;
  }

  /** Kept positions along a chain of arc references (end points once), as fresh [lon, lat] arrays. */
  private ringPositions(refs: readonly number[], keep: Uint8Array[]): Position[] {
    const out: Position[] = [];
    for (const ref of refs) {
      const arc = ref < 0 ? ~ref : ref, pos = this.arcPos[arc], k = keep[arc], n = pos.length;
      if (ref >= 0) {
        for (let i = out.length ? 1 : 0; i < n; i++) if (k[i]) push(out, pos[i]);
      } else {
        for (let i = out.length ? n - 2 : n - 1; i >= 0; i--) if (k[i]) push(out, pos[i]);
      }
    }
    return out;
  }

  /** Dissolves the member features' kept polygons into one (multi)polygon. */
  private merge(members: number[], state: BandState): MultiPolygon | Polygon {
    // Net use of every arc: borders between two members cancel out.
    const net = new Map<number, number>();
    for (const fi of members) {
      for (const pid of this.featurePolygons[fi]) {
        if (state.droppedPolygon[pid]) continue;
        for (const rid of this.polygons[pid].rings) {
          if (state.droppedRing[rid]) continue;
          for (const ref of this.rings[rid].arcs) {
            const arc = ref < 0 ? ~ref : ref;
            net.set(arc, (net.get(arc) ?? 0) + (ref < 0 ? -1 : 1));
          }
        }
      }
    }
    let boundary: number[] = [];
    for (const [arc, n] of net) if (n === 1 || n === -1) boundary.push(n === 1 ? arc : ~arc);
    boundary = this.withoutCollapsedPairs(boundary, state.keep);

    // Stitch the boundary arcs into rings, turning at shared vertices so that the rings stay simple.
    const key = (p: Position) => `${p[0]},${p[1]}`;
    const start = (ref: number) => (ref < 0 ? this.arcPos[~ref][this.arcPos[~ref].length - 1] : this.arcPos[ref][0]);
    const end = (ref: number) => (ref < 0 ? this.arcPos[~ref][0] : this.arcPos[ref][this.arcPos[ref].length - 1]);
    const outgoing = new Map<string, number[]>();
    for (const ref of boundary) {
      const k = key(start(ref));
      const list = outgoing.get(k);
      if (list) list.push(ref);
      else outgoing.set(k, [ref]);
    }
    const used = new Set<number>();
    const rings: Position[][] = [];
    for (const first of boundary) {
      if (used.has(first)) continue;
      used.add(first);
      const chain = [first];
      const firstKey = key(start(first));
      let closed = false;
      for (;;) {
        const last = chain[chain.length - 1];
        const atKey = key(end(last));
        const candidates = (outgoing.get(atKey) ?? []).filter((r) => !used.has(r));
        if (atKey === firstKey) candidates.push(first);
        if (candidates.length === 0) break;
        const next = candidates.length === 1 ? candidates[0] : this.sharpestRightTurn(last, candidates, state.keep);
        if (next === first) {
          closed = true;
          break;
        }
        used.add(next);
        chain.push(next);
      }
      if (closed) rings.push(this.ringPositions(chain, state.keep));
    }

    // Counter-clockwise rings are exteriors, clockwise ones holes (the source rings were oriented so).
    const exteriors: { ring: Position[]; area: number; holes: Position[][] }[] = [];
    const holes: Position[][] = [];
    for (const ring of rings) {
      const closedR = closedRing(ring);
      if (closedR.length < 4) continue;
      const a = lonLatArea(closedR);
      if (a > 0) exteriors.push({ ring: closedR, area: a, holes: [] });
      else if (a < 0) holes.push(closedR);
    }
    for (const hole of holes) {
      const px = (hole[0][0] + hole[1][0]) / 2, py = (hole[0][1] + hole[1][1]) / 2;
      let best: (typeof exteriors)[number] | null = null;
      for (const e of exteriors) {
        if ((best === null || e.area < best.area) && pointInPositions(px, py, e.ring)) best = e;
      }
      best?.holes.push(hole);
    }
    exteriors.sort((a, b) => b.area - a.area);
    let coordinates: Position[][][] = exteriors.map((e) => [e.ring, ...e.holes]);
    // Members that overlap in the source (the Stockholm areas) stitch into crossing rings: union those properly. The
    // outer borders keep their vertices; only crossing points are added.
    if (ringsConflict(coordinates.flatMap((p) => p.map(project)))) {
      const parts = members.flatMap((fi) => this.featureCoordinates(fi, state)) as ClipPolygon[];
      if (parts.length > 0) {
        coordinates = polygonClipping
          .union(parts[0], ...parts.slice(1))
          .map((polygon) => polygon.filter((ring, k) => k === 0 || !isSliver(ring)))
          .filter((polygon) => !isSliver(polygon[0]));
      }
    }
    return coordinates.length === 1 ? { type: 'Polygon', coordinates: coordinates[0] } : { type: 'MultiPolygon', coordinates };
  }

  /**
   * Drops pairs of boundary arcs that the band simplified onto each other in opposite directions: two members'
   * versions of one border (a mismatch in the source) that became identical, so the border is inside the group after all.
   */
  private withoutCollapsedPairs(boundary: number[], keep: Uint8Array[]): number[] {
    const point = (p: Position) => `${p[0]},${p[1]}`;
    const ends = (ref: number) => {
      const arc = this.arcPos[ref < 0 ? ~ref : ref];
      return ref < 0 ? `${point(arc[arc.length - 1])}|${point(arc[0])}` : `${point(arc[0])}|${point(arc[arc.length - 1])}`;
    };
    const byEnds = new Map<string, number[]>();
    for (const ref of boundary) {
      const key = ends(ref);
      const list = byEnds.get(key);
      if (list) list.push(ref);
      else byEnds.set(key, [ref]);
    }
    const sequence = (ref: number) => this.ringPositions([ref], keep).map(point).join(';');
    const dropped = new Set<number>();
    for (const ref of boundary) {
      if (dropped.has(ref)) continue;
      const opposite = byEnds.get(ends(~ref));
      if (!opposite) continue;
      const mine = sequence(ref);
      const match = opposite.find((other) => !dropped.has(other) && other !== ref && sequence(~other) === mine);
      if (match === undefined) continue;
      dropped.add(ref);
      dropped.add(match);
    }
    return dropped.size === 0 ? boundary : boundary.filter((ref) => !dropped.has(ref));
  }

  /** Of several arcs leaving the vertex where `incoming` ends, the first clockwise from the way back (face tracing). */
  private sharpestRightTurn(incoming: number, candidates: number[], keep: Uint8Array[]): number {
    const [vx, vy, px, py] = this.endSegment(incoming, keep, true);
    const backAngle = Math.atan2(-(py - vy), px - vx);
    let best = candidates[0], bestTurn = Infinity;
    for (const c of candidates) {
      const [, , qx, qy] = this.endSegment(c, keep, false);
      const angle = Math.atan2(-(qy - vy), qx - vx);
      let clockwise = backAngle - angle;
      while (clockwise <= 0) clockwise += 2 * Math.PI;
      while (clockwise > 2 * Math.PI) clockwise -= 2 * Math.PI;
      if (clockwise < bestTurn) (bestTurn = clockwise), (best = c);
    }
    return best;
  }

  /** [vertex x, y, neighbour x, y] at the end (atEnd) or start of a directed arc, with the nearest kept neighbour. */
  private endSegment(ref: number, keep: Uint8Array[], atEnd: boolean): [number, number, number, number] {
    const arc = ref < 0 ? ~ref : ref, xy = this.arcXY[arc], k = keep[arc], n = xy.length >> 1;
    // In arc order: the vertex is the last point when (atEnd and forwards) or (not atEnd and backwards).
    const vertexIsLast = atEnd === ref >= 0;
    let v: number, q: number;
    if (vertexIsLast) {
      v = n - 1;
      q = n - 2;
      while (q > 0 && !k[q]) q--;
    } else {
      v = 0;
      q = 1;
      while (q < n - 1 && !k[q]) q++;
    }
    return [xy[2 * v], xy[2 * v + 1], xy[2 * q], xy[2 * q + 1]];
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Helpers

interface Topo {
  arcs: Position[][];
  objects: { areas: { geometries: { arcs?: number[][][] }[] } };
}

/** topojson-server's topology of the polygons, unquantised: arcs hold the input positions themselves. */
function topologyOf(polygons: Position[][][][]): Topo {
  const areas = { type: 'GeometryCollection', geometries: polygons.map((coordinates) => ({ type: 'MultiPolygon', coordinates })) };
  return buildTopology({ areas } as never) as unknown as Topo;
}

function project(arc: Position[]): Float64Array {
  const xy = new Float64Array(arc.length * 2);
  for (let i = 0; i < arc.length; i++) {
    xy[2 * i] = mercatorX(arc[i][0]);
    xy[2 * i + 1] = mercatorY(arc[i][1]);
  }
  return xy;
}

/** All positions along a chain of arc references, closed, end points once. */
function chainPositions(arcs: readonly Position[][], refs: readonly number[]): Position[] {
  const out: Position[] = [];
  for (const ref of refs) {
    const arc = arcs[ref < 0 ? ~ref : ref];
    if (ref >= 0) for (let i = out.length ? 1 : 0; i < arc.length; i++) out.push(arc[i]);
    else for (let i = out.length ? arc.length - 2 : arc.length - 1; i >= 0; i--) out.push(arc[i]);
  }
  return out;
}

/**
 * The polygons again with some arcs replaced (border bubbles collapsed). A ring that would lose its orientation or
 * half its area, or cross itself or another ring of its polygon, keeps its own lines.
 */
function substitute(topo: Topo, replace: Map<number, number[]>): Position[][][][] {
  return topo.objects.areas.geometries.map((g) =>
    (g.arcs ?? []).map((polygon) => {
      const own = polygon.map((refs) => chainPositions(topo.arcs, refs));
      const rings = own.slice();
      polygon.forEach((refs, k) => {
        if (!refs.some((ref) => replace.has(ref < 0 ? ~ref : ref))) return;
        const swapped = refs.flatMap((ref) => {
          const chain = replace.get(ref < 0 ? ~ref : ref);
          if (chain === undefined) return [ref];
          return ref < 0 ? chain.map((r) => ~r).reverse() : chain;
        });
        const ring: Position[] = [];
        for (const p of chainPositions(topo.arcs, swapped)) push(ring, p);
        const before = lonLatArea(own[k]), after = lonLatArea(ring);
        if (ring.length < 4 || Math.sign(after) !== Math.sign(before) || Math.abs(after) < Math.abs(before) / 2) return;
        const trial = rings.slice();
        trial[k] = ring;
        if (!ringsConflict(trial.map(project))) rings[k] = ring;
      });
      return rings;
    }),
  );
}

/** The feature's polygons as rings without repeated points, closed, exteriors counter-clockwise and holes clockwise. */
function normalise(f: PartitionFeature, index: number): Position[][][] {
  const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  const out: Position[][][] = [];
  for (const polygon of polygons) {
    const rings: Position[][] = [];
    for (let k = 0; k < polygon.length; k++) {
      const ring: Position[] = [];
      for (const p of polygon[k]) push(ring, p);
      const closed = closedRing(ring);
      if (closed.length < 4) continue;
      const a = lonLatArea(closed);
      if (a === 0) continue;
      if (k === 0 && a < 0) closed.reverse();
      if (k > 0 && a > 0) closed.reverse();
      if (k === 0) rings.push(closed);
      else if (rings.length > 0) rings.push(closed);
    }
    if (rings.length > 0) out.push(rings);
  }
  if (out.length === 0) throw new Error(`feature ${f.id} (#${index}) has no polygon with a non-empty exterior ring`);
  return out;
}

/** Appends a position unless it repeats the last one. */
function push(ring: Position[], p: Position): void {
  const last = ring[ring.length - 1];
  if (!last || last[0] !== p[0] || last[1] !== p[1]) ring.push([p[0], p[1]]);
}

/** The ring closed (first position repeated at the end) without repeated consecutive positions. */
function closedRing(ring: Position[]): Position[] {
  const out = ring.slice();
  while (out.length > 1 && out[out.length - 1][0] === out[0][0] && out[out.length - 1][1] === out[0][1]) out.pop();
  if (out.length > 0) out.push([out[0][0], out[0][1]]);
  return out;
}

/**
 * Numerical debris: a ring far thinner than long (area below a millionth of its perimeter squared, e.g. 4 mm wide over
 * 1 km), as polygon clipping leaves where two members' borders nearly coincide.
 */
function isSliver(ring: Position[]): boolean {
  const xy = project(ring);
  let perimeter = 0;
  for (let i = 2; i < xy.length; i += 2) perimeter += Math.hypot(xy[i] - xy[i - 2], xy[i + 1] - xy[i - 1]);
  return ring.length < 4 || Math.abs(ringArea(xy)) <= 1e-6 * perimeter * perimeter;
}

function lonLatArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}

function pointInPositions(px: number, py: number, ring: Position[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [ix, iy] = ring[i], [jx, jy] = ring[j];
    if (iy > py !== jy > py && px < ((jx - ix) * (py - iy)) / (jy - iy) + ix) inside = !inside;
  }
  return inside;
}

/** Whether the source lines under points i..j of one arc and k..l of another cross or touch (see segmentsConflict). */
function linesConflict(a: Float64Array, i: number, j: number, b: Float64Array, k: number, l: number): boolean {
  const bb = (xy: Float64Array, from: number, to: number) => {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let m = from; m <= to; m++) {
      x0 = Math.min(x0, xy[2 * m]);
      x1 = Math.max(x1, xy[2 * m]);
      y0 = Math.min(y0, xy[2 * m + 1]);
      y1 = Math.max(y1, xy[2 * m + 1]);
    }
    return [x0, y0, x1, y1];
  };
  const segBoxHits = (xy: Float64Array, m: number, box: number[]) =>
    Math.max(xy[2 * m], xy[2 * m + 2]) >= box[0] && Math.min(xy[2 * m], xy[2 * m + 2]) <= box[2] &&
    Math.max(xy[2 * m + 1], xy[2 * m + 3]) >= box[1] && Math.min(xy[2 * m + 1], xy[2 * m + 3]) <= box[3];
  const boxA = bb(a, i, j), boxB = bb(b, k, l);
  const near: number[] = [];
  for (let m = k; m < l; m++) if (segBoxHits(b, m, boxA)) near.push(m);
  if (near.length === 0) return false;
  for (let m = i; m < j; m++) {
    if (!segBoxHits(a, m, boxB)) continue;
    const ax = a[2 * m], ay = a[2 * m + 1], bx = a[2 * m + 2], by = a[2 * m + 3];
    const x0 = Math.min(ax, bx), x1 = Math.max(ax, bx), y0 = Math.min(ay, by), y1 = Math.max(ay, by);
    for (const q of near) {
      const cx = b[2 * q], cy = b[2 * q + 1], dx = b[2 * q + 2], dy = b[2 * q + 3];
      if (Math.max(cx, dx) < x0 || Math.min(cx, dx) > x1 || Math.max(cy, dy) < y0 || Math.min(cy, dy) > y1) continue;
      if (a === b && (q === m || q === m - 1 || q === m + 1)) continue; // the same or consecutive source segments
      if (segmentsConflict(ax, ay, bx, by, cx, cy, dx, dy)) return true;
    }
  }
  return false;
}

