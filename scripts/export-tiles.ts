/**
 * npm run tiles:export [-- --tileset omradestyper-2023] [--minzoom 0] [--maxzoom 14] [--bbox W,S,E,N]
 *                         [--out build/export] [--format mbtiles,pmtiles] [--build-dir build]
 *
 * Exports the whole pyramid of the current build's tilesets to MBTiles and PMTiles, one file per tileset and format,
 * named by tileset id (`build/export/omradestyper-2023.pmtiles`). Default: every year's tileset (`omradestyper-YYYY`),
 * not the alias `omradestyper` (the latest year again; name it with --tileset to have it). The years are walked
 * together: the geometry is cut once for all. Tiles are the server's public tiles, byte for byte (gzipped in the
 * files). Progress on stderr, a summary on stdout; exit code 1 with a message on bad options.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DEFAULT_BUILD_ROOT } from '../data/build/build.ts';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import type { Dataset } from '../data/dataset.ts';
import { MBTilesWriter } from '../tiles/export/mbtiles.ts';
import { PMTilesWriter, type PMTilesWriterOptions } from '../tiles/export/pmtiles.ts';
import { exportMetadata, tilePyramids, type Bounds, type PyramidProgress } from '../tiles/export/pyramid.ts';
import { MAX_ZOOM, MIN_ZOOM, tilesetsOf } from '../tiles/tilesets.ts';

export const FORMATS = ['mbtiles', 'pmtiles'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export interface ExportOptions {
  /** Tileset ids; default every year's tileset (not the alias). */
  tilesets?: string[];
  minzoom?: number;
  maxzoom?: number;
  bbox?: Bounds;
  /** Directory the files go to (made if missing). */
  out: string;
  /** Default both. */
  formats?: readonly ExportFormat[];
  /** gzip level of the tiles, default 9. */
  gzipLevel?: number;
  pmtiles?: PMTilesWriterOptions;
  onProgress?: (p: PyramidProgress) => void;
  progressMs?: number;
}

export interface ExportedFile {
  tileset: string;
  format: ExportFormat;
  path: string;
  tiles: number;
  bytes: number;
}

export interface ExportSummary {
  files: ExportedFile[];
  /** Tiles looked at (empty ones included). */
  visited: number;
  /** Tiles non-empty in at least one tileset. */
  tiles: number;
  seconds: number;
}

interface Writers {
  mbtiles?: MBTilesWriter;
  pmtiles?: PMTilesWriter;
}

