/**
 * Cold generation of a tile list in-process, as bench:tiles times it and bench:core-spike compares against: a fresh
 * TileMaker on prepared bands, its attributes and indexes, then every tile.
 */
import type { Dataset } from '../data/dataset.ts';
import type { TileAddress } from '../tiles/grid.ts';
import type { PreparedBands } from '../tiles/prepared.ts';
import { TileMaker, type TilesetInfo } from '../tiles/tilesets.ts';
import { percentile } from './stats.ts';

export interface ColdRun {
  constructMs: number;
  indexMs: number;
  tilesMs: number;
  /** Including the index builds (strictly cold). */
  tilesPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  totalBytes: number;
  empty: number;
  bytes: Uint8Array[];
  /** ms per zoom of the list, summed over its tiles. */
  byZoom: Map<number, number>;
  /** The list again on the same TileMaker: geojson-vt keeps the tiles it cut, so this is cleaning and encoding only. */
  encodeOnlyMs: number;
}

/**
 * A fresh TileMaker over the list, from the bands the worker generalised (as the server makes one per data version):
 * the geojson-vt indexes of every layer and band the list touches and the year's attributes (built on first use; timed
 * apart so both rates can be given), then every tile: cut, clean, encode. `layers`: only these tile layers (all by
 * default).
 */
export function coldGeneration(ds: Dataset, bands: PreparedBands, ts: TilesetInfo, list: TileAddress[], layers?: readonly string[]): ColdRun {
  const t0 = performance.now();
  const maker = new TileMaker(ds, bands);
  const t1 = performance.now();
  maker.attributes(ts.year, 'public');
  for (const z of new Set(list.map((t) => t.z))) {
    for (const name of maker.geometry.layerNames(z)) if (!layers || layers.includes(name)) maker.geometry.index(name, z, ts.year);
  }
  const t2 = performance.now();
  const times: number[] = [];
  const bytes: Uint8Array[] = [];
  for (const address of list) {
    const t = performance.now();
    const made = maker.tile(ts, address, 'public', undefined, layers);
    times.push(performance.now() - t);
    if (made.status !== 'ok') throw new Error(`${address.z}/${address.x}/${address.y}: ${made.reason}`);
    bytes.push(made.bytes);
  }
  const t3 = performance.now();
  for (const address of list) maker.tile(ts, address, 'public', undefined, layers);
  const encodeOnlyMs = performance.now() - t3;
  return {
    byZoom: sumByZoom(list, times),
    encodeOnlyMs,
    constructMs: t1 - t0,
    indexMs: t2 - t1,
    tilesMs: t3 - t2,
    tilesPerSec: list.length / ((t3 - t1) / 1000),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    totalBytes: bytes.reduce((s, b) => s + b.length, 0),
    empty: bytes.filter((b) => b.length === 0).length,
    bytes,
  };
}

/** Milliseconds per zoom of a list, summed over its tiles. */
export function sumByZoom(list: TileAddress[], ms: number[]): Map<number, number> {
  const m = new Map<number, number>();
  list.forEach((t, i) => m.set(t.z, (m.get(t.z) ?? 0) + ms[i]));
  return m;
}
