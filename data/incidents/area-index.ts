/**
 * Point-in-polygon lookup over a set of areas (the RegSO partition of Sweden), fast enough to place millions of
 * incident points per run (5 M points against 3,363 areas in a few seconds on one core).
 *
 * Three stages, each only consulted when the one before cannot answer:
 *
 * Stage 0: one grid over all areas (up to 2^22 cells, ~0.5 km in Sweden) holding, per cell, the one area that
 * wholly contains it, or "no area", or "ask stages 1–2" (cells an area boundary passes through, or that
 * overlapping areas share). Most points in larger areas are answered here with a single read. Without it the
 * R-tree walk of stage 1 (~60 box tests per point against the national RegSO) was the largest cost per point.
 *
 * Stage 1: a Flatbush R-tree over the areas' bounding boxes picks the candidate areas for the point (in a
 * partition usually 1–3 boxes contain any given point).
 *
 * Stage 2: an exact even-odd test against each candidate. Real RegSO polygons have thousands of vertices, so a
 * plain ray cast (every edge, every point) would dominate. Two per-area structures make it cheap:
 *  - A raster over the area's bbox (about 8 cells per edge, at least 1,024) saying for each cell "wholly inside",
 *    "wholly outside" or "touched by an edge". Most candidates are settled with one byte read.
 *  - Bands, for points in edge cells: the area's edges bucketed into horizontal bands of equal height. A
 *    horizontal ray at height y can only cross edges whose y-range contains y, and those are all in the band
 *    containing y: a ray cast tests a handful of edges instead of thousands.
 *
 * Neither grid ever changes an answer: a cell is only marked inside / outside / no area when no edge comes within
 * EPS of it, so every point in it is strictly inside or outside and the ray cast would say the same. Only the ray
 * cast decides points on or near edges, so the boundary rule below is the whole story.
 *
 * Boundary rule (half-open, documented because ingest counts depend on it):
 *  - An edge counts as crossed by the ray from (x, y) towards +x iff  y0 <= y < y1  (y0 < y1 being the edge's
 *    lower and upper ends) and the edge lies strictly to the right of the point at height y.
 *  - Equivalently, a point is assigned as if it were nudged infinitesimally right, then (much less) up: a point on a
 *    vertical or sloping left boundary of an area is inside it, a point on its right boundary is not; a point on a
 *    horizontal bottom boundary is inside, on a top boundary is not. At a vertex shared by several areas the point
 *    goes to the area that lies right of and just above it.
 *  - The decision for one (point, edge) pair depends only on the point and the edge's two end points, never on
 *    which polygon the edge belongs to or the direction its ring runs: each edge is stored normalised (lower end
 *    first). So when neighbouring areas share a boundary with identical vertices (as SCB's RegSO/DeSO do), every
 *    point on the shared boundary lands in exactly one of them, never in both or neither. For points exactly on a
 *    sloping edge the "on the edge" test is subject to floating-point rounding, but it is the same rounding for
 *    both neighbours, so the exactly-one property still holds.
 *  - Horizontal edges are never crossed by a horizontal ray under this rule, so they are left out of the bands
 *    (they still mark grid cells as edge cells).
 *
 * Even-odd over all rings of an area means holes and multipolygon parts need no special handling (for valid
 * geometry, where parts do not overlap). Rings may be given closed (GeoJSON) or open; the closing edge is implied.
 */
import Flatbush from 'flatbush';
import type { MultiPolygon, Polygon } from 'geojson';

export interface IndexedArea {
  /** Coordinates in EPSG:3006 metres. */
  geometry: Polygon | MultiPolygon;
}

/** Per area, at most this many band entries per edge on average (an edge taller than a band is stored in each
 * band it spans). Bounds memory to about 4 × 32 bytes per edge. */
const MAX_ENTRIES_PER_EDGE = 4;
/** Start with one band per this many edges, then halve the band count until the entry budget above holds. With
 * ~2 edges per band plus the few edges crossing the band, a ray cast tests ~5 edges. */
