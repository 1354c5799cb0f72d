/**
 * Every tile of z0–12 over the national data (the data's bounds, `tilesCovering`) of every year's tileset (the alias
 * `omradestyper` serves the latest year's tiles), made in-process by TileMaker (no HTTP, no compression: 69,266
 * tiles a year) and decoded with @mapbox/vector-tile (test/helpers/tile-sweep.ts), held to MVT 2.1: layer version 2,
 * extent 4096, unique layer names, unique numeric ids per layer, well-formed commands, polygon rings with ≥ 4 points
 * incl. closing, no repeated points (zero-length LineTo, repeated closing point), no zero area, exteriors positive
 * (clockwise on screen, y down) and holes negative after an exterior; points and lines sane. No labels below z7.
 *
 * Disclosure. The same decoded tiles are read by test/helpers/leak-check.ts: no property of a restricted metric, no
 * count (or rate) whose raw value is 1 … minCount − 1, every figure the raw one, no dissolved block total over exactly
 * one suppressed area, every area shown — the tile part of the national no-leak proof (test/disclosure/national.test.ts).
 *
 * Seams. Sample points on a lattice in each zoom's tile coordinates, within the data's bounds: every 2^z tile units
 * up to z8 (the same ground spacing, ≈ 5 km, ≥ 50,000 points over Sweden's bounding box at every zoom, where Sweden
 * fills only part of a few tiles), then every 256 units (16 × 16 per tile). Among the points covered by exactly one
 * SOURCE area (the dataset's WGS84 polygons projected to the Web Mercator plane tiles are cut in, looked up with
 * AreaIndex), we count those the tile's `regso` layer covers by no polygon (a gap) or by two or more (an overlap),
 * each polygon by the even-odd rule over its rings. Below z7 `regso` holds the dissolved kommun × områdestyp
 * polygons: still a partition, same check. The geometry is the same for every year from z7 (only the dissolved
 * polygons depend on the year), so seams are counted for the latest year at every zoom and for the others below z7.
 *
 * That raw rate also counts what generalisation does by design at the outline of the partition (coast, national
 * border, lakes) and around the sources' own gaps and overlaps (real vs synthetic regions): an outline simplified by
 * a few pixels leaves source-covered points uncovered, or covers a lake. So the seam rate asserted at every zoom is the
 * one over *interior* points: points farther than the zoom's generalisation margin from the outline of the source
 * partition (every source edge that does not have exactly one area on each side). There any gap or overlap in the
 * tile is a seam between neighbours. The raw rate is asserted where the source is served unsimplified (z ≥ 11).
 */
import Flatbush from 'flatbush';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetBounds, type Dataset } from '../../data/dataset.ts';
import { AreaIndex } from '../../data/incidents/area-index.ts';
import { AREA_LAYER, DISSOLVE_BELOW_ZOOM } from '../../tiles/attributes.ts';
import { bandOf, bandTolerance, TOLERANCE_PX, UNSIMPLIFIED_FROM_ZOOM } from '../../tiles/generalise.ts';
import type { TileAddress } from '../../tiles/grid.ts';
import { mercatorX, mercatorY } from '../../tiles/mercator.ts';
import { TileMaker, type TilesetInfo } from '../../tiles/tilesets.ts';
import { distanceToRings } from '../helpers/geometry.ts';
import { LeakCheck } from '../helpers/leak-check.ts';
import { coverageCounts, MVT_EXTENT, type CheckedFeature } from '../helpers/mvt-check.ts';
import { nationalDataset } from '../helpers/national.ts';
import { sweepZoom } from '../helpers/tile-sweep.ts';

const MAX_SWEEP_ZOOM = 12;
/** Highest share of sample points the tiles may leave uncovered or cover twice, per zoom. */
const MAX_SEAM_RATE = 0.001;
/** Problems listed in a failure message (all are counted), and seam examples kept per zoom. */
const SHOW = 25;
const EXAMPLES_PER_ZOOM = 3;
/** Lattice offset: off the integer grid that tile vertices lie on. */
const OFFSET = 0.371;

/** Tile units between sample points at zoom z: 2^z up to z8 (constant ground spacing), then 256 (16 × 16 a tile). */
function sampleStep(z: number): number {
  return Math.min(256, 2 ** z);
}

/**
 * How far (tile units) from the outline of the source partition a sample must be to count as interior at zoom z:
 * the band's Visvalingam tolerance side (TOLERANCE_PX at the band's minzoom, so 2^(z − minzoom) times that at z);
 * 2 units (rounding, geojson-vt's own tolerance) where the source is served unsimplified. Checked against a control:
 * tiles cut without geojson-vt's per-ring simplification have no interior gap or overlap at any zoom with this margin.
 */
