/**
 * Planar predicates on interleaved coordinate arrays ([x0, y0, x1, y1, …]): orientation, segment conflicts,
 * point in ring, ring area. Plain double arithmetic: near-degenerate cases may be reported as conflicts, which only
 * costs the generaliser an extra kept point.
 */

/** Twice the signed area of triangle (a, b, c): > 0 when a → b → c turns left (counter-clockwise, y up). */
export function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Whether (px, py), known to be collinear with a–b, lies within the closed segment's box. */
function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/**
 * Whether two closed segments a–b and c–d meet anywhere except at shared end points. A crossing, an end point
 * touching the other segment's interior and a collinear overlap are conflicts; two segments meeting only at a common
 * end point (consecutive segments of a line, arcs meeting at a junction) are not, and neither are two identical
 * segments (two lines between the same points simplified onto each other: the sliver between them is gone).
 */
export function segmentsConflict(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
): boolean {
  const ac = ax === cx && ay === cy, ad = ax === dx && ay === dy;
  const bc = bx === cx && by === cy, bd = bx === dx && by === dy;
  if ((ac && bd) || (ad && bc)) return false;
  if (ac || ad || bc || bd) {
    // One shared end point P; conflict only if the other ends Q, R are collinear with P on the same side.
    const px = ac || ad ? ax : bx, py = ac || ad ? ay : by;
    const qx = ac || ad ? bx : ax, qy = ac || ad ? by : ay;
    const rx = ac || bc ? dx : cx, ry = ac || bc ? dy : cy;
    if (orient(px, py, qx, qy, rx, ry) !== 0) return false;
    return (qx - px) * (rx - px) + (qy - py) * (ry - py) > 0;
  }
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) return true;
  if (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) return true;
  if (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) return true;
  if (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by)) return true;
  return false;
}

/** Signed area (y up: counter-clockwise > 0) of the closed ring through points `from..to` of `xy` (inclusive). */
export function ringArea(xy: ArrayLike<number>, from = 0, to = (xy.length >> 1) - 1): number {
  let sum = 0;
  let px = xy[2 * to], py = xy[2 * to + 1];
  for (let i = from; i <= to; i++) {
    const x = xy[2 * i], y = xy[2 * i + 1];
    sum += px * y - x * py;
    px = x;
    py = y;
  }
  return sum / 2;
}

/**
 * Even–odd point in ring for the closed ring through points `from..to` of `xy` (the closing segment to → from is
 * implied; a repeated closing point does no harm). Points on the boundary may go either way.
 */
export function pointInRing(px: number, py: number, xy: ArrayLike<number>, from = 0, to = (xy.length >> 1) - 1): boolean {
  let inside = false;
  let jx = xy[2 * to], jy = xy[2 * to + 1];
  for (let i = from; i <= to; i++) {
    const ix = xy[2 * i], iy = xy[2 * i + 1];
    if (iy > py !== jy > py && px < ((jx - ix) * (py - iy)) / (jy - iy) + ix) inside = !inside;
    jx = ix;
    jy = iy;
  }
  return inside;
}

/**
 * Whether any two segments of the closed rings (each interleaved, closing point repeated or not) conflict in the sense
 * of segmentsConflict: a self-intersection or a ring crossing another. Sweeps segments sorted by x.
 */
export function ringsConflict(rings: readonly ArrayLike<number>[]): boolean {
  const segs: number[] = [];
  for (const xy of rings) {
    const n = xy.length >> 1;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1];
      if (ax === bx && ay === by) continue;
      segs.push(ax, ay, bx, by);
    }
  }
  const count = segs.length / 4;
  const order = Array.from({ length: count }, (_, s) => s).sort((s, t) => Math.min(segs[4 * s], segs[4 * s + 2]) - Math.min(segs[4 * t], segs[4 * t + 2]));
  for (let p = 0; p < count; p++) {
    const s = order[p];
    const ax = segs[4 * s], ay = segs[4 * s + 1], bx = segs[4 * s + 2], by = segs[4 * s + 3];
    const maxX = Math.max(ax, bx), minY = Math.min(ay, by), maxY = Math.max(ay, by);
    for (let q = p + 1; q < count; q++) {
      const t = order[q];
      const cx = segs[4 * t], cy = segs[4 * t + 1], dx = segs[4 * t + 2], dy = segs[4 * t + 3];
      if (Math.min(cx, dx) > maxX) break;
      if (Math.max(cy, dy) < minY || Math.min(cy, dy) > maxY) continue;
      if (segmentsConflict(ax, ay, bx, by, cx, cy, dx, dy)) return true;
    }
  }
  return false;
}