const EDGES_PER_BAND = 2;
/** Per-area raster: cells per edge, and the floor and ceiling per area (one byte each). */
const CELLS_PER_EDGE = 8;
const MIN_CELLS = 1024;
const MAX_CELLS = 1 << 18;
/** Per-area raster cell states. */
const OUT = 0;
const IN = 1;
const EDGE = 2;
/** National grid: cells per vertex and at most (4 bytes each, 16 MB), and its two non-area labels. */
const GRID_CELLS_PER_VERTEX = 64;
const MAX_GRID_CELLS = 1 << 22;
const NO_AREA = -1;
const ASK = -2;
/** Node size of the R-tree: smaller nodes mean fewer box tests per point query where area bboxes overlap a lot
 * (big rural areas around small urban ones); measured 4–8 best, 16 (Flatbush's default) ~30 % slower. */
const TREE_NODE_SIZE = 8;
/**
 * Per-area metadata, one Float64Array row each so that a lookup touches one or two cache lines: bbox; raster
 * 1/cell size, columns, rows, first cell (its origin is the bbox min); band 1/height, count, first band.
 */
const M_MINX = 0, M_MINY = 1, M_MAXX = 2, M_MAXY = 3, M_CELL_INV = 4, M_NX = 5, M_NY = 6, M_RASTER = 7;
const M_BAND_INV = 8, M_NBANDS = 9, M_BAND_BASE = 10;
const META = 12;

/** A regular grid of square cells, row-major from (x0, y0). */
interface Grid {
  x0: number;
  y0: number;
  size: number;
  inv: number;
  nx: number;
  ny: number;
  /** How close an edge may come to a cell before it counts as touching it (see markSegment). */
  eps: number;
}

export class AreaIndex {
  /** Number of areas. */
  readonly size: number;
  /** Total stored (non-horizontal) edges, band entries, per-area raster cells and national grid cells. */
  readonly edgeCount: number;
  readonly entryCount: number;
  readonly cellCount: number;
  readonly gridCellCount: number;

  private readonly meta: Float64Array;
  /** bandStart[bandBase + b] .. bandStart[bandBase + b + 1]: band b of an area, as entry numbers. */
  private readonly bandStart: Uint32Array;
  /**
   * Band entries, 4 doubles each: x0, y0, y1, slope (dx/dy) of the normalised edge (y0 < y1). Edges are copied
   * into every band they span rather than referenced by index, so a ray cast reads one contiguous run of memory.
   */
  private readonly entries: Float64Array;
  /** All areas' rasters, row-major, one state byte per cell. */
  private readonly raster: Uint8Array;
  /** National grid: per cell an area index, NO_AREA or ASK. */
  private readonly grid: Grid;
  private readonly labels: Int32Array;

  private readonly tree: Flatbush;
  /** Flatbush's packed tree, read directly by `locateAll` (see there). */
  private readonly treeBoxes: Float64Array;
  private readonly treeIndices: Uint16Array | Uint32Array;
  private readonly treeLevelBounds: number[];
  /** Traversal stack of (node position, level) pairs; depth × node size bounds its use. */
  private readonly stack: Int32Array;
  private readonly scratch: number[] = [];
  /** Build-time scratch for scanInside. */
  private crossings: Float64Array = new Float64Array(64);

