/**
 * Finds "bubbles" in a partition's topology: borders that should be one. Where neighbours were simplified apart (the
 * Stockholm areas are dissolved from separately simplified DeSO), they agree at two points but not in between: the
 * topology holds an unshared arc of one area from P to Q, and on the other side a chain of unshared arcs of one or
 * more other areas from P to Q, enclosing a thin gap or overlap (often both, where the lines cross). Simplified one by
 * one, the two sides would open or close that sliver differently at every zoom. If the sides are close enough, one is
 * replaced by the other so that the border becomes shared: the single arc adopts the chain, and between two single
 * arcs the area listed first keeps its line. Positions stay source positions.
 *
 * Mismatches that do not meet at two common points (seams between unrelated sources) are left as they are.
 */
import type { Position } from 'geojson';
import { metresPerUnit } from './mercator.ts';
import { ringArea } from './planar.ts';

export interface BubbleOptions {
  /** Largest mean width (area / length) of a bubble to collapse, in metres. */
  maxWidthMetres: number;
  /** Largest distance between the two sides anywhere (Hausdorff), in metres. */
  maxDistanceMetres: number;
  /** Longest chain of arcs on the far side. */
  maxChain: number;
}

/**
 * Thin enough to be a mismatch, not a lake or bay between two areas. In the national build the two-arc bubbles of the
 * Stockholm areas are 4 m wide at the median, 15 m at the 90th percentile and 54 m at the 99th.
 */
export const DEFAULT_BUBBLE_OPTIONS: BubbleOptions = { maxWidthMetres: 30, maxDistanceMetres: 300, maxChain: 3 };

export interface TopologyRing {
  /** Index of the feature owning the ring: the lower index keeps its line between two single arcs. */
  feature: number;
  /** Arc references: i forwards, ~i backwards. */
  arcs: number[];
}

/**
 * The bubbles to collapse, as a map from each replaced arc to the chain of references that replaces it (oriented the
 * way the replaced arc runs forwards). No arc of a chain is itself replaced.
 */
export function findBorderBubbles(
  arcPos: readonly Position[][],
  arcXY: readonly Float64Array[],
  rings: readonly TopologyRing[],
  options: BubbleOptions = DEFAULT_BUBBLE_OPTIONS,
): Map<number, number[]> {
  const owner = new Int32Array(arcPos.length).fill(-1);
  const uses = new Int32Array(arcPos.length);
  for (const r of rings) {
    for (const ref of r.arcs) {
      const arc = ref < 0 ? ~ref : ref;
      uses[arc]++;
      owner[arc] = r.feature;
    }
  }
  const key = (p: Position) => `${p[0]},${p[1]}`;
  const startKey = (ref: number) => key(ref < 0 ? arcPos[~ref][arcPos[~ref].length - 1] : arcPos[ref][0]);
  const endKey = (ref: number) => key(ref < 0 ? arcPos[~ref][0] : arcPos[ref][arcPos[ref].length - 1]);

  // Unshared, open arcs, by the points they leave from (in both directions).
  const free: number[] = [];
  const leaving = new Map<string, number[]>();
  for (let arc = 0; arc < arcPos.length; arc++) {
    if (uses[arc] !== 1 || startKey(arc) === endKey(arc)) continue;
    free.push(arc);
    for (const ref of [arc, ~arc]) {
      const k = startKey(ref);
      const list = leaving.get(k);
      if (list) list.push(ref);
      else leaving.set(k, [ref]);
    }
  }

  interface Candidate { arc: number; chain: number[]; distance: number }
  const candidates: Candidate[] = [];
  for (const arc of free) {
    const target = endKey(arc);
    const scale = metresPerUnit(arcPos[arc][0][1]);
    let best: Candidate | null = null;
    // Depth-first over chains of other areas' unshared arcs from the arc's start to its end.
    const walk = (chain: number[], at: string) => {
      for (const next of leaving.get(at) ?? []) {
        const a = next < 0 ? ~next : next;
        if (owner[a] === owner[arc] || chain.some((r) => (r < 0 ? ~r : r) === a)) continue;
        const extended = [...chain, next];
        const to = endKey(next);
        if (to === target) {
          const c = measure(arc, extended);
          if (c !== null && (best === null || c.distance < best.distance)) best = c;
        } else if (extended.length < options.maxChain) walk(extended, to);
      }
    };
    const measure = (a: number, chain: number[]): Candidate | null => {
      const line = arcXY[a];
      const other = chainXY(arcXY, chain);
      const distance = hausdorff(line, other) * scale;
      if (distance > options.maxDistanceMetres) return null;
      // The bubble: the arc forwards, back along the chain.
      const ring = Array.from(line);
      for (let i = other.length - 4; i >= 2; i -= 2) ring.push(other[i], other[i + 1]);
      const width = (Math.abs(ringArea(ring)) / Math.max(length(line), length(other))) * scale;
      return width > options.maxWidthMetres ? null : { arc: a, chain, distance };
    };
    walk([], startKey(arc));
    if (best !== null) candidates.push(best);
  }

  // Single arc against single arc: the area listed first keeps its line (one of the two candidates goes).
  const kept = candidates.filter((c) => {
    if (c.chain.length > 1) return true;
    const other = c.chain[0] < 0 ? ~c.chain[0] : c.chain[0];
    return owner[c.arc] > owner[other];
  });
  // Closest first; an arc that replaces another is never replaced itself, and vice versa.
  kept.sort((a, b) => a.distance - b.distance);
  const replaced = new Map<number, number[]>();
  const fixed = new Set<number>();
  for (const c of kept) {
    const chainArcs = c.chain.map((r) => (r < 0 ? ~r : r));
    if (fixed.has(c.arc) || replaced.has(c.arc) || chainArcs.some((a) => replaced.has(a))) continue;
    replaced.set(c.arc, c.chain);
    for (const a of chainArcs) fixed.add(a);
  }
  return replaced;
}

/** Interleaved points along a chain of references (shared end points once). */
function chainXY(arcXY: readonly Float64Array[], chain: readonly number[]): Float64Array {
  const out: number[] = [];
  for (const ref of chain) {
    const xy = arcXY[ref < 0 ? ~ref : ref], n = xy.length >> 1;
    for (let k = out.length ? 1 : 0; k < n; k++) {
      const i = ref < 0 ? n - 1 - k : k;
      out.push(xy[2 * i], xy[2 * i + 1]);
    }
  }
  return Float64Array.from(out);
}

function length(xy: Float64Array): number {
  let sum = 0;
  for (let i = 2; i < xy.length; i += 2) sum += Math.hypot(xy[i] - xy[i - 2], xy[i + 1] - xy[i - 1]);
  return sum;
}

/** Largest distance from a vertex of either line to the other line. */
function hausdorff(a: Float64Array, b: Float64Array): number {
  let h = 0;
  for (let i = 0; i < a.length; i += 2) h = Math.max(h, distanceToLine(a[i], a[i + 1], b));
  for (let i = 0; i < b.length; i += 2) h = Math.max(h, distanceToLine(b[i], b[i + 1], a));
  return h;
}

function distanceToLine(px: number, py: number, xy: Float64Array): number {
  let best = Infinity;
  for (let i = 0; i + 3 < xy.length; i += 2) {
    const ax = xy[i], ay = xy[i + 1], dx = xy[i + 2] - ax, dy = xy[i + 3] - ay;
    const l = dx * dx + dy * dy;
    const t = l > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l)) : 0;
    best = Math.min(best, Math.hypot(px - ax - t * dx, py - ay - t * dy));
  }
  return best;
}
