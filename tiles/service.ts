/**
 * Tiles of one dataset version: made by TileMaker, kept compressed in the shared TileCache under a key with the
 * data version, the role and the year (the alias and its year share entries), and precomputed in the background.
 */
import { datasetBounds, type Dataset } from '../data/dataset.ts';
import type { Role } from '../data/disclosure.ts';
import { compressTile, type CachedTile, type TileCache } from './cache.ts';
import { TILE_MATRIX_SETS, WEB_MERCATOR_QUAD, tilesCovering, type TileAddress, type TileMatrixSet } from './grid.ts';
import { gridPlane } from './plane.ts';
import type { PreparedBands } from './prepared.ts';
import { TileMaker, type TilesetInfo } from './tilesets.ts';

/**
 * The precompute holds the event loop in slices (a slice ends after the tile that passes its end): at least
 * SLICE_MS, and a third of the time the loop spent on requests since the last slice. A request that arrives
 * meanwhile waits about one slice, and so does a batch of cached tiles' answers (server/response-batch.ts), whose
 * setImmediate may run after the precompute's. Under heavy load, requests get three quarters of the thread and the
 * precompute a quarter: a new version still arrives (with fixed 5 ms slices, swaps under the reliability test's load
 * took twice as long).
 */
const SLICE_MS = 5;
const SHARE_OF_REQUEST_TIME = 1 / 3;

export type TileLookup = { status: 'ok'; tile: CachedTile } | { status: 'out-of-range'; reason: string };

/** A tile made rather than found in the cache, and how long making and compressing it took: what metrics time. */
export interface TileMade {
  grid: TileMatrixSet;
  z: number;
  seconds: number;
}

export type TileMadeListener = (made: TileMade) => void;

export interface PrecomputeProgress {
  state: 'idle' | 'running' | 'done' | 'stopped';
  minzoom: number;
  maxzoom: number;
  done: number;
  total: number;
  seconds: number;
}

export class TileService {
  readonly maker: TileMaker;
  /** [west, south, east, north] of the areas, in degrees. */
  readonly bounds: [number, number, number, number];
  private progress: PrecomputeProgress = { state: 'idle', minzoom: 0, maxzoom: -1, done: 0, total: 0, seconds: 0 };
  private stopped = false;

  constructor(
    readonly dataset: Dataset,
    private readonly cache: TileCache,
    /** Told of every tile made (server/metrics.ts times them; tiles/ stays free of any metrics library). */
    private readonly onMade?: TileMadeListener,
    /** The generalised geometry, if prepared off this thread (prepared.ts); else made here on first use. */
    prepared?: PreparedBands,
  ) {
    this.maker = new TileMaker(dataset, prepared);
    this.bounds = datasetBounds(dataset);
  }

  tileset(id: string): TilesetInfo | undefined {
    return this.maker.tilesets.get(id);
  }

  /** The tile if it is cached; never makes one (the fast path's lookup). */
  cached(tileset: TilesetInfo, address: TileAddress, role: Role, grid: TileMatrixSet = WEB_MERCATOR_QUAD, layers?: readonly string[]): CachedTile | undefined {
    return this.cache.get(this.key(tileset, address, role, grid, layers), false);
  }

  /** The tile, from the cache or made and cached; `layers` as in TileMaker.tile. */
  get(tileset: TilesetInfo, address: TileAddress, role: Role, grid: TileMatrixSet = WEB_MERCATOR_QUAD, layers?: readonly string[]): TileLookup {
    const key = this.key(tileset, address, role, grid, layers);
    const cached = this.cache.get(key);
    if (cached) return { status: 'ok', tile: cached };
    return this.make(key, tileset, address, role, grid, layers);
  }

  private make(key: string, tileset: TilesetInfo, address: TileAddress, role: Role, grid: TileMatrixSet, layers?: readonly string[]): TileLookup {
    const started = performance.now();
    const made = this.maker.tile(tileset, address, role, grid, layers);
    if (made.status !== 'ok') return made;
    const tile = compressTile(made.bytes);
    this.cache.set(key, tile);
    this.onMade?.({ grid, z: address.z, seconds: (performance.now() - started) / 1000 });
    return { status: 'ok', tile };
  }

  private key(tileset: TilesetInfo, address: TileAddress, role: Role, grid: TileMatrixSet, layers?: readonly string[]): string {
    const layerPart = layers ? `[${layers.join(',')}]` : '';
    return `${this.dataset.id}/${grid.id}${layerPart}/${role}/${tileset.year}/${address.z}/${address.x}/${address.y}`;
  }

  precomputeProgress(): PrecomputeProgress {
    return { ...this.progress };
  }

  /**
   * Makes every public tile of Web Mercator zooms minzoom–maxzoom over the data, for every year, and the tiles of the
   * same ground resolution in every other grid (levels minzoom − zoomOffset to maxzoom − zoomOffset: SWEREF 99 TM
   * 0–8 for 0–10), yielding to the event loop between slices so that requests are served meanwhile. Stops early when
   * `stop()` is called (a newer version).
   */
  async precompute(minzoom: number, maxzoom: number, onProgress?: (p: PrecomputeProgress) => void): Promise<PrecomputeProgress> {
    const years = [...this.maker.tilesets.values()].filter((t) => !t.alias);
    const levels = TILE_MATRIX_SETS.flatMap((grid) => {
      const offset = gridPlane(grid).zoomOffset;
      const from = Math.max(0, minzoom - offset);
      return Array.from({ length: Math.max(0, maxzoom - offset - from + 1) }, (_, i) => ({ grid, addresses: [...tilesCovering(this.bounds, from + i, grid)] }));
    });
    const started = performance.now();
    const total = levels.reduce((sum, level) => sum + level.addresses.length, 0) * years.length;
    this.progress = { state: 'running', minzoom, maxzoom, done: 0, total, seconds: 0 };
    let sliceEnd = started + SLICE_MS;
    // Level by level, so that each finished band's geojson-vt indexes can be let go at once (peak memory).
    for (const { grid, addresses } of levels) {
      for (const tileset of years) {
        for (const address of addresses) {
          if (this.stopped) return this.finish('stopped', started);
          // Not through get: the cache's hits and misses count what requests find.
          const key = this.key(tileset, address, 'public', grid);
          if (!this.cache.has(key)) this.make(key, tileset, address, 'public', grid);
          this.progress.done++;
          const now = performance.now();
          if (now >= sliceEnd) {
            this.progress.seconds = (now - started) / 1000;
            onProgress?.(this.precomputeProgress());
            await new Promise((resolve) => setImmediate(resolve));
            const back = performance.now();
            sliceEnd = back + Math.max(SLICE_MS, (back - now) * SHARE_OF_REQUEST_TIME);
          }
        }
      }
      this.maker.geometry.release(addresses[0]?.z ?? 0, grid);
    }
    return this.finish('done', started);
  }

  stop(): void {
    this.stopped = true;
  }

  private finish(state: 'done' | 'stopped', started: number): PrecomputeProgress {
    this.progress.state = state;
    this.progress.seconds = (performance.now() - started) / 1000;
    return this.precomputeProgress();
  }
}