  constructor(areas: readonly IndexedArea[]) {
    const n = areas.length;
    this.size = n;
    const meta = (this.meta = new Float64Array(META * n));

    // Pass 1: bboxes, vertex counts and raster sizes.
    const ringsByArea = areas.map((a) => ringsOf(a.geometry));
    let vertexTotal = 0;
    let cellTotal = 0;
    let allMinX = Infinity, allMinY = Infinity, allMaxX = -Infinity, allMaxY = -Infinity;
    for (let a = 0; a < n; a++) {
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, vertices = 0;
      for (const ring of ringsByArea[a]) {
        vertices += ring.length;
        for (const p of ring) {
          const x = p[0], y = p[1];
          if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`area ${a}: non-finite coordinate (${x}, ${y})`);
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
      if (vertices === 0) throw new RangeError(`area ${a}: empty geometry`);
      vertexTotal += vertices;
      const o = META * a;
      meta[o + M_MINX] = minX;
      meta[o + M_MINY] = minY;
      meta[o + M_MAXX] = maxX;
      meta[o + M_MAXY] = maxY;
      const g = gridOver(minX, minY, maxX, maxY, Math.min(MAX_CELLS, Math.max(MIN_CELLS, CELLS_PER_EDGE * vertices)));
      meta[o + M_CELL_INV] = g.inv;
      meta[o + M_NX] = g.nx;
      meta[o + M_NY] = g.ny;
      meta[o + M_RASTER] = cellTotal;
      cellTotal += g.nx * g.ny;
      allMinX = Math.min(allMinX, minX);
      allMinY = Math.min(allMinY, minY);
      allMaxX = Math.max(allMaxX, maxX);
      allMaxY = Math.max(allMaxY, maxY);
    }
    this.cellCount = cellTotal;
    const raster = (this.raster = new Uint8Array(cellTotal).fill(OUT));
    const gridCells = Math.min(MAX_GRID_CELLS, GRID_CELLS_PER_VERTEX * vertexTotal);
    const grid = (this.grid = n > 0 ? gridOver(allMinX, allMinY, allMaxX, allMaxY, gridCells) : gridOver(0, 0, 0, 0, 1));
    this.gridCellCount = grid.nx * grid.ny;
    const labels = (this.labels = new Int32Array(this.gridCellCount).fill(NO_AREA));

    // Pass 2: normalised non-horizontal edges for the bands; every edge marks the cells it touches, in its area's
    // raster and in the national grid.
    const edges = new Float64Array(4 * vertexTotal); // x0, y0, x1, y1 with y0 < y1
    const edgeStart = new Uint32Array(n + 1);
    let e = 0;
    for (let a = 0; a < n; a++) {
      edgeStart[a] = e;
      const own = this.rasterGrid(a);
      const first = meta[META * a + M_RASTER];
      for (const ring of ringsByArea[a]) {
        const len = ring.length;
        for (let i = 0; i < len; i++) {
          const p = ring[i];
          const q = ring[i + 1 === len ? 0 : i + 1];
          const px = p[0], py = p[1], qx = q[0], qy = q[1];
          if (px === qx && py === qy) continue; // repeated vertex, e.g. the closing one
          markSegment(own, raster, first, EDGE, px, py, qx, qy);
          markSegment(grid, labels, 0, ASK, px, py, qx, qy);
          if (py === qy) continue; // horizontal: never crossed, see header
          if (py < qy) {
            edges[4 * e] = px; edges[4 * e + 1] = py; edges[4 * e + 2] = qx; edges[4 * e + 3] = qy;
          } else {
            edges[4 * e] = qx; edges[4 * e + 1] = qy; edges[4 * e + 2] = px; edges[4 * e + 3] = py;
          }
          e++;
        }
      }
    }
    edgeStart[n] = e;
    this.edgeCount = e;

    // Pass 3: choose each area's band count, then count entries per band (CSR layout).
    let bandTotal = 0;
    const firstBand = new Int32Array(e); // band range of each edge, reused in pass 4
    const lastBand = new Int32Array(e);
    let entryTotal = 0;
    for (let a = 0; a < n; a++) {
      const o = META * a;
      const e0 = edgeStart[a], e1 = edgeStart[a + 1];
      const minY = meta[o + M_MINY], height = meta[o + M_MAXY] - minY;
      let nb = height > 0 ? Math.max(1, Math.ceil((e1 - e0) / EDGES_PER_BAND)) : 1;
      let invH = 0;
      for (;;) {
        invH = height > 0 ? nb / height : 0;
        let total = 0;
        for (let k = e0; k < e1; k++) {
          // Same band function as the query (bandOf), so monotonicity guarantees that an edge with
          // y0 <= y < y1 is registered in the band the query looks at, whatever the rounding.
          const b0 = bandOf(edges[4 * k + 1], minY, invH, nb);
          const b1 = bandOf(edges[4 * k + 3], minY, invH, nb);
          firstBand[k] = b0;
          lastBand[k] = b1;
          total += b1 - b0 + 1;
        }
        if (nb === 1 || total <= MAX_ENTRIES_PER_EDGE * (e1 - e0)) {
          entryTotal += total;
          break;
        }
        nb = Math.max(1, nb >> 1);
      }
      meta[o + M_BAND_INV] = invH;
      meta[o + M_NBANDS] = nb;
      meta[o + M_BAND_BASE] = bandTotal;
      bandTotal += nb;
    }
    this.entryCount = entryTotal;

    const bandStart = (this.bandStart = new Uint32Array(bandTotal + 1));
    for (let a = 0; a < n; a++) {
      const base = meta[META * a + M_BAND_BASE];
      for (let k = edgeStart[a]; k < edgeStart[a + 1]; k++) {
        for (let b = firstBand[k]; b <= lastBand[k]; b++) bandStart[base + b + 1]++;
      }
    }
    for (let i = 0; i < bandTotal; i++) bandStart[i + 1] += bandStart[i];

    // Pass 4: fill the band entries.
    const entries = (this.entries = new Float64Array(4 * entryTotal));
    const fill = bandStart.slice(0, bandTotal);
    for (let a = 0; a < n; a++) {
      const base = meta[META * a + M_BAND_BASE];
      for (let k = edgeStart[a]; k < edgeStart[a + 1]; k++) {
        const x0 = edges[4 * k], y0 = edges[4 * k + 1], x1 = edges[4 * k + 2], y1 = edges[4 * k + 3];
        const slope = (x1 - x0) / (y1 - y0);
        for (let b = firstBand[k]; b <= lastBand[k]; b++) {
          const at = 4 * fill[base + b]++;
          entries[at] = x0;
          entries[at + 1] = y0;
          entries[at + 2] = y1;
          entries[at + 3] = slope;
        }
      }
    }

    // Pass 5: cells no edge touches are wholly inside or outside an area; scanlines through the rows of cell
    // centres find the inside ones. In the national grid a cell inside two areas (overlap) goes to stage 1.
    for (let a = 0; a < n; a++) {
      this.scanInside(a, this.rasterGrid(a), raster, meta[META * a + M_RASTER]);
      this.scanInside(a, grid, labels, 0);
    }

    this.tree = new Flatbush(Math.max(n, 1), TREE_NODE_SIZE);
    for (let a = 0; a < n; a++) {
      const o = META * a;
      this.tree.add(meta[o + M_MINX], meta[o + M_MINY], meta[o + M_MAXX], meta[o + M_MAXY]);
    }
    if (n === 0) this.tree.add(Infinity, Infinity, -Infinity, -Infinity); // Flatbush needs ≥ 1 item; never hit
    this.tree.finish();
    if (!(this.tree._boxes instanceof Float64Array) || !Array.isArray(this.tree._levelBounds)) {
      throw new Error('unexpected Flatbush internals: AreaIndex needs flatbush 4 with Float64Array boxes');
    }
    this.treeBoxes = this.tree._boxes;
    this.treeIndices = this.tree._indices;
    this.treeLevelBounds = this.tree._levelBounds;
    this.stack = new Int32Array(2 * (this.tree.nodeSize * this.treeLevelBounds.length + 1));
  }

  /** Index of the first area (lowest index) containing (x, y), or -1. */
  locate(x: number, y: number): number {
    const n = this.locateAll(x, y, this.scratch);
    return n === 0 ? -1 : this.scratch[0];
  }

  /**
   * Every area containing (x, y), ascending, written into `out` (replacing its content); returns how many. More
   * than one means overlapping areas (e.g. sources that are not a clean partition).
   */
  locateAll(x: number, y: number, out: number[]): number {
    // Stage 0. NaN fails every comparison and so reaches the walk below, which finds nothing either.
    const g = this.grid;
    const gc = Math.floor((x - g.x0) * g.inv);
    const gr = Math.floor((y - g.y0) * g.inv);
    if (gc >= 0 && gc < g.nx && gr >= 0 && gr < g.ny) {
      const label = this.labels[gr * g.nx + gc];
      if (label >= 0) {
        out[0] = label;
        if (out.length !== 1) out.length = 1;
        return 1;
      }
      if (label === NO_AREA) {
        if (out.length !== 0) out.length = 0;
        return 0;
      }
    }

    // Stage 1: the same walk as Flatbush's search(x, y, x, y), over its packed arrays: search() allocates a queue
    // and a result array and calls back per hit, which cost more than the exact tests at millions of points.
    let count = 0;
    const boxes = this.treeBoxes, indices = this.treeIndices, levelBounds = this.treeLevelBounds;
    const nodeSize4 = TREE_NODE_SIZE * 4;
    const leafEnd = this.size * 4; // positions below this are areas, above are tree nodes
    const stack = this.stack;
    let sp = 0;
    let node = boxes.length - 4;
    let level = levelBounds.length - 1;
    for (;;) {
      const end = Math.min(node + nodeSize4, levelBounds[level]);
      for (let pos = node; pos < end; pos += 4) {
        // Branch-free box test: the four outcomes are unpredictable for random points, and one combined branch
        // instead of four short-circuit ones made the walk ~30 % faster.
        const hit = +(x >= boxes[pos]) & +(y >= boxes[pos + 1]) & +(x <= boxes[pos + 2]) & +(y <= boxes[pos + 3]);
        if (hit === 0) continue;
        const index = indices[pos >> 2];
        if (pos >= leafEnd) {
          stack[sp++] = index;
          stack[sp++] = level - 1;
        } else if (this.containsInBbox(index, x, y)) {
          out[count++] = index;
        }
      }
      if (sp === 0) break;
      level = stack[--sp];
      node = stack[--sp];
    }
    // Truncate only when needed: setting .length is a runtime call, and out usually already has the right length.
    if (out.length !== count) out.length = count;
    if (count > 1) out.sort(ascending); // tree order is not index order
    return count;
  }

  /** Whether area `area` contains (x, y), under the boundary rule above. */
  contains(area: number, x: number, y: number): boolean {
    const o = META * area;
    const m = this.meta;
    if (!(x >= m[o + M_MINX] && x <= m[o + M_MAXX] && y >= m[o + M_MINY] && y <= m[o + M_MAXY])) return false;
    return this.containsInBbox(area, x, y);
  }

  /** Bounding box of an area: [minX, minY, maxX, maxY]. */
  bboxOf(area: number): [number, number, number, number] {
    const o = META * area;
    const m = this.meta;
    return [m[o + M_MINX], m[o + M_MINY], m[o + M_MAXX], m[o + M_MAXY]];
  }

  /** Stage 2: raster cell first, then (edge cells only) the even-odd ray cast over one band. Bbox already checked. */
  private containsInBbox(area: number, x: number, y: number): boolean {
    const m = this.meta;
    const o = META * area;
    const minY = m[o + M_MINY];
    const inv = m[o + M_CELL_INV];
    const nx = m[o + M_NX];
    // x ≥ minX here, so c ≥ 0; c = nx only on the bbox's right edge. Rounding that puts a point in a neighbouring
    // cell is harmless: inside/outside cells are clear of edges by EPS on every side.
    let c = Math.floor((x - m[o + M_MINX]) * inv);
    if (c >= nx) c = nx - 1;
    let r = Math.floor((y - minY) * inv);
    if (r >= m[o + M_NY]) r = m[o + M_NY] - 1;
    const state = this.raster[m[o + M_RASTER] + r * nx + c];
    if (state !== EDGE) return state === IN;
    return this.rayCast(area, x, y);
  }

  /** Even-odd ray cast towards +x over the edges of the band containing y. */
  private rayCast(area: number, x: number, y: number): boolean {
    const m = this.meta;
    const o = META * area;
    const band = m[o + M_BAND_BASE] + bandOf(y, m[o + M_MINY], m[o + M_BAND_INV], m[o + M_NBANDS]);
    const end = 4 * this.bandStart[band + 1];
    const ent = this.entries;
    let inside = false;
    for (let i = 4 * this.bandStart[band]; i < end; i += 4) {
      // Half-open in y (see header): a vertex exactly at the ray's height counts for the edge above it only, so a
      // ray through a vertex is counted once where the boundary passes through and 0 or 2 times where it touches.
      if (y < ent[i + 1] || y >= ent[i + 2]) continue;
      if (x < ent[i] + (y - ent[i + 1]) * ent[i + 3]) inside = !inside;
    }
    return inside;
  }

  private rasterGrid(area: number): Grid {
    const m = this.meta;
    const o = META * area;
    const inv = m[o + M_CELL_INV];
    return { x0: m[o + M_MINX], y0: m[o + M_MINY], size: 1 / inv, inv, nx: m[o + M_NX], ny: m[o + M_NY], eps: epsFor(m[o + M_MINX], m[o + M_MINY], m[o + M_MAXX], m[o + M_MAXY]) };
  }

  /**
   * Marks the cells of `g` whose centre is inside `area`, found by a scanline through each row of cell centres
   * using the area's bands. In an area's raster (Uint8Array) such a cell becomes IN unless it is an EDGE cell; in
   * the national grid (Int32Array) it gets the area's index if no other area claimed it and no edge touches it,
   * else ASK. Only cells no edge touches are meant: a centre within rounding of a crossing lies in the cell the
   * crossing point is in, an edge cell, so the rounding of the span ends does not matter.
   */
  private scanInside(area: number, g: Grid, cells: Uint8Array | Int32Array, first: number): void {
    const isRaster = cells instanceof Uint8Array;
    const m = this.meta;
    const o = META * area;
    const minY = m[o + M_MINY], maxY = m[o + M_MAXY];
    const nb = m[o + M_NBANDS], bandBase = m[o + M_BAND_BASE], invH = m[o + M_BAND_INV];
    const ent = this.entries;
    const r0 = Math.max(0, Math.floor((minY - g.y0) * g.inv - 0.5));
    const r1 = Math.min(g.ny - 1, Math.ceil((maxY - g.y0) * g.inv - 0.5));
    let xs = this.crossings;
    for (let r = r0; r <= r1; r++) {
      const y = g.y0 + (r + 0.5) * g.size;
      if (y < minY || y >= maxY) continue;
      const band = bandBase + bandOf(y, minY, invH, nb);
      let k = 0;
      for (let i = 4 * this.bandStart[band], end = 4 * this.bandStart[band + 1]; i < end; i += 4) {
        if (y < ent[i + 1] || y >= ent[i + 2]) continue;
        if (k === xs.length) xs = this.crossings = grow(xs);
        xs[k++] = ent[i] + (y - ent[i + 1]) * ent[i + 3];
      }
      const sorted = xs.subarray(0, k).sort();
      // A centre is inside iff an odd number of crossings lie right of it: iff it is in [xs[2j], xs[2j+1]).
      for (let j = 0; j + 1 < k; j += 2) {
        const c0 = Math.max(0, Math.ceil((sorted[j] - g.x0) * g.inv - 0.5));
        const c1 = Math.min(g.nx - 1, Math.ceil((sorted[j + 1] - g.x0) * g.inv - 0.5) - 1);
        const row = first + r * g.nx;
        if (isRaster) {
          for (let c = c0; c <= c1; c++) if (cells[row + c] !== EDGE) cells[row + c] = IN;
        } else {
          for (let c = c0; c <= c1; c++) {
            const label = cells[row + c];
            if (label === NO_AREA) cells[row + c] = area;
            else if (label !== ASK && label !== area) cells[row + c] = ASK;
          }
        }
      }
    }
  }
}

/**
 * A grid of about `cells` square cells over a bbox, with at most `cells` per row or column (which bounds the total
 * at ~3 × cells even for a sliver-thin bbox, and gives a degenerate one a single row or column).
 */
function gridOver(minX: number, minY: number, maxX: number, maxY: number, cells: number): Grid {
  const w = maxX - minX, h = maxY - minY;
  const size = Math.max(Math.sqrt((w * h) / cells), Math.max(w, h) / cells) || 1;
  const nx = Math.max(1, Math.ceil(w / size)), ny = Math.max(1, Math.ceil(h / size));
  return { x0: minX, y0: minY, size, inv: 1 / size, nx, ny, eps: epsFor(minX, minY, maxX, maxY) };
}

/** 1e-9 of the coordinates' magnitude (~7 mm in SWEREF 99 TM): see markSegment. */
function epsFor(minX: number, minY: number, maxX: number, maxY: number): number {
  return 1e-9 * Math.max(Math.abs(minX), Math.abs(minY), Math.abs(maxX), Math.abs(maxY), 1);
}

/**
 * Sets to `value` every cell of `g` (stored from `first` in `cells`) that the segment p–q comes within g.eps of:
 * for each column the segment's x-range (widened by eps) spans, the rows its y-range over that column (widened by
 * eps) spans. eps is far above the rounding of these computations and of a query's cell lookup, and far below
 * any cell size, so a cell left unmarked is certainly clear of the segment.
 */
function markSegment(g: Grid, cells: Uint8Array | Int32Array, first: number, value: number, px: number, py: number, qx: number, qy: number): void {
  const { x0, y0, size, inv, nx, ny, eps } = g;
  const xa = Math.min(px, qx), xb = Math.max(px, qx);
  const c0 = clamp(Math.floor((xa - eps - x0) * inv), nx);
  const c1 = clamp(Math.floor((xb + eps - x0) * inv), nx);
  for (let c = c0; c <= c1; c++) {
    let ya = py, yb = qy;
    if (px !== qx) {
      ya = yOnSegment(Math.max(xa, x0 + c * size - eps), px, py, qx, qy);
      yb = yOnSegment(Math.min(xb, x0 + (c + 1) * size + eps), px, py, qx, qy);
    }
    const r0 = clamp(Math.floor((Math.min(ya, yb) - eps - y0) * inv), ny);
    const r1 = clamp(Math.floor((Math.max(ya, yb) + eps - y0) * inv), ny);
    for (let r = r0; r <= r1; r++) cells[first + r * nx + c] = value;
  }
}

/** y of the (non-vertical) segment p–q at x; exact at the end points. */
function yOnSegment(x: number, px: number, py: number, qx: number, qy: number): number {
  return x === px ? py : x === qx ? qy : py + ((x - px) * (qy - py)) / (qx - px);
}

function clamp(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function ascending(a: number, b: number): number {
  return a - b;
}

/** Band of height y. Monotonic in y (IEEE subtraction, multiplication by a positive constant and floor all are). */
function bandOf(y: number, minY: number, invH: number, nb: number): number {
  const b = Math.floor((y - minY) * invH);
  return b < 0 ? 0 : b >= nb ? nb - 1 : b;
}

function ringsOf(g: Polygon | MultiPolygon): number[][][] {
  if (g.type === 'Polygon') return g.coordinates;
  if (g.type === 'MultiPolygon') return g.coordinates.flat(1);
  throw new TypeError(`expected Polygon or MultiPolygon, got ${(g as { type: string }).type}`);
}
