import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type MultiPolygon as ClipMultiPolygon } from 'polygon-clipping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndStore, DEFAULT_MANIFEST } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import type { Dataset } from '../../data/dataset.ts';
import { PartitionTopology, ZOOM_BANDS, bandTolerance, type PartitionFeature, type ZoomBand } from '../../tiles/generalise.ts';
import { mercatorX, mercatorY } from '../../tiles/mercator.ts';
import { ringsConflict } from '../../tiles/planar.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Helpers: everything measured in geojson-vt's Web Mercator plane, where tiles are cut and rendered.

const LOW: ZoomBand = ZOOM_BANDS[0];
const MID: ZoomBand = ZOOM_BANDS.find((b) => b.minzoom === 5)!;
const TOP: ZoomBand = ZOOM_BANDS[ZOOM_BANDS.length - 1];

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function projectRing(ring: Position[]): [number, number][] {
  return ring.map(([x, y]) => [mercatorX(x), mercatorY(y)]);
}

function toClip(g: Polygon | MultiPolygon): ClipMultiPolygon {
  return polygonsOf(g).map((p) => p.map(projectRing));
}

function ringArea(ring: Position[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return s / 2;
}

function clipArea(mp: ClipMultiPolygon): number {
  return mp.reduce((s, p) => s + Math.abs(ringArea(p[0])) - p.slice(1).reduce((t, h) => t + Math.abs(ringArea(h)), 0), 0);
}

/** Area in the Mercator unit square. */
function areaOf(g: Polygon | MultiPolygon): number {
  return clipArea(toClip(g));
}

function vertexCount(features: PartitionFeature[]): number {
  return features.reduce((s, f) => s + polygonsOf(f.geometry).reduce((t, p) => t + p.reduce((u, r) => u + r.length, 0), 0), 0);
}

/** What makes a feature unfit for MVT: unclosed or flat rings, repeated consecutive positions, no polygon. */
function malformations(f: PartitionFeature): string[] {
  const problems: string[] = [];
  const polygons = polygonsOf(f.geometry);
  if (polygons.length === 0) problems.push(`${f.id}: no polygon`);
  polygons.forEach((p, i) => {
    if (p.length === 0) problems.push(`${f.id}/${i}: no ring`);
    p.forEach((ring, k) => {
      const where = `${f.id}/${i}/${k}`;
      if (ring.length < 4) problems.push(`${where}: ${ring.length} positions`);
      else if (ring[0][0] !== ring[ring.length - 1][0] || ring[0][1] !== ring[ring.length - 1][1]) problems.push(`${where}: not closed`);
      for (let j = 1; j < ring.length; j++) {
        if (ring[j][0] === ring[j - 1][0] && ring[j][1] === ring[j - 1][1]) problems.push(`${where}: repeated position ${j}`);
      }
      if (ringArea(projectRing(ring)) === 0) problems.push(`${where}: flat`);
    });
  });
  return problems;
}

function expectWellFormed(features: PartitionFeature[]): void {
  expect(features.flatMap(malformations)).toEqual([]);
}

function valid(f: PartitionFeature): boolean {
  return !ringsConflict(polygonsOf(f.geometry).flatMap((p) => p.map((r) => Float64Array.from(projectRing(r).flat()))));
}

/**
 * Undirected segments used by exactly one feature: in a partition whose neighbours share identical borders, these are
 * exactly the outer boundary of the union. Returns their total length.
 */
function unsharedLength(features: PartitionFeature[]): number {
  const uses = new Map<string, { n: number; len: number }>();
  for (const f of features) {
    for (const p of polygonsOf(f.geometry)) {
      for (const ring of p) {
        const r = projectRing(ring);
        for (let i = 0; i + 1 < r.length; i++) {
          const a = `${r[i][0]},${r[i][1]}`, b = `${r[i + 1][0]},${r[i + 1][1]}`;
          const key = a < b ? `${a}|${b}` : `${b}|${a}`;
          const u = uses.get(key) ?? { n: 0, len: Math.hypot(r[i + 1][0] - r[i][0], r[i + 1][1] - r[i][1]) };
          u.n++;
          uses.set(key, u);
        }
      }
    }
  }
  let len = 0;
  for (const u of uses.values()) if (u.n === 1) len += u.len;
  return len;
}

function perimeter(mp: ClipMultiPolygon): number {
  let len = 0;
  for (const p of mp) for (const r of p) for (let i = 0; i + 1 < r.length; i++) len += Math.hypot(r[i + 1][0] - r[i][0], r[i + 1][1] - r[i][1]);
  return len;
}

/** Sum of pairwise intersection areas (each overlap counted once). */
function overlapArea(features: PartitionFeature[]): number {
  const clips = features.map((f) => toClip(f.geometry));
  let total = 0;
  for (let i = 0; i < clips.length; i++) {
    for (let j = i + 1; j < clips.length; j++) total += clipArea(polygonClipping.intersection(clips[i], clips[j]));
  }
  return total;
}

/** Asserts the features tile their union without gaps or overlaps and share identical borders. */
function expectPartition(features: PartitionFeature[]): void {
  const union = polygonClipping.union(toClip(features[0].geometry), ...features.slice(1).map((f) => toClip(f.geometry)));
  const sum = features.reduce((s, f) => s + areaOf(f.geometry), 0);
  const unionArea = clipArea(union);
  expect(Math.abs(sum - unionArea) / unionArea, 'areas overlap').toBeLessThan(1e-9);
  expect(overlapArea(features) / unionArea, 'pairwise overlap').toBeLessThan(1e-9);
  // Every border between two features is made of identical segments on both sides.
  expect(Math.abs(unsharedLength(features) - perimeter(union)) / perimeter(union), 'unshared borders').toBeLessThan(1e-9);
}

// ---------------------------------------------------------------------------------------------------------------------
// SYNTHETIC test geometry, made up for these tests (not real areas).

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A wiggly line from a to b (both kept exactly), tapered at the ends so that lines meeting at a corner don't cross. */
function wiggle(a: Position, b: Position, n: number, amplitude: number, rnd: () => number): Position[] {
  const out: Position[] = [a];
  const dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy);
  for (let k = 1; k <= n; k++) {
    const t = k / (n + 1), off = amplitude * (rnd() * 2 - 1) * Math.sin(Math.PI * t);
    out.push([a[0] + t * dx - (off * dy) / len, a[1] + t * dy + (off * dx) / len]);
  }
  out.push(b);
  return out;
}