/** Exports the tilesets' pyramids; every file appears complete or not at all. */
export function exportTiles(dataset: Dataset, options: ExportOptions): ExportSummary {
  const started = performance.now();
  const all = tilesetsOf(dataset);
  const ids = options.tilesets ?? all.filter((t) => !t.alias).map((t) => t.id);
  const tilesets = ids.map((id) => {
    const t = all.find((s) => s.id === id);
    if (!t) throw new UsageError(`no tileset "${id}"; there are ${all.map((s) => s.id).join(', ')}`);
    return t;
  });
  if (tilesets.length === 0) throw new UsageError('no tileset to export');
  const formats = options.formats ?? FORMATS;
  if (formats.length === 0) throw new UsageError('no format to export');
  const range = { minzoom: options.minzoom, maxzoom: options.maxzoom, bbox: options.bbox };
  const metadata = tilesets.map((t) => exportMetadata(dataset, t, range));
  mkdirSync(options.out, { recursive: true });

  const writers: Writers[] = [];
  const level = options.gzipLevel ?? 9;
  let visited = 0;
  let tiles = 0;
  try {
    tilesets.forEach((t, i) => {
      const w: Writers = {};
      writers.push(w);
      if (formats.includes('mbtiles')) w.mbtiles = new MBTilesWriter(path.join(options.out, `${t.id}.mbtiles`), metadata[i]);
      if (formats.includes('pmtiles')) w.pmtiles = new PMTilesWriter(path.join(options.out, `${t.id}.pmtiles`), metadata[i], options.pmtiles);
    });
    const onProgress = (p: PyramidProgress) => {
      visited = p.visited;
      options.onProgress?.(p);
    };
    for (const tile of tilePyramids(dataset, tilesets, { ...range, onProgress, progressMs: options.progressMs })) {
      tiles++;
      tile.bytes.forEach((bytes, i) => {
        if (bytes.length === 0) return;
        const gzipped = gzipSync(bytes, { level });
        writers[i].mbtiles?.add(tile.z, tile.x, tile.y, gzipped);
        writers[i].pmtiles?.add(tile.z, tile.x, tile.y, gzipped);
      });
    }
    const files: ExportedFile[] = [];
    tilesets.forEach((t, i) => {
      const { mbtiles, pmtiles } = writers[i];
      if (mbtiles) files.push({ tileset: t.id, format: 'mbtiles', ...pick(mbtiles.finish()) });
      if (pmtiles) files.push({ tileset: t.id, format: 'pmtiles', ...pick(pmtiles.finish()) });
    });
    return { files, visited, tiles, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    for (const w of writers) {
      w.mbtiles?.abort();
      w.pmtiles?.abort();
    }
    throw err;
  }
}

function pick(s: { path: string; tiles: number; bytes: number }): { path: string; tiles: number; bytes: number } {
  return { path: s.path, tiles: s.tiles, bytes: s.bytes };
}

export class UsageError extends Error {}

const USAGE = `usage: npm run tiles:export -- [--tileset ID[,ID…]] [--minzoom ${MIN_ZOOM}] [--maxzoom ${MAX_ZOOM}] [--bbox W,S,E,N]
                                [--out build/export] [--format mbtiles,pmtiles] [--build-dir build]`;

export interface CliOptions extends ExportOptions {
  buildDir: string;
}

/** Parses the command line (without node and the script); throws UsageError with what is wrong. */
export function parseCli(args: string[]): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        tileset: { type: 'string', multiple: true },
        minzoom: { type: 'string', default: String(MIN_ZOOM) },
        maxzoom: { type: 'string', default: String(MAX_ZOOM) },
        bbox: { type: 'string' },
        out: { type: 'string', default: path.join(DEFAULT_BUILD_ROOT, 'export') },
        format: { type: 'string', default: FORMATS.join(',') },
        'build-dir': { type: 'string', default: process.env.BUILD_DIR ?? DEFAULT_BUILD_ROOT },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const zoom = (name: string, s: string) => {
    if (!/^\d{1,2}$/.test(s) || Number(s) > MAX_ZOOM) throw new UsageError(`--${name} ${s}: expected a zoom ${MIN_ZOOM}–${MAX_ZOOM}`);
    return Number(s);
  };
  const minzoom = zoom('minzoom', v.minzoom!);
  const maxzoom = zoom('maxzoom', v.maxzoom!);
  if (minzoom > maxzoom) throw new UsageError(`--minzoom ${minzoom} is above --maxzoom ${maxzoom}`);
  const formats = v.format!.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format ${f}: expected ${FORMATS.join(' and/or ')}`);
  let bbox: Bounds | undefined;
  if (v.bbox !== undefined) {
    const b = v.bbox.split(',').map(Number);
    if (b.length !== 4 || b.some((n) => !Number.isFinite(n)) || b[0] >= b[2] || b[1] >= b[3] || b[0] < -180 || b[2] > 180 || b[1] < -85.06 || b[3] > 85.06) {
      throw new UsageError(`--bbox ${v.bbox}: expected west,south,east,north in degrees (west < east, south < north)`);
    }
    bbox = b as Bounds;
  }
  return {
    tilesets: v.tileset?.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean),
    minzoom,
    maxzoom,
    bbox,
    out: v.out!,
    formats: [...new Set(formats)] as ExportFormat[],
    buildDir: v['build-dir']!,
  };
}

/** One line of progress: bar, tiles done of the estimate, rate, elapsed. */
export function progressLine(p: PyramidProgress, width = 24): string {
  const fraction = p.estimated > 0 ? Math.min(1, p.visited / p.estimated) : 0;
  const filled = Math.round(fraction * width);
  const rate = p.seconds > 0 ? p.visited / p.seconds : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${fmt(p.visited)}/${fmt(p.estimated)} tiles  ${fmt(Math.round(rate))} tiles/s  ${clock(p.seconds)}`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  let cli: CliOptions | 'help';
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  if (cli === 'help') {
    console.log(USAGE);
    return;
  }
  const id = await currentBuildId(cli.buildDir);
  if (id === null) {
    console.error(`no build in ${cli.buildDir}: run npm run build first`);
    process.exitCode = 1;
    return;
  }
  const dataset = await readBuild(cli.buildDir, id);
  const tty = process.stderr.isTTY === true;
  let summary: ExportSummary;
  try {
    summary = exportTiles(dataset, {
      ...cli,
      progressMs: tty ? 250 : 5000,
      onProgress: (p) => {
        if (tty) process.stderr.write(`\r${progressLine(p)}\x1b[K${p.done ? '\n' : ''}`);
        else process.stderr.write(`${progressLine(p)}\n`);
      },
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    process.exitCode = 1;
    return;
  }
  const zooms = `z${cli.minzoom}–${cli.maxzoom}${cli.bbox ? ` in ${cli.bbox.join(',')}` : ''}`;
  console.log(`build ${dataset.id}, ${zooms}: ${fmt(summary.tiles)} tiles (${fmt(summary.visited)} looked at) in ${summary.seconds.toFixed(1)} s`);
  const width = Math.max(...summary.files.map((f) => f.path.length));
  for (const f of summary.files) console.log(`  ${f.path.padEnd(width)}  ${fmt(f.tiles).padStart(9)} tiles  ${megabytes(f.bytes).padStart(10)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
