/**
 * Visvalingam–Whyatt effective areas of a polyline, in the units² of its (planar) coordinates.
 *
 * The weight of an inner point is the area of the triangle it forms with its neighbours at the moment it would be
 * removed; weights never decrease along the elimination order (a point cannot be eliminated before points removed
 * earlier), as in topojson-simplify's presimplify. The two end points weigh Infinity: they are always kept. Keeping
 * the points whose weight is ≥ a threshold gives the simplification at that threshold, for any threshold, from one pass.
 */

/** `xy` is interleaved [x0, y0, x1, y1, …]; returns one weight per point. */
export function effectiveAreas(xy: Float64Array): Float64Array {
  const n = xy.length >> 1;
  const weights = new Float64Array(n);
  if (n === 0) return weights;
  weights[0] = Infinity;
  weights[n - 1] = Infinity;
  if (n < 3) return weights;

  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1;
  }
  const heap = new MinHeap(n);
  for (let i = 1; i < n - 1; i++) heap.push(i, triangleArea(xy, i - 1, i, i + 1));

  let maxWeight = 0;
  while (heap.size > 0) {
    const i = heap.pop();
    let w = heap.keyOf(i);
    if (w < maxWeight) w = maxWeight;
    else maxWeight = w;
    weights[i] = w;
    const p = prev[i];
    const q = next[i];
    next[p] = q;
    prev[q] = p;
    if (p > 0) heap.update(p, triangleArea(xy, prev[p], p, q));
    if (q < n - 1) heap.update(q, triangleArea(xy, p, q, next[q]));
  }
  return weights;
}

function triangleArea(xy: Float64Array, a: number, b: number, c: number): number {
  const ax = xy[2 * a], ay = xy[2 * a + 1];
  return Math.abs((xy[2 * b] - ax) * (xy[2 * c + 1] - ay) - (xy[2 * c] - ax) * (xy[2 * b + 1] - ay)) / 2;
}

/** A binary min-heap of point indices keyed by weight, with decrease/increase-key. */
class MinHeap {
  private readonly items: Int32Array;
  private readonly pos: Int32Array;
  private readonly keys: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.keys = new Float64Array(capacity);
  }

  keyOf(i: number): number {
    return this.keys[i];
  }

  push(i: number, key: number): void {
    this.keys[i] = key;
    this.items[this.size] = i;
    this.pos[i] = this.size;
    this.up(this.size++);
  }

  pop(): number {
    const top = this.items[0];
    this.pos[top] = -1;
    const last = this.items[--this.size];
    if (this.size > 0) {
      this.items[0] = last;
      this.pos[last] = 0;
      this.down(0);
    }
    return top;
  }

  update(i: number, key: number): void {
    const at = this.pos[i];
    if (at < 0) return;
    const old = this.keys[i];
    this.keys[i] = key;
    if (key < old) this.up(at);
    else this.down(at);
  }

  private less(a: number, b: number): boolean {
    const ka = this.keys[a], kb = this.keys[b];
    return ka < kb || (ka === kb && a < b);
  }

  private up(at: number): void {
    const { items, pos } = this;
    const item = items[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(item, items[parent])) break;
      items[at] = items[parent];
      pos[items[at]] = at;
      at = parent;
    }
    items[at] = item;
    pos[item] = at;
  }

  private down(at: number): void {
    const { items, pos } = this;
    const item = items[at];
    for (;;) {
      const left = 2 * at + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.less(items[right], items[left]) ? right : left;
      if (!this.less(items[child], item)) break;
      items[at] = items[child];
      pos[items[at]] = at;
      at = child;
    }
    items[at] = item;
    pos[item] = at;
  }
}