/** A wiggly circle (one closed line: an island or enclave with no junction). */
function blob(cx: number, cy: number, r: number, n: number, rnd: () => number): Position[] {
  const ring: Position[] = [];
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * k) / n, rr = r * (1 + 0.15 * (rnd() * 2 - 1));
    ring.push([cx + rr * Math.cos(t), cy + 0.5 * rr * Math.sin(t)]);
  }
  ring.push(ring[0]);
  return ring;
}

/**
 * SYNTHETIC: an n × n grid of ~1 km cells near 60°N whose shared borders are wiggly lines of 30 points (identical on
 * both sides), plus an enclave (a wiggly circle) in the middle cell.
 */
function syntheticGrid(n = 5): { features: PartitionFeature[]; enclaveId: number; holderId: number } {
  const rnd = random(42);
  const x0 = 15, y0 = 60, dx = 0.018, dy = 0.009;
  const corner = (i: number, j: number): Position => [x0 + i * dx, y0 + j * dy];
  const horizontal = new Map<string, Position[]>();
  const vertical = new Map<string, Position[]>();
  for (let i = 0; i < n; i++) for (let j = 0; j <= n; j++) horizontal.set(`${i},${j}`, wiggle(corner(i, j), corner(i + 1, j), 30, dy * 0.06, rnd));
  for (let i = 0; i <= n; i++) for (let j = 0; j < n; j++) vertical.set(`${i},${j}`, wiggle(corner(i, j), corner(i, j + 1), 30, dx * 0.06, rnd));
  const features: PartitionFeature[] = [];
  const mid = Math.floor(n / 2);
  const enclave = blob(x0 + (mid + 0.5) * dx, y0 + (mid + 0.5) * dy, dx * 0.08, 40, rnd);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const ring = [
        ...horizontal.get(`${i},${j}`)!,
        ...vertical.get(`${i + 1},${j}`)!.slice(1),
        ...horizontal.get(`${i},${j + 1}`)!.slice().reverse().slice(1),
        ...vertical.get(`${i},${j}`)!.slice().reverse().slice(1),
      ];
      const rings = i === mid && j === mid ? [ring, enclave.slice().reverse()] : [ring];
      features.push({ id: 1000 + j * n + i, properties: { row: j, col: i }, geometry: { type: 'Polygon', coordinates: rings } });
    }
  }
  features.push({ id: 9999, properties: { row: -1, enclave: true }, geometry: { type: 'Polygon', coordinates: [enclave] } });
  return { features, enclaveId: 9999, holderId: 1000 + mid * n + mid };
}

