/**
 * The whole tile pyramid of tilesets, for export (MBTiles, PMTiles): every non-empty tile of z minzoom–maxzoom,
 * found by walking down from the world tile and descending only into tiles that have something in them.
 *
 * Order: depth-first, children in the order (2x, 2y), (2x+1, 2y), (2x, 2y+1), (2x+1, 2y+1) — deterministic, the
 * same for every run on the same build. Writers that need another order (PMTiles: by Hilbert tile id) sort.
 *
 * Memory: geojson-vt keeps every tile it has cut (with the source geometry of the deepest ones), so over z0–14 of all
 * Sweden its indexes would grow to millions of tiles. Depth-first, a subtree is finished before the next is begun: when
 * the walk leaves a tile, nothing below it is asked for again, so the tile and its children are deleted from every
 * index the walk used (geojson-vt's `tiles` map is part of its public API). Siblings still to come keep the geometry
 * they were cut with, so what is left can still drill down to every tile not yet visited. That leaves the indexes
 * unfit for anything else: the walk makes its own TileMaker, never shares one.
 */
import type GeoJSONVT from 'geojson-vt';
import { datasetBounds, type Dataset } from '../../data/dataset.ts';
import type { Role } from '../../data/disclosure.ts';
import type { TileAddress } from '../grid.ts';
import { tileJson, vectorLayers, type VectorLayer } from '../tilejson.ts';
import { MAX_ZOOM, MIN_ZOOM, TileMaker, type TilesetInfo } from '../tilesets.ts';

export type Bounds = [west: number, south: number, east: number, north: number];

export interface PyramidOptions {
  /** Default 0. */
  minzoom?: number;
  /** Default 14 (the tilesets' maxzoom; deeper tiles do not exist). */
  maxzoom?: number;
  /** Only tiles intersecting [west, south, east, north] (degrees); default: all the data. */
  bbox?: Bounds;
  /** Default 'public'. */
  role?: Role;
  /** Called about every `progressMs` (default 500) and once at the end. */
  onProgress?: (p: PyramidProgress) => void;
  progressMs?: number;
}

export interface PyramidProgress {
  /** Tiles looked at (made and encoded), empty ones included. */
  visited: number;
  /** Tiles yielded: non-empty in at least one tileset. */
  tiles: number;
  /** Estimate of `visited` at the end (exact when done). */
  estimated: number;
  /** Tiles the geojson-vt indexes hold now (what the walk's memory grows with). */
  indexedTiles: number;
  seconds: number;
  done: boolean;
}

export interface PyramidTile extends TileAddress {
  /** Uncompressed MVT, never empty. */
  bytes: Uint8Array;
}

export interface MultiPyramidTile extends TileAddress {
  /** Uncompressed MVT per tileset, in the order the tilesets were given; an empty array where that tileset has nothing. */
  bytes: Uint8Array[];
}

/** Every non-empty tile of one tileset; see the module comment for order and memory. */
export function* tilePyramid(dataset: Dataset, tileset: TilesetInfo, options: PyramidOptions = {}): Generator<PyramidTile> {
  for (const t of tilePyramids(dataset, [tileset], options)) yield { z: t.z, x: t.x, y: t.y, bytes: t.bytes[0] };
}

/**
 * Every tile non-empty in at least one of the tilesets, in one walk: geometry is cut once and shared by all years
 * (only the attributes differ), so exporting the years together costs little more than one.
 */
