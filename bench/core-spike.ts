/**
 * npm run bench:core-spike [-- --runs 5] [--layers regso] [--build-dir DIR] [--list FILE] [--tileset ID]
 *
 * A spike, not used by the server, for the decision on the cold-generation target (≥ 2× PostGIS tiles/s). The
 * server cuts tiles with geojson-vt and encodes them with vt-pbf, both named by the product owner. Profiles put the
 * cold tile list's time in geojson-vt's index builds and level-by-level cut, in vt-pbf's tag writer (a `type:value`
 * string per tag of every feature of every tile) and in the garbage both leave (bench/RESULTS.md, "sixth session").
 *
 * The spike makes the same tiles the way a core without them would:
 * - cut: each band's prepared polygons (tiles/prepared.ts) projected once, a flatbush over the features' boxes, and
 *   per tile only the features it touches clipped straight to the tile and its buffer (Sutherland–Hodgman), then
 *   rounded to the grid and cleaned as tiles/mvt.ts does;
 * - encode: each feature's tags turned into key and value numbers once per year, so a tile only maps those numbers
 *   to its own key and value tables; written with pbf, which vt-pbf writes with too.
 *
 * It times a fresh TileMaker against the spike over the list, both for the polygon layers (the spike has no label
 * points; `--layers` names some of them), Web Mercator only, and checks that both give the same features with the
 * same tags and geometry. Left out of the spike: the other grids, the dissolved bands below z7, label points, the
 * seam check and every test the server's core passes.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import Flatbush from 'flatbush';
import { PbfReader, PbfWriter } from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import { LABEL_LAYER, type LayerTags, type Tags } from '../tiles/attributes.ts';
import { bandOf } from '../tiles/generalise.ts';
import type { TileAddress } from '../tiles/grid.ts';
import { mercatorX, mercatorY } from '../tiles/mercator.ts';
import { EXTENT, MVT_VERSION } from '../tiles/mvt.ts';
import { bandKey, prepareBandsInWorker, type PackedFeatures } from '../tiles/prepared.ts';
import { TileMaker, tilesetsOf } from '../tiles/tilesets.ts';
import { positiveInt, readTileList } from './cli.ts';
import { coldGeneration } from './cold-generation.ts';
import { median } from './stats.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BUFFER = 64;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    layers: { type: 'string' },
    list: { type: 'string', default: path.join(ROOT, 'bench', 'tiles-gr-sthlm.txt') },
    tileset: { type: 'string', default: 'omradestyper-2023' },
    'build-dir': { type: 'string', default: process.env.BUILD_DIR ?? path.join(ROOT, 'build') },
  },
});

// ---- cut ----------------------------------------------------------------------------------------------------

/** A band's features in Web Mercator's unit square (x right, y down), with a flatbush over their boxes. */
interface BandIndex {
  features: PackedFeatures;
  unit: Float64Array;
  boxes: Flatbush;
}

function indexBand(features: PackedFeatures): BandIndex {
  const unit = new Float64Array(features.coords.length);
  for (let i = 0; i < unit.length; i += 2) {
    unit[i] = mercatorX(features.coords[i]);
    unit[i + 1] = mercatorY(features.coords[i + 1]);
  }
  const boxes = new Flatbush(features.ids.length);
  for (let f = 0; f < features.ids.length; f++) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = firstPosition(features, f); i < firstPosition(features, f + 1); i++) {
      minX = Math.min(minX, unit[2 * i]);
      minY = Math.min(minY, unit[2 * i + 1]);
      maxX = Math.max(maxX, unit[2 * i]);
      maxY = Math.max(maxY, unit[2 * i + 1]);
    }
    boxes.add(minX, minY, maxX, maxY);
  }
  boxes.finish();
  return { features, unit, boxes };
}

function firstPosition(p: PackedFeatures, feature: number): number {
  return p.positionStart[p.ringStart[p.polygonStart[feature]]];
}

/** A feature cut for a tile: its rings as flat x, y in tile pixels, closed by the encoder, wound as MVT wants. */
interface CutFeature {
  id: number;
  rings: number[][];
}