/** SYNTHETIC: two big rectangles A, B over a third C, with a 10 m square set into the A–B border. */
function syntheticTinySquare(): PartitionFeature[] {
  const e = 0.0001, m = 60.05;
  const A: Position[] = [[15, 60], [15.1, 60], [15.1, m - e], [15.1 - e, m - e], [15.1 - e, m + e], [15.1, m + e], [15.1, 60.1], [15, 60.1], [15, 60]];
  const B: Position[] = [[15.1, 60], [15.2, 60], [15.2, 60.1], [15.1, 60.1], [15.1, m + e], [15.1 + e, m + e], [15.1 + e, m - e], [15.1, m - e], [15.1, 60]];
  const C: Position[] = [[15, 59.9], [15.2, 59.9], [15.2, 60], [15.1, 60], [15, 60], [15, 59.9]];
  const T: Position[] = [[15.1, m - e], [15.1 + e, m - e], [15.1 + e, m + e], [15.1, m + e], [15.1 - e, m + e], [15.1 - e, m - e], [15.1, m - e]];
  return [A, B, C, T].map((ring, i) => ({ id: i + 1, properties: { name: 'ABCT'[i] }, geometry: { type: 'Polygon', coordinates: [ring] } }));
}

/**
 * SYNTHETIC: a coast area K with a long narrow inlet from the east, and an island I (its own area, touching nothing)
 * inside the inlet. Simplifying K's line on its own would close the inlet over the island.
 */
function syntheticInlet(): PartitionFeature[] {
  const s = 0.05, x0 = 15, y0 = 60;
  const at = (x: number, y: number): Position => [x0 + x * s, y0 + y * s * 0.5];
  const K = [at(0, 0), at(1, 0), at(1, 0.45), at(0.3, 0.45), at(0.3, 0.55), at(1, 0.55), at(1, 1), at(0, 1), at(0, 0)];
  const I = [at(0.6, 0.48), at(0.7, 0.48), at(0.7, 0.52), at(0.6, 0.52), at(0.6, 0.48)];
  return [
    { id: 1, properties: { name: 'K' }, geometry: { type: 'Polygon', coordinates: [K] } },
    { id: 2, properties: { name: 'I' }, geometry: { type: 'Polygon', coordinates: [I] } },
  ];
}

/**
 * SYNTHETIC: a 40 m wide strip M snaking (330 m waves, jittered borders) between N above and O below. Its two borders,
 * simplified one by one, cross each other at mid zooms.
 */
function syntheticStrip(): PartitionFeature[] {
  const rnd = random(3);
  const n = 400, x0 = 15, x1 = 15.2, w = 0.0004, amplitude = 0.003, wavelength = 0.02;
  const top: Position[] = [], bottom: Position[] = [];
  for (let k = 0; k <= n; k++) {
    const x = x0 + ((x1 - x0) * k) / n;
    const inner = k > 0 && k < n;
    const y = 60.05 + (inner ? amplitude * Math.sin((2 * Math.PI * (x - x0)) / wavelength) : 0);
    top.push([x, y + w / 2 + (inner ? (rnd() - 0.5) * w * 0.8 : 0)]);
    bottom.push([x, y - w / 2 + (inner ? (rnd() - 0.5) * w * 0.8 : 0)]);
  }
  const N = [...top, [x1, 60.1], [x0, 60.1], top[0]].reverse();
  const M = [...bottom, ...top.slice().reverse(), bottom[0]];
  const O = [[x0, 60], [x1, 60], ...bottom.slice().reverse(), [x0, 60]];
  return [N, M, O].map((ring, i) => ({ id: i + 1, properties: { name: 'NMO'[i] }, geometry: { type: 'Polygon', coordinates: [ring] } }));
}

/**
 * SYNTHETIC: A and B side by side over C; A and B agree on the ends of their common border but each drew its own line
 * in between (as the Stockholm areas do): a thin gap and overlap.
 */
function syntheticBubble(): PartitionFeature[] {
  const A: Position[] = [[15, 60], [15.1, 60], [15.1002, 60.03], [15.0998, 60.06], [15.1, 60.1], [15, 60.1], [15, 60]];
  const B: Position[] = [[15.1, 60], [15.2, 60], [15.2, 60.1], [15.1, 60.1], [15.1001, 60.07], [15.0997, 60.02], [15.1, 60]];
  const C: Position[] = [[15, 59.9], [15.2, 59.9], [15.2, 60], [15.1, 60], [15, 60], [15, 59.9]];
  return [A, B, C].map((ring, i) => ({ id: i + 1, properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }));
}