export function* tilePyramids(dataset: Dataset, tilesets: readonly TilesetInfo[], options: PyramidOptions = {}): Generator<MultiPyramidTile> {
  const { minzoom, maxzoom } = zoomRange(options);
  const role = options.role ?? 'public';
  const bbox = options.bbox;
  const progressMs = options.progressMs ?? 500;
  if (tilesets.length === 0) throw new Error('tilePyramids: no tileset given');
  const maker = new TileMaker(dataset);
  const started = performance.now();
  let lastProgress = started;

  // The finest band's geometry: every feature, unsimplified, no island left out (see `hasGeometry`).
  const finest = maker.geometry.layerNames(MAX_ZOOM).map((name) => maker.geometry.index(name, MAX_ZOOM, tilesets[0].year));
  const used = new Set<GeoJSONVT>(finest);
  const seenZoom = new Set<number>();

  let visited = 0;
  let yielded = 0;

  const sizes = new SubtreeSizes(maxzoom);

  /** Stack of tiles to visit (kind 0) and tiles to leave (kind 1, with `visited` when entered): [kind, z, x, y, entered]. */
  const stack: [number, number, number, number, number][] = [];
  if (intersects({ z: 0, x: 0, y: 0 }, bbox)) stack.push([0, 0, 0, 0, 0]);

  const progress = (done: boolean): PyramidProgress => {
    let estimated = visited;
    if (!done) for (const [kind, z] of stack) if (kind === 0) estimated += sizes.estimate(z);
    let indexedTiles = 0;
    for (const index of used) indexedTiles += Object.keys(internals(index).tiles).length;
    return { visited, tiles: yielded, estimated: Math.round(estimated), indexedTiles, seconds: (performance.now() - started) / 1000, done };
  };

  while (stack.length > 0) {
    const [kind, z, x, y, entered] = stack.pop()!;
    if (kind === 1) {
      leave(used, z, x, y);
      sizes.completed(z, visited - entered);
      continue;
    }
    const address = { z, x, y };
    if (!seenZoom.has(z)) {
      seenZoom.add(z);
      for (const t of tilesets) for (const name of maker.geometry.layerNames(z)) used.add(maker.geometry.index(name, z, t.year));
    }
    visited++;
    sizes.visited(z);
    // Above minzoom nothing is exported: the geometry alone decides whether to go on.
    const bytes =
      z < minzoom
        ? null
        : tilesets.map((t) => {
            const made = maker.tile(t, address, role);
            if (made.status !== 'ok') throw new Error(`tile ${z}/${x}/${y} of ${t.id}: ${made.reason}`);
            return made.bytes;
          });
    const nonEmpty = bytes !== null && bytes.some((b) => b.length > 0);
    if (z < maxzoom && (nonEmpty || hasGeometry(finest, address))) {
      stack.push([1, z, x, y, visited - 1]);
      for (let i = 3; i >= 0; i--) {
        const child = { z: z + 1, x: 2 * x + (i & 1), y: 2 * y + (i >> 1) };
        if (intersects(child, bbox)) stack.push([0, child.z, child.x, child.y, 0]);
      }
    } else {
      leave(used, z, x, y);
      sizes.completed(z, 1);
    }
    if (bytes && nonEmpty) {
      yielded++;
      yield { z, x, y, bytes };
    }
    if (options.onProgress && performance.now() - lastProgress >= progressMs) {
      lastProgress = performance.now();
      options.onProgress(progress(false));
    }
  }
  options.onProgress?.(progress(true));
}

/**
 * Whether a tile's children may have features: an empty tile's children are empty, when "empty" is judged on the
 * finest band's geometry (every feature unsimplified, every island kept). Coarser bands only simplify that geometry
 * by a pixel or two at their zoom, far less than the margin a tile's buffer (64/4096) has over its children's
 * buffers (32/4096 of the parent), so nothing of theirs can reach a child the finest geometry does not reach.
 * The encoded tile itself is not a safe test: a band leaves out islands smaller than its tolerance and the integer
 * grid collapses slivers, so a tile can be empty at z10 and have features at z11.
 */
function hasGeometry(finest: readonly GeoJSONVT[], { z, x, y }: TileAddress): boolean {
  return finest.some((index) => (index.getTileRaw(z, x, y)?.features.length ?? 0) > 0);
}

/** The walk has left tile z/x/y: no tile at or below it is asked for again; drop it and its children from every index. */
function leave(indexes: Set<GeoJSONVT>, z: number, x: number, y: number): void {
  for (const index of indexes) {
    const { tiles, tileCoords } = internals(index);
    delete tiles[toId(z, x, y)];
    if (z < 24) for (let i = 0; i < 4; i++) delete tiles[toId(z + 1, 2 * x + (i & 1), 2 * y + (i >> 1))];
    // tileCoords lists every tile ever cut, for debugging only; keep it from growing without bound (amortised:
    // filtered again only when it has doubled since).
    if (tileCoords.length > (coordLimits.get(index) ?? 4096)) {
      const kept = tileCoords.filter((c) => toId(c.z, c.x, c.y) in tiles);
      tileCoords.length = 0;
      for (const c of kept) tileCoords.push(c);
      coordLimits.set(index, Math.max(4096, 2 * kept.length));
    }
  }
}

const coordLimits = new WeakMap<GeoJSONVT, number>();

/** geojson-vt's public `tiles` map (its types leave it out) and `tileCoords`. */
function internals(index: GeoJSONVT): { tiles: Record<number, unknown>; tileCoords: { z: number; x: number; y: number }[] } {
  return index as unknown as { tiles: Record<number, unknown>; tileCoords: { z: number; x: number; y: number }[] };
}

/** geojson-vt's tile key. */
function toId(z: number, x: number, y: number): number {
  return ((1 << z) * y + x) * 32 + z;
}