function cutTile(band: BandIndex, { z, x, y }: TileAddress): CutFeature[] {
  const scale = 2 ** z;
  const margin = BUFFER / EXTENT;
  const hits = band.boxes.search((x - margin) / scale, (y - margin) / scale, (x + 1 + margin) / scale, (y + 1 + margin) / scale);
  hits.sort((a, b) => a - b); // the packed order, as geojson-vt keeps it
  const out: CutFeature[] = [];
  for (const f of hits) {
    const rings = cutFeature(band, f, scale, x, y);
    if (rings.length > 0) out.push({ id: band.features.ids[f], rings });
  }
  return out;
}

/** The feature's rings in the pixels of tile x, y at 2^z = scale, clipped, rounded and cleaned. */
function cutFeature(band: BandIndex, f: number, scale: number, x: number, y: number): number[][] {
  const { features: p, unit } = band;
  const rings: number[][] = [];
  for (let polygon = p.polygonStart[f]; polygon < p.polygonStart[f + 1]; polygon++) {
    let exteriorKept = false;
    for (let r = p.ringStart[polygon]; r < p.ringStart[polygon + 1]; r++) {
      const pixels: number[] = [];
      // The last position repeats the first.
      for (let i = p.positionStart[r]; i < p.positionStart[r + 1] - 1; i++) {
        pixels.push((unit[2 * i] * scale - x) * EXTENT, (unit[2 * i + 1] * scale - y) * EXTENT);
      }
      const ring = roundedRing(clipToBuffer(pixels));
      const area = ring.length >= 6 ? signedArea(ring) : 0;
      const exterior = r === p.ringStart[polygon];
      if (area === 0 || (!exterior && !exteriorKept)) {
        if (exterior) exteriorKept = false;
        continue;
      }
      if (exterior) exteriorKept = true;
      if (area > 0 !== exterior) reverse(ring);
      rings.push(ring);
    }
  }
  return rings;
}

function clipToBuffer(ring: number[]): number[] {
  const low = -BUFFER, high = EXTENT + BUFFER;
  let inside = true;
  for (const v of ring) if (v < low || v > high) inside = false;
  if (inside) return ring;
  return clipEdge(clipEdge(clipEdge(clipEdge(ring, 0, low, 1), 0, high, -1), 1, low, 1), 1, high, -1);
}

/** Sutherland–Hodgman against one edge: keep where side · (coordinate − k) ≥ 0 on the axis (0: x, 1: y). */
function clipEdge(ring: number[], axis: 0 | 1, k: number, side: 1 | -1): number[] {
  const out: number[] = [];
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const px = ring[2 * j], py = ring[2 * j + 1], cx = ring[2 * i], cy = ring[2 * i + 1];
    const pc = ring[2 * j + axis], cc = ring[2 * i + axis];
    const cIn = side * (cc - k) >= 0;
    if (side * (pc - k) >= 0 !== cIn) {
      const t = (k - pc) / (cc - pc);
      if (axis === 0) out.push(k, py + (cy - py) * t);
      else out.push(px + (cx - px) * t, k);
    }
    if (cIn) out.push(cx, cy);
  }
  return out;
}

/** Rounded to the tile grid, without repeated points (nor a last point equal to the first). */
function roundedRing(ring: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ring.length; i += 2) {
    const x = Math.round(ring[i]), y = Math.round(ring[i + 1]);
    if (out.length === 0 || x !== out[out.length - 2] || y !== out[out.length - 1]) out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/** Positive for clockwise rings on screen (y down), as MVT wants exteriors; see tiles/mvt.ts signedArea. */
function signedArea(ring: number[]): number {
  let sum = 0;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) sum += ring[2 * j] * ring[2 * i + 1] - ring[2 * i] * ring[2 * j + 1];
  return sum / 2;
}

function reverse(ring: number[]): void {
  for (let i = 0, j = ring.length - 2; i < j; i += 2, j -= 2) {
    const x = ring[i], y = ring[i + 1];
    ring[i] = ring[j];
    ring[i + 1] = ring[j + 1];
    ring[j] = x;
    ring[j + 1] = y;
  }
}