function marginUnits(z: number): number {
  const band = bandOf(z);
  return bandTolerance(band) === 0 ? 2 : TOLERANCE_PX * 2 ** (z - band.minzoom);
}

interface ZoomStats {
  tileset: string;
  z: number;
  /** Whether seams were counted (see the header). */
  seams: boolean;
  tiles: number;
  nonEmpty: number;
  bytes: number;
  features: number;
  /** Samples covered by exactly one source area, and of them those the tile covers by 0 or by ≥ 2 polygons. */
  eligible: number;
  gaps: number;
  overlaps: number;
  /** The same for interior samples (see the header). */
  interior: number;
  interiorGaps: number;
  interiorOverlaps: number;
  seconds: number;
  examples: SeamExample[];
}

interface SeamExample {
  tile: string;
  sample: [number, number];
  lonLat: [number, number];
  source: string;
  kind: 'gap' | 'overlap';
  interior: boolean;
  /** Ids of the regso features covering the point (even-odd), and of those with an edge within 2 tile units. */
  coveredBy: (number | undefined)[];
  near: (number | undefined)[];
}

let dataset: Dataset;
let maker: TileMaker;
let tilesets: TilesetInfo[];
let bounds: [number, number, number, number];
let sourceIndex: AreaIndex;
let outline: SourceOutline;
const stats: ZoomStats[] = [];
const problems: string[] = [];
let problemCount = 0;
let sweepSeconds = 0;
/** The disclosure check of each year's tiles. */
const leaks: LeakCheck[] = [];

beforeAll(async () => {
  dataset = await nationalDataset();
  maker = new TileMaker(dataset);
  bounds = datasetBounds(dataset);
  tilesets = [...maker.tilesets.values()].filter((t) => !t.alias);
  // The source areas in the plane tiles are cut in: geojson-vt joins vertices by straight lines in Web Mercator.
  const projected = dataset.areas.map((a) => a.wgs84.coordinates.map((p) => p.map((ring) => ring.map(([lon, lat]) => [mercatorX(lon), mercatorY(lat)]))));
  sourceIndex = new AreaIndex(projected.map((coordinates) => ({ geometry: { type: 'MultiPolygon', coordinates } })));
  outline = new SourceOutline(projected.flat(2), sourceIndex);
  const latest = Math.max(...dataset.years);
  const started = performance.now();
  for (const tileset of tilesets) {
    const leakCheck = new LeakCheck(dataset, tileset.year);
    for (let z = 0; z <= MAX_SWEEP_ZOOM; z++) stats.push(sweep(tileset, z, tileset.year === latest || z < DISSOLVE_BELOW_ZOOM, leakCheck));
    leakCheck.finish();
    leaks.push(leakCheck);
  }
  sweepSeconds = (performance.now() - started) / 1000;
  console.log(report());
}, 600_000);

function sweep(tileset: TilesetInfo, z: number, withSeams: boolean, leakCheck: LeakCheck): ZoomStats {
  const started = performance.now();
  const s: ZoomStats = { tileset: tileset.id, z, seams: withSeams, tiles: 0, nonEmpty: 0, bytes: 0, features: 0, eligible: 0, gaps: 0, overlaps: 0, interior: 0, interiorGaps: 0, interiorOverlaps: 0, seconds: 0, examples: [] };
  for (const { address, where, bytes, checked } of sweepZoom(maker, tileset, z, { labels: z >= DISSOLVE_BELOW_ZOOM })) {
    s.tiles++;
    for (const p of checked.problems) note(p);
    if (!bytes) continue;
    s.bytes += bytes.length;
    if (bytes.length > 0) s.nonEmpty++;
    for (const layer of checked.layers.values()) s.features += layer.features.length;
    leakCheck.tile(checked, where);
    if (withSeams) seams(address, checked.layers.get(AREA_LAYER)?.features ?? [], s);
  }
  s.seconds = (performance.now() - started) / 1000;
  return s;
}

/** The lattice coordinates (tile-local units) in tile `index` along one axis, within [lo, hi) in zoom-wide units. */
function lattice(index: number, lo: number, hi: number, step: number): number[] {
  const base = index * MVT_EXTENT;
  const from = Math.max(base, lo);
  const to = Math.min(base + MVT_EXTENT, hi);
  const out: number[] = [];
  for (let u = Math.ceil((from - OFFSET) / step) * step + OFFSET; u < to; u += step) out.push(u - base);
  return out;
}

