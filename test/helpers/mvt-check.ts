/**
 * MVT 2.1 conformance checks for tests, on the bytes as served: the layer list read raw from the protobuf (so that a
 * duplicate layer name, which @mapbox/vector-tile would silently overwrite, is seen), the geometry command stream read
 * raw (so that a zero-length LineTo, a repeated closing point or a malformed command is seen), and every layer decoded
 * with @mapbox/vector-tile, the reference decoder, whose rings the seam check then uses.
 *
 * Tile coordinates have y down: the surveyor's formula gives a positive area for a ring that is clockwise on
 * screen, which is what MVT 2.1 wants for exterior rings; holes are negative and follow their exterior.
 */
import { PbfReader } from 'pbf';
import { decodeTile } from './mvt.ts';

export const MVT_EXTENT = 4096;
/** Coordinates farther than this outside the tile are not sane (the tiles' buffer is far smaller). */
const SANE_MARGIN = MVT_EXTENT;

type Ring = [number, number][];

export interface RawFeature {
  id: number | undefined;
  type: number;
  geometry: number[];
}

export interface RawLayer {
  name: string;
  version: number;
  extent: number;
  features: RawFeature[];
}

/** The layers of a tile in the order written, duplicates and all, with each feature's raw command integers. */
export function rawLayers(bytes: Uint8Array): RawLayer[] {
  const pbf = new PbfReader(bytes);
  const layers: RawLayer[] = [];
  pbf.readFields((tag, list, p) => {
    if (tag !== 3) return;
    const layer: RawLayer = { name: '', version: 1, extent: MVT_EXTENT, features: [] };
    p.readMessage((t, l, q) => {
      if (t === 1) l.name = q.readString();
      else if (t === 15) l.version = q.readVarint();
      else if (t === 5) l.extent = q.readVarint();
      else if (t === 2) {
        const f: RawFeature = { id: undefined, type: 0, geometry: [] };
        q.readMessage((ft, feature, r) => {
          if (ft === 1) feature.id = r.readVarint();
          else if (ft === 3) feature.type = r.readVarint();
          else if (ft === 4) r.readPackedVarint(feature.geometry);
        }, f);
        l.features.push(f);
      }
    }, layer);
    list.push(layer);
  }, layers);
  return layers;
}

/** The surveyor's formula over a closed or open ring (the closing edge is implied), in tile coordinates (y down). */
export function ringArea(ring: Ring): number {
  let sum = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x0, y0] = ring[i];
    const [x1, y1] = ring[(i + 1) % n];
    sum += x0 * y1 - x1 * y0;
  }
  return sum / 2;
}

const zigzag = (n: number) => (n >>> 1) ^ -(n & 1);

/**
 * Walks a feature's command integers as MVT 2.1 specifies them and reports what breaks the spec; returns the rings
 * (open: without the implied closing point) or lines or points as encoded.
 */