/**
 * SYNTHETIC: A on the left meets B and D on the right; B and D meet at a point 17 m off A's line, so A's border is
 * one arc against a chain of two (a gap and an overlap between them). C lies below A and B.
 */
function syntheticChainBubble(): PartitionFeature[] {
  const A: Position[] = [[15, 60], [15.1, 60], [15.1002, 60.02], [15.0999, 60.07], [15.1, 60.1], [15, 60.1], [15, 60]];
  const B: Position[] = [[15.1, 60], [15.2, 60], [15.2, 60.05], [15.1003, 60.05], [15.1, 60]];
  const D: Position[] = [[15.1003, 60.05], [15.2, 60.05], [15.2, 60.1], [15.1, 60.1], [15.1003, 60.05]];
  const C: Position[] = [[15, 59.9], [15.2, 59.9], [15.2, 60], [15.1, 60], [15, 60], [15, 59.9]];
  return [A, B, D, C].map((ring, i) => ({ id: i + 1, properties: { name: 'ABDC'[i] }, geometry: { type: 'Polygon', coordinates: [ring] } }));
}

// ---------------------------------------------------------------------------------------------------------------------

describe('PartitionTopology on synthetic partitions', () => {
  const grid = syntheticGrid();
  const topo = new PartitionTopology(grid.features);

  it('keeps ids, properties and order, and simplifies strongly at low zoom', () => {
    const counts = ZOOM_BANDS.map((band) => vertexCount(topo.simplified(band)));
    for (const band of ZOOM_BANDS) {
      const out = topo.simplified(band);
      expect(out.map((f) => f.id)).toEqual(grid.features.map((f) => f.id));
      out.forEach((f, i) => expect(f.properties).toBe(grid.features[i].properties));
    }
    expect(counts[0]).toBeLessThan(counts[counts.length - 1] / 4);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
  });

  it('returns the source positions unchanged at the top band', () => {
    const out = topo.simplified(TOP);
    out.forEach((f, i) => {
      const src = new Set(polygonsOf(grid.features[i].geometry).flat(2).map((p) => `${p[0]},${p[1]}`));
      for (const p of polygonsOf(f.geometry).flat(2)) expect(src.has(`${p[0]},${p[1]}`)).toBe(true);
      expect(Math.abs(areaOf(f.geometry) - areaOf(grid.features[i].geometry))).toBeLessThan(1e-18);
    });
  });

  for (const band of [LOW, MID, ZOOM_BANDS[3], TOP]) {
    it(`tiles the plane without gaps or overlaps at z${band.minzoom}–${band.maxzoom}`, () => {
      const out = topo.simplified(band);
      expectWellFormed(out);
      for (const f of out) expect(valid(f), `feature ${f.id} self-intersects`).toBe(true);
      expectPartition(out);
    });
  }

  it('keeps the enclave and the hole it fills, with identical coordinates, at every band', () => {
    for (const band of ZOOM_BANDS) {
      const out = topo.simplified(band);
      const enclave = out.find((f) => f.id === grid.enclaveId)!;
      const holder = out.find((f) => f.id === grid.holderId)!;
      const ring = polygonsOf(enclave.geometry)[0][0];
      const hole = polygonsOf(holder.geometry)[0][1];
      expect(hole, `z${band.minzoom}: the holder lost its hole`).toBeDefined();
      expect(new Set(ring.map(String))).toEqual(new Set(hole.map(String)));
      expect(new Set(ring.map(String)).size).toBeGreaterThanOrEqual(3);
      expect(areaOf(enclave.geometry)).toBeGreaterThan(0);
    }
  });

  it('dissolves rows into polygons that still tile the plane', () => {
    for (const band of [LOW, MID, TOP]) {
      const members = new Map<string, number[]>();
      const rows = topo.dissolved(
        band,
        (f) => (f.properties.enclave ? null : `row ${f.properties.row}`),
        (key, ms) => {
          members.set(key, ms.map((m) => m.id));
          return { id: Number(key.slice(4)), properties: { key, n: ms.length } };
        },
      );
      expect(rows.map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
      expect([...members.values()].flat().length).toBe(25);
      const simplified = new Map(topo.simplified(band).map((f) => [f.id, f]));
      for (const row of rows) {
        expectWellFormed([row]);
        expect(valid(row)).toBe(true);
        const polygons = polygonsOf(row.geometry);
        expect(polygons.length).toBe(1);
        // The middle row has a hole where the (left out) enclave is.
        expect(polygons[0].length).toBe(row.id === 2 ? 2 : 1);
        const sum = members.get(row.properties.key as string)!.reduce((s, id) => s + areaOf(simplified.get(id)!.geometry), 0);
        expect(Math.abs(areaOf(row.geometry) - sum) / sum).toBeLessThan(1e-9);
      }
      // With the enclave added back, the rows tile the grid.
      expectPartition([...rows, simplified.get(grid.enclaveId)!]);
    }
  });

  it('dissolves a checkerboard into separate squares that touch at corners', () => {
    for (const band of [LOW, TOP]) {
      const groups = topo.dissolved(
        band,
        (f) => (f.properties.enclave ? 'enclave' : `${((f.properties.row as number) + (f.properties.col as number)) % 2}`),
        (key, ms) => ({ id: key === 'enclave' ? 2 : Number(key), properties: { key, n: ms.length } }),
      );
      expect(groups.map((g) => g.properties.n)).toEqual([13, 12, 1]);
      // Cells of one colour meet only at corners: each stays its own polygon (the rings are traced around each cell).
      expect(groups.map((g) => polygonsOf(g.geometry).length)).toEqual([13, 12, 1]);
      expectWellFormed(groups);
      expectPartition(groups);
    }
  });

  it('keeps a tiny area among big ones at every band, without overlap', () => {
    const features = syntheticTinySquare();
    const t = new PartitionTopology(features);
    for (const band of ZOOM_BANDS) {
      const out = t.simplified(band);
      expectWellFormed(out);
      const tiny = out[3];
      expect(areaOf(tiny.geometry), `z${band.minzoom}`).toBeGreaterThan(areaOf(features[3].geometry) / 4);
      expectPartition(out);
    }
  });

  it('keeps a thin wiggly strip from crossing itself or its neighbours', () => {
    const t = new PartitionTopology(syntheticStrip());
    for (const band of ZOOM_BANDS) {
      const out = t.simplified(band);
      expectWellFormed(out);
      for (const f of out) expect(valid(f), `${f.properties.name} at z${band.minzoom}`).toBe(true);
      expectPartition(out);
    }
  });

  it('does not let a simplified coast swallow an island', () => {
    const features = syntheticInlet();
    const t = new PartitionTopology(features);
    const out = t.simplified(LOW);
    expectWellFormed(out);
    expect(areaOf(out[1].geometry)).toBeGreaterThan(0);
    expect(clipArea(polygonClipping.intersection(toClip(out[0].geometry), toClip(out[1].geometry)))).toBe(0);
    // The island really sits where the closed inlet would be: the source square without inlet covers it.
    const closed = toClip({ type: 'Polygon', coordinates: [[[15, 60], [15.05, 60], [15.05, 60.025], [15, 60.025], [15, 60]]] });
    expect(clipArea(polygonClipping.intersection(closed, toClip(features[1].geometry)))).toBeGreaterThan(0);
  });

  it('leaves out small lone islands of a multi-part area at low zoom only, never the area itself', () => {
    // SYNTHETIC: a 20 km blob with a 200 m islet, and a separate area that is only a 200 m islet.
    const rnd = random(7);
    const main = blob(15, 60, 0.2, 60, rnd);
    const islet = blob(15.4, 60, 0.002, 12, rnd);
    const lone = blob(16, 60, 0.002, 12, rnd);
    const features: PartitionFeature[] = [
      { id: 1, properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[main], [islet]] } },
      { id: 2, properties: {}, geometry: { type: 'Polygon', coordinates: [lone] } },
    ];
    const t = new PartitionTopology(features);
    const low = t.simplified(LOW);
    expect(polygonsOf(low[0].geometry).length).toBe(1);
    expect(areaOf(low[1].geometry)).toBeGreaterThan(0);
    expect(polygonsOf(t.simplified(TOP)[0].geometry).length).toBe(2);
  });

  it('merges a bubble (two versions of one border) into one shared border', () => {
    const features = syntheticBubble();
    const merged = new PartitionTopology(features).simplified(TOP);
    expectPartition(merged);
    // A, listed first, keeps its line; B adopts it.
    expect(polygonsOf(merged[1].geometry)[0][0].map(String)).toContain('15.1002,60.03');
    // Without the repair the source's gap and overlap stay.
    const asIs = new PartitionTopology(features, { bubbles: false }).simplified(TOP);
    expect(overlapArea(asIs)).toBeGreaterThan(0);
  });

  it('merges a border against a chain of two neighbours into shared borders', () => {
    const features = syntheticChainBubble();
    const merged = new PartitionTopology(features).simplified(TOP);
    expectPartition(merged);
    // A adopts B's and D's lines, through their junction.
    expect(polygonsOf(merged[0].geometry)[0][0].map(String)).toContain('15.1003,60.05');
    const asIs = new PartitionTopology(features, { bubbles: false }).simplified(TOP);
    expect(overlapArea(asIs)).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('PartitionTopology on the national build', () => {
  let root: string;
  let dataset: Dataset;
  let features: PartitionFeature[];
  let topo: PartitionTopology;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'regso-generalise-'));
    const { id } = await buildAndStore(DEFAULT_MANIFEST, root);
    dataset = await readBuild(root, id);
    const types = dataset.areaTypes.get(2023)!;
    features = dataset.areas.map((a) => ({
      id: a.id,
      properties: { regsokod: a.regsokod, kommunkod: a.kommunkod, omradestyp: types.get(a.regsokod) ?? null },
      geometry: a.wgs84,
    }));
    const started = performance.now();
    topo = new PartitionTopology(features);
    console.log(`topology of ${features.length} areas, ${vertexCount(features)} vertices: ${(performance.now() - started).toFixed(0)} ms`);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('simplifies every band: no area lost, valid rings, far fewer vertices at low zoom', () => {
    const source = vertexCount(features);
    const counts: number[] = [];
    for (const band of ZOOM_BANDS) {
      const started = performance.now();
      const out = topo.simplified(band);
      const ms = performance.now() - started;
      counts.push(vertexCount(out));
      console.log(`z${band.minzoom}–${band.maxzoom}: ${counts[counts.length - 1]} vertices (source ${source}), ${ms.toFixed(0)} ms`, topo.stats(band));
      expect(out.length).toBe(features.length);
      out.forEach((f, i) => {
        expect(f.id).toBe(features[i].id);
        expect(areaOf(f.geometry), `${f.properties.regsokod} vanished at z${band.minzoom}`).toBeGreaterThan(0);
      });
      // Well-formedness of all, self-intersection on a sample (every 7th area).
      expectWellFormed(out);
      for (let i = 0; i < out.length; i += 7) expect(valid(out[i]), `${out[i].properties.regsokod} at z${band.minzoom}`).toBe(true);
    }
    expect(counts[0]).toBeLessThan(source / 4);
    expect(counts[ZOOM_BANDS.indexOf(MID)]).toBeLessThan(source / 3);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
  });

  it('dissolves by kommun and områdestyp into groups that add up to all areas and keep their area', () => {
    const sizes = new Map<string, number[]>();
    for (const band of [LOW, MID, ZOOM_BANDS[3]]) {
      const simplified = new Map(topo.simplified(band).map((f) => [f.id, f]));
      const started = performance.now();
      const groups = topo.dissolved(
        band,
        (f) => `${f.properties.kommunkod}-${f.properties.omradestyp}`,
        (key, members) => {
          sizes.set(key, members.map((m) => m.id));
          return { id: sizes.size, properties: { key, areas: members.length } };
        },
      );
      const ms = performance.now() - started;
      console.log(`dissolved z${band.minzoom}–${band.maxzoom}: ${groups.length} groups, ${vertexCount(groups)} vertices, ${ms.toFixed(0)} ms`);
      expect(groups.reduce((s, g) => s + (g.properties.areas as number), 0)).toBe(3363);
      let total = 0, totalMembers = 0;
      for (const g of groups) {
        expectWellFormed([g]);
        expect(valid(g), `${g.properties.key} at z${band.minzoom}`).toBe(true);
        const a = areaOf(g.geometry);
        const sum = sizes.get(g.properties.key as string)!.reduce((s, id) => s + areaOf(simplified.get(id)!.geometry), 0);
        // Equal but where members overlap in the source (Stockholm): the union counts that once.
        expect(Math.abs(a - sum) / sum, `${g.properties.key} at z${band.minzoom}`).toBeLessThan(0.02);
        total += a;
        totalMembers += sum;
      }
      expect(Math.abs(total - totalMembers) / totalMembers).toBeLessThan(1e-4);
    }
    expect(bandTolerance(LOW)).toBeGreaterThan(bandTolerance(MID));
  });
});