/**
 * The outline of the source partition: every source edge whose two sides are not each covered by exactly one area
 * (coast, national border, lakes, and the sources' own gaps and overlaps, e.g. between real and synthetic regions),
 * found by probing both sides of the edge's midpoint; in an R-tree, for "is a point within d of the outline".
 */
class SourceOutline {
  private readonly segments: Float64Array;
  private readonly tree: Flatbush;
  readonly size: number;

  constructor(rings: number[][][], index: AreaIndex) {
    const found: number[] = [];
    const kept: number[] = [];
    const EPS = 1e-10; // in the unit square: ≈ 4 mm at the equator, far below any source's precision
    for (const ring of rings) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const [x0, y0] = ring[k];
        const [x1, y1] = ring[k + 1];
        const len = Math.hypot(x1 - x0, y1 - y0);
        if (len === 0) continue;
        const mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
        const nx = (-(y1 - y0) / len) * EPS, ny = ((x1 - x0) / len) * EPS;
        if (index.locateAll(mx + nx, my + ny, found) === 1 && index.locateAll(mx - nx, my - ny, found) === 1) continue;
        kept.push(x0, y0, x1, y1);
      }
    }
    this.segments = Float64Array.from(kept);
    this.size = kept.length / 4;
    this.tree = new Flatbush(Math.max(1, this.size));
    for (let i = 0; i < this.size; i++) {
      const [x0, y0, x1, y1] = this.segments.subarray(4 * i, 4 * i + 4);
      this.tree.add(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
    }
    if (this.size === 0) this.tree.add(Infinity, Infinity, Infinity, Infinity);
    this.tree.finish();
  }

  /** Whether an outline edge comes within d of (x, y). */
  near(x: number, y: number, d: number): boolean {
    let hit = false;
    const seg = this.segments;
    this.tree.search(x - d, y - d, x + d, y + d, (i) => {
      if (hit || i >= this.size) return false;
      const x0 = seg[4 * i], y0 = seg[4 * i + 1], dx = seg[4 * i + 2] - x0, dy = seg[4 * i + 3] - y0;
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
      if (Math.hypot(x - x0 - t * dx, y - y0 - t * dy) <= d) hit = true;
      return false;
    });
    return hit;
  }
}

/** Counts the tile's sample points covered by one source area, and those it covers by 0 or ≥ 2 polygons. */
function seams(address: TileAddress, areas: CheckedFeature[], s: ZoomStats): void {
  const scale = 2 ** address.z;
  const units = MVT_EXTENT * scale;
  const step = sampleStep(address.z);
  const xs = lattice(address.x, mercatorX(bounds[0]) * units, mercatorX(bounds[2]) * units, step);
  const ys = lattice(address.y, mercatorY(bounds[3]) * units, mercatorY(bounds[1]) * units, step);
  if (xs.length === 0 || ys.length === 0) return;
  const counts = coverageCounts(areas, xs, ys);
  const margin = marginUnits(address.z) / units;
  const found: number[] = [];
  for (let row = 0; row < ys.length; row++) {
    const my = (address.y + ys[row] / MVT_EXTENT) / scale;
    for (let col = 0; col < xs.length; col++) {
      const mx = (address.x + xs[col] / MVT_EXTENT) / scale;
      if (sourceIndex.locateAll(mx, my, found) !== 1) continue;
      const source = found[0];
      s.eligible++;
      const inside = !outline.near(mx, my, margin);
      if (inside) s.interior++;
      const covered = counts[row * xs.length + col];
      if (covered === 1) continue;
      if (covered === 0) s.gaps++;
      else s.overlaps++;
      if (inside && covered === 0) s.interiorGaps++;
      if (inside && covered > 1) s.interiorOverlaps++;
      if (s.examples.length < EXAMPLES_PER_ZOOM && (inside || address.z >= UNSIMPLIFIED_FROM_ZOOM)) {
        const lon = mx * 360 - 180;
        const lat = (Math.atan(Math.sinh(Math.PI * (1 - 2 * my))) * 180) / Math.PI;
        s.examples.push({
          tile: `${address.z}/${address.x}/${address.y}`,
          sample: [+xs[col].toFixed(3), +ys[row].toFixed(3)],
          lonLat: [+lon.toFixed(5), +lat.toFixed(5)],
          source: dataset.areas[source].regsokod,
          kind: covered === 0 ? 'gap' : 'overlap',
          interior: inside,
          coveredBy: areas.filter((f) => coverageCounts([f], [xs[col]], [ys[row]])[0] === 1).map((f) => f.id),
          near: areas.filter((f) => distanceToRings(f.parts, xs[col], ys[row]) <= 2).map((f) => f.id),
        });
      }
    }
  }
}