// ---- encode -------------------------------------------------------------------------------------------------

/** A layer's tags as numbers: every key and value once, and per feature id its key, value, key, value, … numbers. */
interface TagTable {
  keys: string[];
  values: (string | number | boolean)[];
  byId: Map<number, Int32Array>;
}

function tagTable(tags: LayerTags): TagTable {
  const table: TagTable = { keys: [], values: [], byId: new Map() };
  const keyNumbers = new Map<string, number>();
  const valueNumbers = new Map<string | number | boolean, number>();
  const numberOf = <T>(map: Map<T, number>, list: T[], item: T): number => {
    let n = map.get(item);
    if (n === undefined) map.set(item, (n = list.push(item) - 1));
    return n;
  };
  for (const [id, t] of tags) {
    const pairs: number[] = [];
    for (const [key, value] of Object.entries(t as Tags)) {
      pairs.push(numberOf(keyNumbers, table.keys, key), numberOf(valueNumbers, table.values, value));
    }
    table.byId.set(id, Int32Array.from(pairs));
  }
  return table;
}

function encodeTile(layers: LayerToWrite[]): Uint8Array {
  const pbf = new PbfWriter();
  for (const layer of layers) if (layer.features.length > 0) pbf.writeMessage(3, writeLayer, layer);
  return pbf.finish();
}

interface LayerToWrite {
  name: string;
  features: CutFeature[];
  tags: TagTable;
}

/** A tile layer's own key and value tables: the TagTable's numbers in it (keyAt: −1 while not in it yet), in order. */
interface TileTables {
  keyAt: Int32Array;
  valueAt: Int32Array;
  keys: number[];
  values: number[];
}

function writeLayer({ name, features, tags }: LayerToWrite, pbf: PbfWriter): void {
  pbf.writeVarintField(15, MVT_VERSION);
  pbf.writeStringField(1, name);
  pbf.writeVarintField(5, EXTENT);
  const tile: TileTables = { keyAt: new Int32Array(tags.keys.length).fill(-1), valueAt: new Int32Array(tags.values.length).fill(-1), keys: [], values: [] };
  for (const feature of features) {
    const pairs = tags.byId.get(feature.id) ?? new Int32Array(0);
    pbf.writeMessage(2, writeFeature, { feature, pairs, tile });
  }
  for (const k of tile.keys) pbf.writeStringField(3, tags.keys[k]);
  for (const v of tile.values) pbf.writeMessage(4, writeValue, tags.values[v]);
}

function writeFeature({ feature, pairs, tile }: { feature: CutFeature; pairs: Int32Array; tile: TileTables }, pbf: PbfWriter): void {
  pbf.writeVarintField(1, feature.id);
  const numbers: number[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    if (tile.keyAt[pairs[i]] < 0) tile.keyAt[pairs[i]] = tile.keys.push(pairs[i]) - 1;
    if (tile.valueAt[pairs[i + 1]] < 0) tile.valueAt[pairs[i + 1]] = tile.values.push(pairs[i + 1]) - 1;
    numbers.push(tile.keyAt[pairs[i]], tile.valueAt[pairs[i + 1]]);
  }
  pbf.writePackedVarint(2, numbers);
  pbf.writeVarintField(3, 3);
  pbf.writeMessage(4, writeRings, feature.rings);
}

/** MoveTo, LineTo × (n − 1), ClosePath per ring, in zig-zag deltas. */
function writeRings(rings: number[][], pbf: PbfWriter): void {
  const zigzag = (n: number): number => (n << 1) ^ (n >> 31);
  let x = 0, y = 0;
  for (const ring of rings) {
    const n = ring.length / 2;
    for (let i = 0; i < n; i++) {
      if (i === 0) pbf.writeVarint(1 | (1 << 3));
      if (i === 1) pbf.writeVarint(2 | ((n - 1) << 3));
      pbf.writeVarint(zigzag(ring[2 * i] - x));
      pbf.writeVarint(zigzag(ring[2 * i + 1] - y));
      x = ring[2 * i];
      y = ring[2 * i + 1];
    }
    pbf.writeVarint(7 | (1 << 3));
  }
}

