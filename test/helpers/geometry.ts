/** Small geometry helpers for tests: a hand-made (SYNTHETIC) box, and the distance from a point to rings. */
import type { Position } from 'geojson';

/** An axis-aligned box as a closed ring, counter-clockwise. */
export function box(w: number, s: number, e: number, n: number): Position[] {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
}

/** Distance from (x, y) to the nearest segment of any of the rings (in the rings' units). */
export function distanceToRings(rings: readonly (readonly Position[])[], x: number, y: number): number {
  let best = Infinity;
  for (const ring of rings) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const [x0, y0] = ring[k];
      const dx = ring[k + 1][0] - x0;
      const dy = ring[k + 1][1] - y0;
      const length2 = dx * dx + dy * dy;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / length2));
      best = Math.min(best, Math.hypot(x - x0 - t * dx, y - y0 - t * dy));
    }
  }
  return best;
}