function note(problem: string): void {
  problemCount++;
  if (problems.length < SHOW) problems.push(problem);
}

const rate = (s: ZoomStats) => (s.eligible === 0 ? 0 : (s.gaps + s.overlaps) / s.eligible);
const interiorRate = (s: ZoomStats) => (s.interior === 0 ? 0 : (s.interiorGaps + s.interiorOverlaps) / s.interior);
const pct = (r: number) => `${(r * 100).toFixed(3)} %`;

function report(): string {
  const rows = stats.map(
    (s) =>
      `  ${s.tileset} z${String(s.z).padStart(2)} ${String(s.tiles).padStart(6)} tiles ${String(s.nonEmpty).padStart(6)} non-empty ${(s.bytes / 1e6).toFixed(1).padStart(5)} MB ` +
      `${String(s.features).padStart(6)} features ${s.seconds.toFixed(1).padStart(5)} s` +
      (s.seams
        ? ` | all: ${String(s.eligible).padStart(7)} samples ${String(s.gaps).padStart(4)} gaps ${String(s.overlaps).padStart(4)} overlaps ${pct(rate(s)).padStart(8)} | interior: ` +
          `${String(s.interior).padStart(7)} samples ${String(s.interiorGaps).padStart(4)} gaps ${String(s.interiorOverlaps).padStart(4)} overlaps, seam rate ${pct(interiorRate(s)).padStart(8)}`
        : ' | seams: the latest year\'s geometry'),
  );
  const examples = stats.flatMap((s) => s.examples.map((e) => `  ${s.tileset} ${JSON.stringify(e)}`));
  return (
    `tile sweep of ${tilesets.map((t) => t.id).join(', ')} z0–${MAX_SWEEP_ZOOM}: ${stats.reduce((a, s) => a + s.tiles, 0)} tiles in ${sweepSeconds.toFixed(1)} s, ${problemCount} MVT problem(s)\n` +
    `${rows.join('\n')}\nseam examples (up to ${EXAMPLES_PER_ZOOM} per zoom):\n${examples.join('\n')}\nleaks: ${leaks.map((l) => l.report()).join('; ')}`
  );
}

const seamed = () => stats.filter((s) => s.seams);

describe(`every tile z0–${MAX_SWEEP_ZOOM} of every year's tileset`, () => {
  it('covers the data: each zoom has tiles with areas, and thousands of interior sample points', () => {
    expect(stats).toHaveLength(tilesets.length * (MAX_SWEEP_ZOOM + 1));
    expect(tilesets.map((t) => t.year)).toEqual(dataset.years);
    for (const s of stats) expect(s.nonEmpty, `${s.tileset} z${s.z}`).toBeGreaterThan(0);
    for (const s of seamed()) expect(s.interior, `${s.tileset} z${s.z}`).toBeGreaterThan(5000);
    for (const s of stats.filter((s) => s.z === MAX_SWEEP_ZOOM)) expect(s.nonEmpty).toBeGreaterThan(10_000);
  });

  it('is MVT 2.1: version 2, extent 4096, unique layer names and ids, valid commands, rings wound and closed properly', () => {
    expect(problems, `${problemCount} problem(s), the first ${problems.length}:\n${problems.join('\n')}`).toEqual([]);
  });

  it(`leaves no seams between neighbours: ≤ ${MAX_SEAM_RATE * 100} % of interior sample points uncovered or covered twice, at every zoom`, () => {
    const failing = seamed().filter((s) => interiorRate(s) > MAX_SEAM_RATE).map((s) => `${s.tileset} z${s.z}: ${pct(interiorRate(s))} (${s.interiorGaps} gaps, ${s.interiorOverlaps} overlaps of ${s.interior})`);
    expect(failing, report()).toEqual([]);
  });

  it(`covers every source-covered sample point exactly once where the source is served unsimplified (z ≥ ${UNSIMPLIFIED_FROM_ZOOM}), to ≤ ${MAX_SEAM_RATE * 100} %`, () => {
    const failing = seamed().filter((s) => s.z >= UNSIMPLIFIED_FROM_ZOOM && rate(s) > MAX_SEAM_RATE).map((s) => `${s.tileset} z${s.z}: ${pct(rate(s))} (${s.gaps} gaps, ${s.overlaps} overlaps of ${s.eligible})`);
    expect(failing, report()).toEqual([]);
  });

  it('leaks nothing to the public: no restricted metric, no small count, every figure the raw one, no block total over one suppressed area, every area shown', () => {
    expect(leaks.map((l) => l.year)).toEqual(dataset.years);
    expect(leaks.filter((l) => l.found > 0).map((l) => l.report())).toEqual([]);
  });
});