function writeValue(value: string | number | boolean, pbf: PbfWriter): void {
  if (typeof value === 'string') pbf.writeStringField(1, value);
  else if (typeof value === 'boolean') pbf.writeBooleanField(7, value);
  else if (!Number.isInteger(value)) pbf.writeDoubleField(3, value);
  else if (value < 0) pbf.writeSVarintField(6, value);
  else pbf.writeVarintField(5, value);
}

// ---- run ----------------------------------------------------------------------------------------------------

const runs = positiveInt('runs', values.runs!);
const buildDir = path.resolve(values['build-dir']!);
const buildId = await currentBuildId(buildDir);
if (buildId === null) throw new Error(`no build in ${buildDir}: run npm run build first`);
const dataset = await readBuild(buildDir, buildId);
const tileset = tilesetsOf(dataset).find((t) => t.id === values.tileset);
if (!tileset) throw new Error(`no tileset ${values.tileset}`);
const tiles = readTileList(path.resolve(values.list!));
const bands = await prepareBandsInWorker(buildDir, buildId);
const polygonLayers = new TileMaker(dataset, bands).geometry.layerNames(tiles[0].z).filter((name) => name !== LABEL_LAYER);
const layers = values.layers?.split(',') ?? polygonLayers;
for (const name of layers) if (!polygonLayers.includes(name)) throw new Error(`--layers ${name}: expected any of ${polygonLayers.join(',')}`);
console.log(`build ${buildId}, ${tiles.length} tiles, layers ${layers.join(', ')}, ${runs} runs each`);

interface Run {
  /** The year's attributes and the indexes (and, for the spike, its tag tables). */
  setupMs: number;
  tilesMs: number;
  bytes: Uint8Array[];
}

/** The current core, timed as bench:tiles times it. */
function current(): Run {
  const run = coldGeneration(dataset, bands, tileset!, tiles, layers);
  return { setupMs: run.indexMs, tilesMs: run.tilesMs, bytes: run.bytes };
}

/** The spike, from the same bands: the year's attributes, indexes and tag tables, then every tile. */
function spike(): Run {
  const t0 = performance.now();
  const attributes = new TileMaker(dataset, bands).attributes(tileset!.year, 'public');
  const indexes = new Map<string, BandIndex>();
  for (const z of new Set(tiles.map((t) => t.z))) {
    for (const name of layers) indexes.set(`${name}/${z}`, indexBand(bands.get(bandKey(name, bandOf(z), null))!));
  }
  const tables = new Map(layers.map((name) => [name, tagTable(attributes.layers.get(name)!)]));
  const t1 = performance.now();
  const bytes = tiles.map((address) =>
    encodeTile(layers.map((name) => ({ name, features: cutTile(indexes.get(`${name}/${address.z}`)!, address), tags: tables.get(name)! }))),
  );
  return { setupMs: t1 - t0, tilesMs: performance.now() - t1, bytes };
}

const results = { current: [] as Run[], spike: [] as Run[] };
for (let r = 0; r < runs; r++) {
  results.current.push(current());
  results.spike.push(spike());
  const [c, s] = [results.current[r], results.spike[r]];
  console.log(`run ${r + 1}: current ${c.setupMs.toFixed(0)} + ${c.tilesMs.toFixed(0)} ms, spike ${s.setupMs.toFixed(0)} + ${s.tilesMs.toFixed(0)} ms (attributes and indexes + tiles)`);
}

for (const [name, list] of Object.entries(results)) {
  const total = median(list.map((x) => x.setupMs + x.tilesMs));
  const tilesOnly = median(list.map((x) => x.tilesMs));
  console.log(`${name.padEnd(8)} median ${total.toFixed(0)} ms = ${Math.round(tiles.length / (total / 1000))} tiles/s with attributes and indexes, ${Math.round(tiles.length / (tilesOnly / 1000))} tiles/s without`);
}
const ratio = median(results.current.map((x) => x.setupMs + x.tilesMs)) / median(results.spike.map((x) => x.setupMs + x.tilesMs));
console.log(`spike / current: ${ratio.toFixed(1)}× the tiles per second, with attributes and indexes`);
console.log(compare(results.current[0].bytes, results.spike[0].bytes));
process.exit(0);

