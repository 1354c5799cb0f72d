/** Small hand-made geometry for tests (SYNTHETIC): an axis-aligned box as a closed ring, counter-clockwise. */
import type { Position } from 'geojson';

export function box(w: number, s: number, e: number, n: number): Position[] {
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
}