/**
 * Estimates of the tiles a subtree holds, for progress: per zoom, the mean size of the subtrees finished so far; for a
 * zoom with none finished yet, 1 + r·(estimate one zoom down), r being the tiles visited at the next zoom per tile
 * visited at this one so far (4 before anything is known).
 */
class SubtreeSizes {
  private readonly visitedAt: number[];
  private readonly finished: number[];
  private readonly finishedSize: number[];

  constructor(private readonly maxzoom: number) {
    this.visitedAt = new Array<number>(maxzoom + 2).fill(0);
    this.finished = new Array<number>(maxzoom + 1).fill(0);
    this.finishedSize = new Array<number>(maxzoom + 1).fill(0);
  }

  visited(z: number): void {
    this.visitedAt[z]++;
  }

  completed(z: number, size: number): void {
    this.finished[z]++;
    this.finishedSize[z] += size;
  }

  estimate(z: number): number {
    if (this.finished[z] > 0) return this.finishedSize[z] / this.finished[z];
    if (z >= this.maxzoom) return 1;
    const ratio = this.visitedAt[z] > 0 && this.visitedAt[z + 1] > 0 ? Math.min(4, this.visitedAt[z + 1] / this.visitedAt[z]) : 4;
    return 1 + ratio * this.estimate(z + 1);
  }
}

function zoomRange(options: PyramidOptions): { minzoom: number; maxzoom: number } {
  const minzoom = options.minzoom ?? MIN_ZOOM;
  const maxzoom = options.maxzoom ?? MAX_ZOOM;
  if (!Number.isInteger(minzoom) || !Number.isInteger(maxzoom) || minzoom < MIN_ZOOM || maxzoom > MAX_ZOOM || minzoom > maxzoom) {
    throw new Error(`zoom range ${minzoom}–${maxzoom}: expected integers ${MIN_ZOOM} ≤ minzoom ≤ maxzoom ≤ ${MAX_ZOOM}`);
  }
  return { minzoom, maxzoom };
}

/** Whether a tile intersects the bounds (all tiles do without bounds). */
function intersects({ z, x, y }: TileAddress, bbox: Bounds | undefined): boolean {
  if (!bbox) return true;
  const [w, s, e, n] = tileBoundsOf(z, x, y);
  return w <= bbox[2] && e >= bbox[0] && s <= bbox[3] && n >= bbox[1];
}

function tileBoundsOf(z: number, x: number, y: number): Bounds {
  const n = 2 ** z;
  const lat = (row: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * row) / n))) * 180) / Math.PI;
  return [(x / n) * 360 - 180, lat(y + 1), ((x + 1) / n) * 360 - 180, lat(y)];
}


/** What an exported tileset says about itself (MBTiles metadata, PMTiles header and JSON metadata). */
export interface ExportMetadata {
  id: string;
  name: string;
  description: string;
  version: string;
  attribution: string;
  /** [west, south, east, north], degrees, rounded to 1e-5. */
  bounds: Bounds;
  /** [lon, lat, zoom]. */
  center: [number, number, number];
  minzoom: number;
  maxzoom: number;
  vector_layers: VectorLayer[];
}

/**
 * The metadata of an export of a tileset: the server's TileJSON (name, description, version, attribution, bounds,
 * center), the bounds cut to the bbox if one was given, and the vector layers cut to the exported zooms.
 */
export function exportMetadata(dataset: Dataset, tileset: TilesetInfo, options: PyramidOptions = {}): ExportMetadata {
  const { minzoom, maxzoom } = zoomRange(options);
  const role = options.role ?? 'public';
  let bounds = datasetBounds(dataset);
  if (options.bbox) {
    const [w, s, e, n] = options.bbox;
    bounds = [Math.max(bounds[0], w), Math.max(bounds[1], s), Math.min(bounds[2], e), Math.min(bounds[3], n)];
    if (bounds[0] > bounds[2] || bounds[1] > bounds[3]) throw new Error(`bbox ${options.bbox.join(',')} does not intersect the data`);
  }
  const tj = tileJson(dataset, tileset, bounds, '', role);
  const center: [number, number, number] = [tj.center[0], tj.center[1], Math.min(maxzoom, Math.max(minzoom, tj.center[2]))];
  const layers = vectorLayers(dataset, tileset.year, role)
    .filter((l) => l.minzoom <= maxzoom && l.maxzoom >= minzoom)
    .map((l) => ({ ...l, minzoom: Math.max(l.minzoom, minzoom), maxzoom: Math.min(l.maxzoom, maxzoom) }));
  return {
    id: tileset.id,
    name: tj.name,
    description: tj.description,
    version: tj.version,
    attribution: tj.attribution,
    bounds: tj.bounds as Bounds,
    center,
    minzoom,
    maxzoom,
    vector_layers: layers,
  };
}