/**
 * Whether both cores give the same tiles once decoded: per layer, the same feature ids with the same type and tags,
 * and the same rings once each is rotated to start at its least point. Rings may differ on the buffer's edge, outside
 * the tile: geojson-vt clips level by level and rounds its crossings there from other intermediate points.
 */
function compare(a: Uint8Array[], b: Uint8Array[]): string {
  const count = { features: 0, same: 0, sameInsideBuffer: 0, withinOneUnit: 0, tiles: 0 };
  a.forEach((bytes, t) => {
    let tileDiffers = false;
    for (const layer of layers) {
      const [x, y] = [decodedLayer(bytes, layer), decodedLayer(b[t], layer)];
      for (const id of new Set([...x.keys(), ...y.keys()])) {
        count.features++;
        const [fx, fy] = [x.get(id), y.get(id)];
        if (fx && fy && fx.attributes === fy.attributes && sameRings(fx.rings, fy.rings, () => true)) count.same++;
        else if (fx && fy && fx.attributes === fy.attributes && sameRings(fx.rings, fy.rings, insideBuffer)) count.sameInsideBuffer++;
        else if (fx && fy && fx.attributes === fy.attributes && ringsWithinOneUnit(fx.rings, fy.rings)) count.withinOneUnit++;
        else tileDiffers = true;
      }
    }
    if (tileDiffers) count.tiles++;
  });
  const differ = count.features - count.same - count.sameInsideBuffer - count.withinOneUnit;
  return (
    `decoded and compared ${count.features} features: ${count.same} the same, ${count.sameInsideBuffer} the same but on the buffer's edge, ` +
    `${count.withinOneUnit} the same points within one unit, ${differ} differ otherwise (in ${count.tiles} of ${a.length} tiles)`
  );
}

function decodedLayer(bytes: Uint8Array, layer: string): Map<number, { attributes: string; rings: [number, number][][] }> {
  const l = bytes.length > 0 ? new VectorTile(new PbfReader(bytes)).layers[layer] : undefined;
  const out = new Map<number, { attributes: string; rings: [number, number][][] }>();
  for (let i = 0; i < (l?.length ?? 0); i++) {
    const f = l!.feature(i);
    out.set(Number(f.id), { attributes: JSON.stringify([f.type, f.properties]), rings: f.loadGeometry().map((ring) => ring.map((p): [number, number] => [p.x, p.y])) });
  }
  return out;
}

function insideBuffer([x, y]: [number, number]): boolean {
  const [low, high] = [-BUFFER + 1, EXTENT + BUFFER - 1];
  return x > low && x < high && y > low && y < high;
}

/** The same number of rings and points, every point within one unit of its counterpart (from the nearest to the first). */
function ringsWithinOneUnit(a: [number, number][][], b: [number, number][][]): boolean {
  const near = (p: [number, number], q: [number, number]): boolean => Math.abs(p[0] - q[0]) <= 1 && Math.abs(p[1] - q[1]) <= 1;
  return (
    a.length === b.length &&
    a.every((ring, r) => {
      const [x, y] = [ring.slice(0, -1), b[r].slice(0, -1)];
      const offset = y.findIndex((q) => near(x[0], q));
      return x.length === y.length && offset >= 0 && x.every((p, i) => near(p, y[(i + offset) % y.length]));
    })
  );
}

/** The same rings in the same order, each compared from its least point on and only at the points kept. */
function sameRings(a: [number, number][][], b: [number, number][][], keep: (p: [number, number]) => boolean): boolean {
  const normal = (ring: [number, number][]): string => {
    const open = ring.slice(0, -1).filter(keep);
    let least = 0;
    open.forEach((p, i) => (p[0] < open[least][0] || (p[0] === open[least][0] && p[1] < open[least][1])) && (least = i));
    return JSON.stringify([...open.slice(least), ...open.slice(0, least)]);
  };
  return a.length === b.length && a.every((ring, i) => normal(ring) === normal(b[i]));
}