export function checkCommands(type: number, geometry: number[], where: string, problems: string[]): Ring[] {
  const parts: Ring[] = [];
  let i = 0;
  let x = 0;
  let y = 0;
  const problem = (what: string) => problems.push(`${where}: ${what}`);
  const readPoint = (): [number, number] | null => {
    if (i + 1 >= geometry.length) {
      problem('command parameters run past the end of the geometry');
      i = geometry.length;
      return null;
    }
    x += zigzag(geometry[i++]);
    y += zigzag(geometry[i++]);
    if (x < -SANE_MARGIN || y < -SANE_MARGIN || x > MVT_EXTENT + SANE_MARGIN || y > MVT_EXTENT + SANE_MARGIN) problem(`coordinate (${x}, ${y}) far outside the tile`);
    return [x, y];
  };
  const command = (): [number, number] | null => {
    if (i >= geometry.length) return null;
    const c = geometry[i++];
    return [c & 7, c >> 3];
  };
  if (type === 1) {
    const c = command();
    if (!c || c[0] !== 1 || c[1] < 1) problem(`a point feature must be one MoveTo with count ≥ 1, found ${c ? `command ${c[0]} × ${c[1]}` : 'no command'}`);
    else {
      const points: Ring = [];
      for (let k = 0; k < c[1]; k++) {
        const p = readPoint();
        if (!p) break;
        if (points.some(([px, py]) => px === p[0] && py === p[1])) problem(`repeated point (${p[0]}, ${p[1]})`);
        points.push(p);
      }
      parts.push(points);
    }
    if (i < geometry.length) problem('commands after the MoveTo of a point feature');
    return parts;
  }
  if (type !== 2 && type !== 3) {
    problem(`geometry type ${type} (expected 1, 2 or 3)`);
    return parts;
  }
  if (geometry.length === 0) problem('empty geometry');
  while (i < geometry.length) {
    const move = command()!;
    if (move[0] !== 1 || move[1] !== 1) {
      problem(`expected MoveTo × 1 to start a ${type === 2 ? 'line' : 'ring'}, found command ${move[0]} × ${move[1]}`);
      return parts;
    }
    const start = readPoint();
    if (!start) return parts;
    const part: Ring = [start];
    const line = command();
    if (!line || line[0] !== 2 || line[1] < (type === 3 ? 2 : 1)) {
      problem(`expected LineTo × ≥ ${type === 3 ? 2 : 1} after MoveTo, found ${line ? `command ${line[0]} × ${line[1]}` : 'the end'}`);
      return parts;
    }
    for (let k = 0; k < line[1]; k++) {
      const prev = part[part.length - 1];
      const p = readPoint();
      if (!p) return parts;
      if (p[0] === prev[0] && p[1] === prev[1]) problem(`zero-length LineTo at (${p[0]}, ${p[1]}) (repeated point)`);
      part.push(p);
    }
    if (type === 3) {
      const close = command();
      if (!close || close[0] !== 7 || close[1] !== 1) {
        problem(`expected ClosePath × 1 to end a ring, found ${close ? `command ${close[0]} × ${close[1]}` : 'the end'}`);
        return parts;
      }
      const last = part[part.length - 1];
      if (last[0] === start[0] && last[1] === start[1]) problem(`ring repeats its first point (${start[0]}, ${start[1]}) before ClosePath (zero-length closing edge)`);
    }
    parts.push(part);
  }
  return parts;
}

/** Rules for a feature's polygon rings: ≥ 4 points incl. closing, non-zero area, exterior first and positive. */
export function checkRings(rings: Ring[], where: string, problems: string[]): void {
  if (rings.length === 0) problems.push(`${where}: polygon without rings`);
  rings.forEach((ring, r) => {
    if (ring.length + 1 < 4) problems.push(`${where} ring ${r}: ${ring.length + 1} points incl. closing (< 4)`);
    const area = ringArea(ring);
    if (area === 0) problems.push(`${where} ring ${r}: zero area`);
    if (r === 0 && area < 0) problems.push(`${where} ring 0: negative area ${area} (an exterior must be clockwise on screen, positive with y down; a hole cannot come first)`);
  });
}

export interface CheckedFeature {
  id: number | undefined;
  type: number;
  properties: Record<string, string | number | boolean>;
  /** As decoded by @mapbox/vector-tile: closed rings (polygons), lines, or one list of points. */
  parts: Ring[];
}

export interface CheckedLayer {
  name: string;
  version: number;
  extent: number;
  features: CheckedFeature[];
}

export interface TileCheck {
  problems: string[];
  layers: Map<string, CheckedLayer>;
}

/**
 * Every MVT 2.1 rule we hold tiles to, on one tile's bytes. `where` prefixes each problem (e.g. "12/2184/1238").
 * An empty body (a tile without features) is valid and has no layers.
 */
export function checkTile(bytes: Uint8Array, where: string): TileCheck {
  const problems: string[] = [];
  const layers = new Map<string, CheckedLayer>();
  if (bytes.length === 0) return { problems, layers };
  const raw = rawLayers(bytes);
  const names = raw.map((l) => l.name);
  const dupes = names.filter((n, k) => names.indexOf(n) !== k);
  if (dupes.length > 0) problems.push(`${where}: duplicate layer names ${JSON.stringify(dupes)}`);
  const tile = decodeTile(bytes);
  for (const rawLayer of raw) {
    const name = rawLayer.name;
    const at = `${where} layer ${name}`;
    if (!name) problems.push(`${where}: a layer without name`);
    const layer = tile.layers[name];
    if (rawLayer.version !== 2 || layer.version !== 2) problems.push(`${at}: version ${rawLayer.version} (expected 2)`);
    if (rawLayer.extent !== MVT_EXTENT || layer.extent !== MVT_EXTENT) problems.push(`${at}: extent ${rawLayer.extent} (expected ${MVT_EXTENT})`);
    if (layer.length !== rawLayer.features.length) problems.push(`${at}: @mapbox/vector-tile sees ${layer.length} features, the raw protobuf ${rawLayer.features.length}`);
    const ids = new Set<number>();
    const features: CheckedFeature[] = [];
    for (let k = 0; k < layer.length; k++) {
      const f = layer.feature(k);
      const fAt = `${at} feature #${k} id ${f.id}`;
      if (f.id === undefined || !Number.isSafeInteger(f.id) || f.id < 0) problems.push(`${fAt}: no numeric id`);
      else if (ids.has(f.id)) problems.push(`${fAt}: duplicate id`);
      else ids.add(f.id);
      const rawParts = checkCommands(rawLayer.features[k].type, rawLayer.features[k].geometry, fAt, problems);
      const parts = f.loadGeometry().map((ring) => ring.map((p): [number, number] => [p.x, p.y]));
      if (f.type === 3) {
        checkRings(rawParts, fAt, problems);
        if (parts.some((ring) => ring.length < 2 || ring[0][0] !== ring[ring.length - 1][0] || ring[0][1] !== ring[ring.length - 1][1])) problems.push(`${fAt}: @mapbox/vector-tile decodes an unclosed ring`);
      }
      if (f.type === 2 && parts.some((line) => line.length < 2)) problems.push(`${fAt}: a line with fewer than 2 points`);
      features.push({ id: f.id, type: f.type, properties: f.properties, parts });
    }
    layers.set(name, { name, version: layer.version, extent: layer.extent, features });
  }
  return { problems, layers };
}

/**
 * For sample points on an n × n grid in tile coordinates (row-major, y down), how many of the given polygon features
 * cover each point, each feature by the even-odd rule over all its rings (as MVT renderers fill). Half-open in y, so a
 * point on an edge shared by two neighbours (identical integer vertices) is counted in exactly one of them.
 */
export function coverageCounts(features: CheckedFeature[], xs: number[], ys: number[]): Uint16Array {
  const counts = new Uint16Array(xs.length * ys.length);
  const crossings: number[] = [];
  for (const f of features) {
    if (f.type !== 3) continue;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const ring of f.parts) for (const p of ring) {
      if (p[1] < minY) minY = p[1];
      if (p[1] > maxY) maxY = p[1];
    }
    for (let row = 0; row < ys.length; row++) {
      const y = ys[row];
      if (y < minY || y >= maxY) continue;
      crossings.length = 0;
      for (const ring of f.parts) {
        for (let k = 0, n = ring.length; k < n; k++) {
          const [x0, y0] = ring[k];
          const [x1, y1] = ring[(k + 1) % n];
          if (y0 === y1) continue;
          const lo = y0 < y1 ? y0 : y1;
          const hi = y0 < y1 ? y1 : y0;
          if (y < lo || y >= hi) continue;
          crossings.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
        }
      }
      if (crossings.length === 0) continue;
      crossings.sort((a, b) => a - b);
      // A point is inside iff an odd number of crossings lie right of it: iff it is in [c[2j], c[2j+1]).
      let c = 0;
      for (let col = 0; col < xs.length; col++) {
        const x = xs[col];
        while (c < crossings.length && crossings[c] <= x) c++;
        if ((crossings.length - c) % 2 === 1) counts[row * xs.length + col]++;
      }
    }
  }
  return counts;
}

/**
 * checkTile plus the rules of our tile layers: `regso` holds polygons only, and `regso_label` is absent where the
 * areas are dissolved (`labels` false). What the tile sweeps of every grid hold each tile to.
 */
export function checkServedTile(bytes: Uint8Array, where: string, labels: boolean, areaLayer = 'regso', labelLayer = 'regso_label'): TileCheck {
  const checked = checkTile(bytes, where);
  if (!labels && checked.layers.has(labelLayer)) checked.problems.push(`${where}: layer ${labelLayer} where the areas are dissolved`);
  if (checked.layers.get(areaLayer)?.features.some((f) => f.type !== 3)) checked.problems.push(`${where} layer ${areaLayer}: a feature that is not a polygon`);
  return checked;
}
