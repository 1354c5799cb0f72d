/**
 * npm run bench:tiles [-- --duration 20s] [--rounds 3] [--skip postgis,tileserver] [--mbtiles list|full|FILE] [--cpu-prof]
 *
 * Tile serving and tile making, side by side in one run on one machine, over the fixed tile list
 * bench/tiles-gr-sthlm.txt (1,932 tiles of Göteborgsregionen and Stockholms län, z8–14; see /work/shared/bench):
 *
 *  1. warm HTTP throughput (wrk, keep-alive, Accept-Encoding: gzip, every request another tile of the list):
 *     our server (`node --import tsx server/main.ts`, after /ready says precompute done and one warm-up pass), a bare
 *     node:http server answering the same gzip bytes from a Map (the practical ceiling), the same bare server with
 *     its writes batched per event-loop turn as our fast path does (for comparison; no target), and
 *     tileserver-gl-light serving an MBTiles export of the same tiles. Rounds interleave them; medians are reported.
 *     Targets: ours ≥ 70 % of the ceiling, ≥ 10× tileserver-gl-light.
 *  2. cold generation of the list in-process: a fresh TileMaker on the zoom bands generalised in a worker, as at the
 *     server's start-up (geojson-vt indexes, cut, MVT encoding)
 *     vs PostGIS ST_AsMVT(ST_AsMVTGeom(…)) on the same polygons with the same regso tags (throwaway cluster, GiST,
 *     one connection, prepared statement). Target: ours ≥ 2× PostGIS tiles/s. Ours is timed twice: whole tiles (every
 *     layer), and the `regso` layer alone, the one layer PostGIS makes.
 *  3. TileService.precompute(0, 12) on a fresh service (target < 60 s), and the RSS of the server process after
 *     start-up with both years loaded and z0–10 precomputed (target ≤ 500 MB).
 *  4. A markdown block for bench/RESULTS.md.
 *
 * Options:
 *   --duration 20s      wrk -d per run                    --rounds 3         wrk rounds (each: every server in turn)
 *   --threads 2         wrk -t                            --connections 64   wrk -c
 *   --skip LIST         any of http,ceiling,tileserver,cold,postgis,precompute (comma-separated; ceiling: both)
 *   --mbtiles list      what tileserver-gl-light serves: `list` (default) the list's tiles and their ancestors,
 *                       written with MBTilesWriter; `full` the whole z0–14 pyramid via the exporter (~80 s);
 *                       or the path of an existing MBTiles of the same build
 *   --cold-runs 3       fresh TileMakers timed over the list  --pg-passes 3   PostGIS passes over the list
 *   --precompute-max 12 maxzoom of the precompute timing
 *   --cpu-prof          after the rounds, one more wrk run against a --cpu-prof'd instance of our server, and a
 *                       summary of where its CPU went during that run
 *   --pin               during the warm rounds, every thread of the measured server on CPU 0 and wrk on the others
 *                       (taskset): one core per server, and steadier figures on a shared machine
 *   --list FILE         tile list (default bench/tiles-gr-sthlm.txt)   --tileset ID (default omradestyper-2023)
 *   --build-dir DIR     build root (default build/)       --keep-tmp   keep the temp dir (logs, MBTiles, profiles)
 *
 * Every child process (servers, wrk) and the PostGIS cluster is stopped at the end, on an error, and on SIGINT/SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { currentBuildId, readBuild } from '../data/build/store.ts';
import type { Dataset } from '../data/dataset.ts';
import { AREA_LAYER } from '../tiles/attributes.ts';
import { TileCache } from '../tiles/cache.ts';
import { MBTilesWriter } from '../tiles/export/mbtiles.ts';
import { exportMetadata } from '../tiles/export/pyramid.ts';
import type { TileAddress } from '../tiles/grid.ts';
import { prepareBandsInWorker } from '../tiles/prepared.ts';
import { TileService } from '../tiles/service.ts';
import { TileMaker, tilesetsOf, type TilesetInfo } from '../tiles/tilesets.ts';
import { checkDuration, parseSkip, positiveInt, readTileList } from './cli.ts';
import { cpuSecondsOf, freePort, httpGet, memoryOf, runChild, spawnChild, stopChild, waitFor, type Child, type HttpResult } from './children.ts';
import { coldGeneration, sumByZoom, type ColdRun } from './cold-generation.ts';
import { formatSummary, summarizeProfile } from './cpuprofile.ts';
import { loadRegso, timeMvt } from './mvt-postgis.ts';
import { SERVER_SETTINGS, ThrowawayPostgis } from './postgis.ts';
import { median, percentile } from './stats.ts';
import { runWrk, wrkVersion, type WrkOptions, type WrkResult } from './wrk.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PARTS = ['http', 'ceiling', 'tileserver', 'cold', 'postgis', 'precompute'] as const;
/** How long our server is left idle after /ready before its RSS is read a second time. */
const SETTLE_MS = 10_000;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20s' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '64' },
    skip: { type: 'string', default: '' },
    mbtiles: { type: 'string', default: 'list' },
    'cold-runs': { type: 'string', default: '3' },
    'pg-passes': { type: 'string', default: '3' },
    'precompute-max': { type: 'string', default: '12' },
    'cpu-prof': { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
    list: { type: 'string', default: path.join(ROOT, 'bench', 'tiles-gr-sthlm.txt') },
    tileset: { type: 'string', default: 'omradestyper-2023' },
    'build-dir': { type: 'string', default: process.env.BUILD_DIR ?? path.join(ROOT, 'build') },
    'keep-tmp': { type: 'boolean', default: false },
  },
});

checkDuration(values.duration!);
const skip = parseSkip(values.skip!, PARTS);
const rounds = positiveInt('rounds', values.rounds!);
const coldRuns = positiveInt('cold-runs', values['cold-runs']!);
const pgPasses = positiveInt('pg-passes', values['pg-passes']!);
const precomputeMax = Number(values['precompute-max']);
if (!Number.isInteger(precomputeMax) || precomputeMax < 0 || precomputeMax > 14) throw new Error('--precompute-max: expected 0–14');
const pinned = values.pin ? pinning() : null;
const wrkOptions: WrkOptions = { threads: positiveInt('threads', values.threads!), connections: positiveInt('connections', values.connections!), duration: values.duration!, cpus: pinned?.wrk };
const listFile = path.resolve(values.list!);
const buildDir = path.resolve(values['build-dir']!);

const started = performance.now();
const log = (msg: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'regso-bench-tiles-'));
let failed = true;
process.on('exit', () => {
  if (values['keep-tmp']) return;
  if (failed) {
    // Keep the logs for the post-mortem, not the big files.
    for (const f of existsSync(tmp) ? readdirSync(tmp) : []) if (/\.(mbtiles|cpuprofile)$/.test(f)) rmSync(path.join(tmp, f), { force: true });
    console.error(`logs kept in ${tmp}`);
  } else rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

const machine = machineInfo();
log(`machine: ${machine.cpu}, nproc ${machine.nproc}, ${machine.memory}; node ${process.version}; wrk ${machine.wrk ?? 'missing'}; load ${load()}; ${machine.git}`);
if (!skip.has('http') && machine.wrk === null) throw new Error('wrk not found: apt-get install -y wrk (or --skip http)');

const tiles = readTileList(listFile);
const zoomCounts = countBy(tiles, (t) => `z${t.z}`);
log(`tile list ${path.relative(ROOT, listFile)}: ${fmt(tiles.length)} tiles (${[...zoomCounts].map(([z, n]) => `${z}: ${n}`).join(', ')})`);

const buildId = await currentBuildId(buildDir);
if (buildId === null) throw new Error(`no build in ${buildDir}: run npm run build first`);
const dataset = await readBuild(buildDir, buildId);
const tileset = tilesetsOf(dataset).find((t) => t.id === values.tileset);
if (!tileset) throw new Error(`no tileset ${values.tileset}; there are ${tilesetsOf(dataset).map((t) => t.id).join(', ')}`);
log(`build ${buildId}: ${fmt(dataset.areas.length)} areas, years ${dataset.years.join(', ')}, extra layers ${dataset.layers.map((l) => l.tileLayer).join(', ') || 'none'}; tileset ${tileset.id}`);

const report: Report = { machine, loadStart: load(), buildId, tileset: tileset.id, tiles: tiles.length, zoomCounts: [...zoomCounts] };

try {
  // ---- 2a. cold generation, ours ----
  let listBytes: Uint8Array[] | undefined;
  if (!skip.has('cold')) {
    // As the server does: the bands are generalised in a worker while the build loads, before anything is served.
    const t0 = performance.now();
    const bands = await prepareBandsInWorker(buildDir, buildId);
    const prepareMs = performance.now() - t0;
    log(`cold ours: bands generalised in a worker in ${ms(prepareMs)} (as at the server's start-up; not in the rates)`);
    const runs: ColdRun[] = [];
    const regsoRuns: ColdRun[] = [];
    for (let r = 0; r < coldRuns; r++) {
      const run = coldGeneration(dataset, bands, tileset, tiles);
      runs.push(run);
      listBytes ??= run.bytes;
      const regso = coldGeneration(dataset, bands, tileset, tiles, [AREA_LAYER]);
      regsoRuns.push(regso);
      log(
        `cold ours, run ${r + 1}/${coldRuns}, \`${AREA_LAYER}\` layer only (what PostGIS makes): indexes ${ms(regso.indexMs)}, tiles ${ms(regso.tilesMs)} → ` +
          `${fmt(regso.tilesPerSec)} tiles/s with index builds, ${fmt(tiles.length / (regso.tilesMs / 1000))} without`,
      );
      log(
        `cold ours, run ${r + 1}/${coldRuns}: new TileMaker ${ms(run.constructMs)}, indexes + attributes ${ms(run.indexMs)}, ` +
          `${fmt(tiles.length)} tiles ${ms(run.tilesMs)} → ${fmt(run.tilesPerSec)} tiles/s with index builds, ${fmt(tiles.length / (run.tilesMs / 1000))} without; ` +
          `p50 ${run.p50.toFixed(2)} ms, p95 ${run.p95.toFixed(2)} ms per tile; tiles/s by zoom ${zoomRates(run.byZoom)}; ` +
          `the list again on the same maker (clean + encode only) ${ms(run.encodeOnlyMs)}; ${fmt(run.totalBytes / 1024)} KiB MVT, ${run.empty} empty`,
      );
    }
    report.cold = runs;
    report.coldRegso = regsoRuns;
    report.bandsPrepareMs = prepareMs;
  }

  // ---- 2b. cold generation, PostGIS ----
  if (!skip.has('postgis')) report.postgis = await postgisSide(dataset, tileset, tiles);

  // ---- 3a. precompute z0–max on a fresh service ----
  if (!skip.has('precompute')) {
    log(`precompute z0–${precomputeMax}: fresh TileService … (load ${load()})`);
    const t0 = performance.now();
    const cache = new TileCache(8 * 1024 ** 3);
    const service = new TileService(dataset, cache);
    const constructMs = performance.now() - t0;
    let lastLog = 0;
    const p = await service.precompute(0, precomputeMax, (pr) => {
      if (pr.seconds - lastLog >= 10) {
        lastLog = pr.seconds;
        log(`  precompute: ${fmt(pr.done)} / ${fmt(pr.total)} tiles, ${pr.seconds.toFixed(0)} s`);
      }
    });
    const stats = cache.stats();
    report.precompute = { maxzoom: precomputeMax, tiles: p.total, seconds: p.seconds, constructMs, cacheMb: stats.bytes / 1024 ** 2, entries: stats.entries, years: dataset.years.length };
    log(`precompute z0–${precomputeMax}: ${fmt(p.total)} tiles (${dataset.years.length} years) in ${p.seconds.toFixed(1)} s (+ ${ms(constructMs)} new TileService); cache ${fmt(stats.bytes / 1024 ** 2)} MB in ${fmt(stats.entries)} entries`);
    cache.clear();
  }

  // ---- 1. warm HTTP throughput; 3b. RSS of our server ----
  if (!skip.has('http')) report.http = await httpSide(dataset, tileset, tiles, listBytes);

  report.loadEnd = load();
  console.log(`\n${summaryText(report)}\n`);
  console.log(markdown(report));
  failed = false;
} finally {
  log(`done (load ${load()})`);
}

// ---------------------------------------------------------------------------------------------------------------

interface PostgisResult {
  version: string;
  areas: number;
  columns: number;
  loadMs: number;
  indexMs: number;
  statement: string;
  passes: { totalMs: number; tilesPerSec: number; p50: number; p95: number; p99: number; totalBytes: number; empty: number; byZoom: Map<number, number> }[];
}

async function postgisSide(ds: Dataset, ts: TilesetInfo, list: TileAddress[]): Promise<PostgisResult> {
  log(`PostGIS: starting a throwaway cluster (${Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  const pg = await ThrowawayPostgis.start();
  try {
    const version = (await pg.sql("SELECT 'PostgreSQL ' || current_setting('server_version') || ' + PostGIS ' || postgis_lib_version() || ' (GEOS ' || postgis_geos_version() || ')';")).trim();
    log(`PostGIS: ${version}, port ${pg.port}`);
    const tags = new TileMaker(ds).attributes(ts.year, 'public').layers.get(AREA_LAYER)!;
    const loaded = await loadRegso(pg, ds, tags);
    log(`PostGIS: ${fmt(loaded.areas)} areas with ${loaded.columns} tag columns loaded and transformed to 3857 in ${ms(loaded.loadMs)}; GiST + ANALYZE ${ms(loaded.indexMs)}`);
    log(`PostGIS: ${pgPasses} passes over the list, one connection, prepared statement (load ${load()}) …`);
    const { passes, statement } = await timeMvt(pg, list, pgPasses);
    const result: PostgisResult = { version, ...loaded, statement, passes: [] };
    passes.forEach((p, i) => {
      const totalMs = p.ms.reduce((s, v) => s + v, 0);
      const pass = {
        totalMs,
        tilesPerSec: list.length / (totalMs / 1000),
        p50: percentile(p.ms, 50),
        p95: percentile(p.ms, 95),
        p99: percentile(p.ms, 99),
        totalBytes: p.bytes.reduce((s, v) => s + v, 0),
        empty: p.bytes.filter((b) => b === 0).length,
        byZoom: sumByZoom(list, p.ms),
      };
      result.passes.push(pass);
      log(`PostGIS pass ${i + 1}: ${ms(totalMs)} → ${fmt(pass.tilesPerSec)} tiles/s; p50 ${pass.p50.toFixed(2)} ms, p95 ${pass.p95.toFixed(2)} ms; tiles/s by zoom ${zoomRates(pass.byZoom)}; ${fmt(pass.totalBytes / 1024)} KiB MVT, ${pass.empty} empty`);
    });
    return result;
  } finally {
    pg.stop();
    log('PostGIS: cluster stopped and removed');
  }
}

interface Target {
  name: 'ours' | 'ceiling' | 'ceiling-batched' | 'tileserver-gl-light';
  origin: string;
  prefix: string;
  suffix: string;
  /** The server's process, for its CPU time per request. */
  pid: number;
}

interface HttpResultSet {
  startupSeconds: number;
  rssAfterStartup: { rssMb: number; hwmMb: number };
  rssSettled: { rssMb: number; hwmMb: number };
  rssAfterBench: { rssMb: number; hwmMb: number };
  cacheAfter: unknown;
  precomputeTiles: number;
  mbtiles: { what: string; tiles: number; mb: number; seconds: number } | null;
  identicalToOurs: { tileserver: number | null; ceiling: number | null; 'ceiling-batched': number | null };
  runs: Map<Target['name'], WrkResult[]>;
  /** CPU µs (user + system, every thread of the server process) per request, per round. */
  cpuPerRequest: Map<Target['name'], number[]>;
  command: string;
  warmMs: Map<Target['name'], number>;
  profile: string | null;
  tileserverVersion: string | null;
}

async function httpSide(ds: Dataset, ts: TilesetInfo, list: TileAddress[], bytesOfList: Uint8Array[] | undefined): Promise<HttpResultSet> {
  const paths = list.map((t) => `${t.z}/${t.x}/${t.y}`);
  const children: Child[] = [];
  try {
    // Our server, as `npm start` runs it.
    const ours = await startOurs('ours', []);
    children.push(ours.child);
    const oursTarget: Target = { name: 'ours', origin: ours.origin, prefix: `/tiles/${ts.id}/`, suffix: '.mvt', pid: ours.child.proc.pid! };
    const warmMs = new Map<Target['name'], number>();
    let t = performance.now();
    const oursBodies = await fetchAll(oursTarget, paths);
    warmMs.set('ours', performance.now() - t);
    const raw = oursBodies.map((r) => decoded(r));
    log(`ours: warm-up pass ${ms(warmMs.get('ours')!)}, ${fmt(oursBodies.reduce((s, r) => s + r.body.length, 0) / 1024)} KiB gzip, ${raw.filter((b) => b.length === 0).length} empty tiles`);
    if (bytesOfList) {
      const same = raw.filter((b, i) => Buffer.compare(b, Buffer.from(bytesOfList[i])) === 0).length;
      log(`ours: ${same} of ${list.length} tiles byte-identical to the in-process TileMaker's`);
    }

    const targets: Target[] = [oursTarget];
    const identical: HttpResultSet['identicalToOurs'] = { tileserver: null, ceiling: null, 'ceiling-batched': null };

    if (!skip.has('ceiling')) {
      for (const name of ['ceiling', 'ceiling-batched'] as const) {
        const port = await freePort();
        const args = [String(port), listFile, `${ours.origin}${oursTarget.prefix}`, oursTarget.suffix, ...(name === 'ceiling-batched' ? ['batched'] : [])];
        const child = spawnChild(name, process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'ceiling-server.ts'), ...args], path.join(tmp, `${name}.log`), { cwd: ROOT });
        children.push(child);
        const target: Target = { name, origin: `http://127.0.0.1:${port}`, prefix: oursTarget.prefix, suffix: oursTarget.suffix, pid: child.proc.pid! };
        await waitFor(child, `${target.origin}${target.prefix}${paths[0]}${target.suffix}`, (r) => r.status === 200, 120_000);
        t = performance.now();
        const bodies = await fetchAll(target, paths);
        warmMs.set(name, performance.now() - t);
        const same = bodies.filter((r, i) => Buffer.compare(r.body, oursBodies[i].body) === 0).length;
        identical[name] = same;
        log(`${name}: bare node:http${name === 'ceiling-batched' ? ', writes batched per turn' : ''} on port ${port}, ${same} of ${list.length} responses byte-identical to ours; warm-up ${ms(warmMs.get(name)!)}`);
        targets.push(target);
      }
    }

    let mbtiles: HttpResultSet['mbtiles'] = null;
    let tileserverVersion: string | null = null;
    if (!skip.has('tileserver')) {
      const main = path.join(ROOT, 'node_modules', 'tileserver-gl-light', 'src', 'main.js');
      if (!existsSync(main)) throw new Error('tileserver-gl-light is not installed (npm install), or --skip tileserver');
      tileserverVersion = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'tileserver-gl-light', 'package.json'), 'utf8')) as { version: string }).version;
      const made = await makeMbtiles(ds, ts, list, bytesOfList);
      mbtiles = { what: made.what, tiles: made.tiles, mb: made.mb, seconds: made.seconds };
      const config = path.join(tmp, 'tileserver.json');
      const dir = path.dirname(made.file);
      writeFileSync(config, JSON.stringify({ options: { paths: { root: dir, mbtiles: dir } }, styles: {}, data: { [ts.id]: { mbtiles: path.basename(made.file) } } }));
      const port = await freePort();
      const child = spawnChild('tileserver-gl-light', process.execPath, [main, '--config', config, '--port', String(port), '--bind', '127.0.0.1', '--silent'], path.join(tmp, 'tileserver.log'), {
        cwd: tmp,
        env: { ...process.env, NODE_ENV: 'production' },
      });
      children.push(child);
      const target: Target = { name: 'tileserver-gl-light', origin: `http://127.0.0.1:${port}`, prefix: `/data/${ts.id}/`, suffix: '.pbf', pid: child.proc.pid! };
      await waitFor(child, `${target.origin}/health`, (r) => r.status === 200, 120_000);
      t = performance.now();
      const bodies = await fetchAll(target, paths);
      warmMs.set('tileserver-gl-light', performance.now() - t);
      identical.tileserver = bodies.filter((r, i) => Buffer.compare(decoded(r), raw[i]) === 0).length;
      const statuses = countBy(bodies, (r) => String(r.status));
      log(
        `tileserver-gl-light ${tileserverVersion} on port ${port} (${mbtiles.what}): ${identical.tileserver} of ${list.length} tiles identical to ours once gunzipped; ` +
          `statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; warm-up ${ms(warmMs.get('tileserver-gl-light')!)}`,
      );
      targets.push(target);
    }

    // Rounds: each target in turn, so that drifting load hits all of them alike.
    const runs = new Map<Target['name'], WrkResult[]>(targets.map((x) => [x.name, []]));
    const cpuPerRequest = new Map<Target['name'], number[]>(targets.map((x) => [x.name, []]));
    let command = '';
    for (let r = 1; r <= rounds; r++) {
      for (const target of targets) {
        const before = load();
        if (pinned) pin(target.pid, pinned.server);
        const cpuBefore = cpuSecondsOf(target.pid);
        const result = await runWrk(target.origin, listFile, target.prefix, target.suffix, wrkOptions, path.join(tmp, 'wrk.log'));
        const cpuUs = ((cpuSecondsOf(target.pid) - cpuBefore) * 1e6) / result.requests;
        cpuPerRequest.get(target.name)!.push(cpuUs);
        command = result.command.replace(target.origin, 'URL').replace(` ${target.prefix} ${target.suffix} `, ' PREFIX SUFFIX ').replaceAll(`${ROOT}/`, '');
        runs.get(target.name)!.push(result);
        const errors = Object.entries(result.errors).filter(([, n]) => n > 0);
        log(
          `round ${r}/${rounds} ${target.name.padEnd(19)} ${fmt(result.rps).padStart(7)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
            `${fmt(result.bytes / result.requests)} B/response, ${cpuUs.toFixed(1)} µs CPU/request${errors.length ? `, ERRORS ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''} (load before ${before})`,
        );
        if (result.errors.status > 0 || result.errors.connect > 0) throw new Error(`${target.name}: wrk saw errors ${JSON.stringify(result.errors)}: see ${path.join(tmp, 'wrk.log')}`);
      }
    }

    const rssAfterBench = memoryOf(ours.child.proc.pid!);
    const ready = await httpGet(`${ours.origin}/ready`);
    const cacheAfter = (JSON.parse(ready.body.toString('utf8')) as { cache: unknown }).cache;
    log(`ours after the runs: RSS ${fmt(rssAfterBench.rssMb)} MB (peak ${fmt(rssAfterBench.hwmMb)} MB); cache ${JSON.stringify(cacheAfter)}`);
    for (const c of children.splice(0)) await stopChild(c);

    let profile: string | null = null;
    if (values['cpu-prof']) profile = await profileServers(ts, paths);

    return {
      startupSeconds: ours.startupSeconds,
      rssAfterStartup: ours.rss,
      rssSettled: ours.settledRss,
      rssAfterBench,
      cacheAfter,
      precomputeTiles: ours.precomputeTiles,
      mbtiles,
      identicalToOurs: identical,
      runs,
      cpuPerRequest,
      command,
      warmMs,
      profile,
      tileserverVersion,
    };
  } finally {
    for (const c of children) await stopChild(c);
  }
}

/** Starts our server on a free port and waits for precompute z0–10 to be done; RSS right then. */
async function startOurs(
  name: string,
  nodeFlags: string[],
): Promise<{ child: Child; origin: string; startupSeconds: number; rss: { rssMb: number; hwmMb: number }; settledRss: { rssMb: number; hwmMb: number }; precomputeTiles: number }> {
  const port = await freePort();
  // The rate limiter stays on (its cost is part of every request) with a limit wrk cannot reach: the default 6,000
  // a minute per address would answer most of a run 429.
  const config = path.join(tmp, 'ours-config.json');
  writeFileSync(config, JSON.stringify({ rateLimit: { requests: 1e9, windowSeconds: 60 } }));
  const t0 = performance.now();
  log(`${name}: starting node ${[...nodeFlags, '--import', 'tsx', 'server/main.ts'].join(' ')} on port ${port} (load ${load()})`);
  const child = spawnChild(name, process.execPath, [...nodeFlags, '--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], path.join(tmp, `${name}.log`), {
    cwd: ROOT,
    env: { ...process.env, CONFIG: config, PORT: String(port), HOST: '127.0.0.1', BUILD_DIR: buildDir, PRECOMPUTE_ZOOMS: '0-10' },
  });
  const origin = `http://127.0.0.1:${port}`;
  const ready = await waitFor(child, `${origin}/ready`, (r) => r.status === 200 && (JSON.parse(r.body.toString('utf8')) as { precompute: { state: string } }).precompute.state === 'done', 300_000);
  const startupSeconds = (performance.now() - t0) / 1000;
  const rss = memoryOf(child.proc.pid!);
  const body = JSON.parse(ready.body.toString('utf8')) as { version: string; precompute: { total: number; seconds: number } };
  if (body.version !== dataset.id) throw new Error(`${name} serves build ${body.version}, the bench read ${dataset.id}`);
  // V8 gives memory back some seconds into idleness (its memory reducer): the figure at "ready" holds precompute's garbage.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const settled = memoryOf(child.proc.pid!);
  log(
    `${name}: ready after ${startupSeconds.toFixed(1)} s (precompute z0–10: ${fmt(body.precompute.total)} tiles in ${body.precompute.seconds.toFixed(1)} s); ` +
      `RSS ${fmt(rss.rssMb)} MB then (peak ${fmt(rss.hwmMb)} MB), ${fmt(settled.rssMb)} MB ${SETTLE_MS / 1000} s later, idle`,
  );
  return { child, origin, startupSeconds, rss, settledRss: settled, precomputeTiles: body.precompute.total };
}

/**
 * --cpu-prof'd instances of our server and (unless skipped) the ceiling, started and warmed like the measured ones,
 * then one wrk run against each; each profile's samples within its run are summarised, with CPU µs per request, so
 * the two can be set side by side. SIGTERM makes them exit normally so that the profiles get written.
 */
async function profileServers(ts: TilesetInfo, paths: string[]): Promise<string> {
  const exitOnTerm = 'data:text/javascript,process.once("SIGTERM",()=>process.exit(0))';
  const profFlags = (dir: string) => ['--cpu-prof', '--cpu-prof-dir', dir, '--import', exitOnTerm];
  const children: Child[] = [];
  try {
    const oursDir = path.join(tmp, 'profile-ours');
    const ours = await startOurs('ours-profiled', profFlags(oursDir));
    children.push(ours.child);
    const targets: { target: Target; child: Child; dir: string }[] = [];
    targets.push({ target: { name: 'ours', origin: ours.origin, prefix: `/tiles/${ts.id}/`, suffix: '.mvt', pid: ours.child.proc.pid! }, child: ours.child, dir: oursDir });
    await fetchAll(targets[0].target, paths);
    if (!skip.has('ceiling')) {
      const dir = path.join(tmp, 'profile-ceiling');
      const port = await freePort();
      const prefix = targets[0].target.prefix;
      const child = spawnChild('ceiling-profiled', process.execPath, [...profFlags(dir), '--import', 'tsx', path.join(ROOT, 'bench', 'ceiling-server.ts'), String(port), listFile, `${ours.origin}${prefix}`, '.mvt'], path.join(tmp, 'ceiling-profiled.log'), { cwd: ROOT });
      children.push(child);
      const target: Target = { name: 'ceiling', origin: `http://127.0.0.1:${port}`, prefix, suffix: '.mvt', pid: child.proc.pid! };
      await waitFor(child, `${target.origin}${prefix}${paths[0]}.mvt`, (r) => r.status === 200, 120_000);
      await fetchAll(target, paths);
      targets.push({ target, child, dir });
    }
    const windows: { from: bigint; to: bigint; result: WrkResult }[] = [];
    for (const { target } of targets) {
      const from = process.hrtime.bigint();
      const result = await runWrk(target.origin, listFile, target.prefix, target.suffix, wrkOptions, path.join(tmp, 'wrk.log'));
      windows.push({ from, to: process.hrtime.bigint(), result });
      log(`${target.name} --cpu-prof: ${fmt(result.rps)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms (profiling costs some)`);
    }
    const parts: string[] = [];
    for (const [i, { target, child, dir }] of targets.entries()) {
      await stopChild(child);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`no .cpuprofile in ${dir}`);
      // V8's profile timestamps and process.hrtime are both CLOCK_MONOTONIC (µs vs ns).
      const { from, to, result } = windows[i];
      const summary = formatSummary(summarizeProfile(path.join(dir, file), 15, [Number(from / 1000n), Number(to / 1000n)]), result.requests);
      parts.push(`${target.name} (${fmt(result.rps)} req/s under --cpu-prof) — ${summary}`);
      log(`${target.name} --cpu-prof, during its wrk run: ${summary}`);
      if (values['keep-tmp']) log(`profile: ${path.join(dir, file)}`);
    }
    return parts.join('\n\n');
  } finally {
    for (const c of children) await stopChild(c);
  }
}

/** The MBTiles tileserver-gl-light serves: see --mbtiles. */
async function makeMbtiles(ds: Dataset, ts: TilesetInfo, list: TileAddress[], bytesOfList: Uint8Array[] | undefined): Promise<{ file: string; what: string; tiles: number; mb: number; seconds: number }> {
  const t0 = performance.now();
  const option = values.mbtiles!;
  if (option === 'full') {
    const out = path.join(tmp, 'export');
    log(`MBTiles: npm run tiles:export -- --tileset ${ts.id} --format mbtiles (the whole z0–14 pyramid) …`);
    const stdout = await runChild('tiles:export', process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'export-tiles.ts'), '--tileset', ts.id, '--format', 'mbtiles', '--out', out, '--build-dir', buildDir], path.join(tmp, 'export.log'), { cwd: ROOT });
    const file = path.join(out, `${ts.id}.mbtiles`);
    const tiles = Number(/([\d,]+) tiles\s+[\d.]+ MB/.exec(stdout)?.[1]?.replace(/,/g, '') ?? NaN);
    const seconds = (performance.now() - t0) / 1000;
    const mb = fileMb(file);
    log(`MBTiles: full pyramid z0–14, ${fmt(tiles)} tiles, ${fmt(mb, 1)} MB in ${seconds.toFixed(1)} s`);
    return { file, what: `full z0–14 pyramid by npm run tiles:export (${fmt(tiles)} tiles, ${fmt(mb)} MB)`, tiles, mb, seconds };
  }
  if (option !== 'list') {
    const file = path.resolve(option);
    if (!existsSync(file)) throw new Error(`--mbtiles ${option}: no such file`);
    const mb = fileMb(file);
    return { file, what: `given file ${option} (${fmt(mb)} MB)`, tiles: NaN, mb, seconds: 0 };
  }
  // The list's tiles and all their ancestors, made like the exporter makes them (public tiles, gzip level 9).
  const file = path.join(tmp, `${ts.id}.mbtiles`);
  const writer = new MBTilesWriter(file, exportMetadata(ds, ts, { minzoom: 0, maxzoom: 14 }));
  const maker = new TileMaker(ds);
  const wanted = new Map<string, TileAddress>();
  for (const t of list) for (let z = t.z; z >= 0; z--) wanted.set(`${z}/${t.x >> (t.z - z)}/${t.y >> (t.z - z)}`, { z, x: t.x >> (t.z - z), y: t.y >> (t.z - z) });
  const listIndex = new Map(list.map((t, i) => [`${t.z}/${t.x}/${t.y}`, i]));
  let written = 0;
  try {
    for (const [key, address] of [...wanted].sort((a, b) => a[1].z - b[1].z)) {
      const i = listIndex.get(key);
      let bytes: Uint8Array;
      if (i !== undefined && bytesOfList) bytes = bytesOfList[i];
      else {
        const made = maker.tile(ts, address, 'public');
        if (made.status !== 'ok') throw new Error(`${key}: ${made.reason}`);
        bytes = made.bytes;
      }
      if (bytes.length === 0) continue;
      writer.add(address.z, address.x, address.y, gzipSync(bytes, { level: 9 }));
      written++;
    }
    writer.finish();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  const mb = fileMb(file);
  log(`MBTiles: the list's ${fmt(list.length)} tiles and their ancestors, z0–14: ${fmt(written)} tiles, ${fmt(mb, 1)} MB in ${seconds.toFixed(1)} s`);
  return { file, what: `the list's tiles and their ancestors, z0–14, ${fmt(written)} tiles (MBTilesWriter)`, tiles: written, mb, seconds };
}

/** Every tile of the list once (8 at a time, keep-alive, Accept-Encoding: gzip); throws on anything but 200. */
async function fetchAll(target: Target, paths: string[]): Promise<HttpResult[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const out: HttpResult[] = new Array(paths.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < paths.length) {
          const i = next++;
          const url = `${target.origin}${target.prefix}${paths[i]}${target.suffix}`;
          const r = await httpGet(url, { 'Accept-Encoding': 'gzip' }, agent);
          if (r.status !== 200) throw new Error(`${target.name}: GET ${url} → ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
          out[i] = r;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return out;
}

function decoded(r: HttpResult): Buffer {
  return r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body;
}

// ---- report -----------------------------------------------------------------------------------------------------

interface Machine {
  nproc: string;
  cpu: string;
  memory: string;
  os: string;
  node: string;
  wrk: string | null;
  date: string;
  /** HEAD, and the files of the served code (data, tiles, server) changed on top of it. */
  git: string;
}

interface Report {
  machine: Machine;
  loadStart: string;
  loadEnd?: string;
  buildId: string;
  tileset: string;
  tiles: number;
  zoomCounts: [string, number][];
  cold?: ColdRun[];
  /** The same, with the `regso` layer only: the layer PostGIS makes. */
  coldRegso?: ColdRun[];
  /** Generalising the bands in a worker, once for all cold runs (the server does it at start-up and every reload). */
  bandsPrepareMs?: number;
  postgis?: PostgisResult;
  precompute?: { maxzoom: number; tiles: number; seconds: number; constructMs: number; cacheMb: number; entries: number; years: number };
  http?: HttpResultSet;
}

function machineInfo(): Machine {
  const sh = (cmd: string, args: string[]): string => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? os.type();
  return {
    nproc: sh('nproc', []),
    cpu: /Model name:\s*(.+)/.exec(sh('lscpu', []))?.[1]?.trim() ?? os.cpus()[0]?.model ?? '?',
    memory: `${(memKb / 1024 ** 2).toFixed(1)} GB RAM`,
    os: osName,
    node: process.version,
    wrk: wrkVersion(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    git: gitState(),
  };
}

function gitState(): string {
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'not a git checkout';
  const changed = git(['status', '--porcelain', '--', 'data', 'tiles', 'server']).stdout.split('\n').filter(Boolean).length;
  return `commit ${head.stdout.trim()}${changed ? ` + ${changed} uncommitted file${changed > 1 ? 's' : ''} in data/, tiles/, server/` : ''}`;
}

function summaryText(r: Report): string {
  const lines = ['==== tile benchmark ===='];
  const h = r.http;
  if (h) {
    for (const [name, runs] of h.runs) {
      const m = medianRun(runs);
      lines.push(`${name.padEnd(20)} ${fmt(m.rps).padStart(7)} req/s (runs ${runs.map((x) => fmt(x.rps)).join(', ')}), p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, ${median(h.cpuPerRequest.get(name)!).toFixed(1)} µs CPU/request`);
    }
    const ratios = httpRatios(h);
    if (ratios.ceiling) lines.push(`ours / ceiling       ${pct(ratios.ceiling.ofMedians)} (per round ${ratios.ceiling.perRound.map(pct).join(', ')}); target ≥ 70 %`);
    if (ratios.ceilingBatched) lines.push(`ours / batched ceil. ${pct(ratios.ceilingBatched.ofMedians)} (per round ${ratios.ceilingBatched.perRound.map(pct).join(', ')}); the bare server with our write batching`);
    if (ratios.tileserver) lines.push(`ours / tileserver    ${ratios.tileserver.ofMedians.toFixed(1)}× (per round ${ratios.tileserver.perRound.map((x) => `${x.toFixed(1)}×`).join(', ')}); target ≥ 10×`);
    lines.push(
      `ours RSS             ${fmt(h.rssAfterStartup.rssMb)} MB at ready (both years, z0–10 precomputed), ${fmt(h.rssSettled.rssMb)} MB ${SETTLE_MS / 1000} s later; ${fmt(h.rssAfterBench.rssMb)} MB after the runs, peak ${fmt(h.rssAfterBench.hwmMb)} MB; target ≤ 500 MB`,
    );
  }
  const cold = r.cold && coldMedian(r.cold);
  if (cold) lines.push(`cold ours            ${fmt(cold.tilesPerSec)} tiles/s with index builds (runs ${r.cold!.map((c) => fmt(c.tilesPerSec)).join(', ')}), ${fmt(cold.withoutIndex)} tiles/s without`);
  const pgm = r.postgis && pgMedian(r.postgis);
  if (pgm) lines.push(`cold PostGIS         ${fmt(pgm.tilesPerSec)} tiles/s (passes ${r.postgis!.passes.map((p) => fmt(p.tilesPerSec)).join(', ')})`);
  if (cold && pgm) lines.push(`ours / PostGIS       ${(cold.tilesPerSec / pgm.tilesPerSec).toFixed(1)}× with index builds, ${(cold.withoutIndex / pgm.tilesPerSec).toFixed(1)}× without; target ≥ 2×`);
  const regso = r.coldRegso && coldMedian(r.coldRegso);
  if (regso && pgm) lines.push(`ours / PostGIS, \`${AREA_LAYER}\` only ${(regso.tilesPerSec / pgm.tilesPerSec).toFixed(1)}× with index builds, ${(regso.withoutIndex / pgm.tilesPerSec).toFixed(1)}× without (the same layer on both sides)`);
  if (r.precompute) lines.push(`precompute z0–${r.precompute.maxzoom}       ${fmt(r.precompute.tiles)} tiles in ${r.precompute.seconds.toFixed(1)} s; target < 60 s`);
  return lines.join('\n');
}

function markdown(r: Report): string {
  const m = r.machine;
  const h = r.http;
  const out: string[] = [];
  const skipped = [...skip];
  out.push(`## ${m.date.slice(0, 10)} — tiles: serving and making (\`npm run bench:tiles${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`)`);
  out.push('');
  out.push(
    `Machine: ${m.cpu}, nproc ${m.nproc}, ${m.memory}, ${m.os}; Node ${m.node}, wrk ${m.wrk ?? '—'}` +
      `${r.postgis ? `, ${r.postgis.version}` : ''}${h?.tileserverVersion ? `, tileserver-gl-light ${h.tileserverVersion}` : ''}. ` +
      `Run ${m.date}; load average (1, 5, 15 min) ${r.loadStart} at the start, ${r.loadEnd ?? '?'} at the end (other sessions share the machine).` +
      `${skipped.length ? ` Skipped: ${skipped.join(', ')}.` : ''}`,
  );
  out.push('');
  out.push(`Code: ${m.git}. Build \`${r.buildId}\`, tileset \`${r.tileset}\`, tile list \`bench/tiles-gr-sthlm.txt\`: ${fmt(r.tiles)} tiles (${r.zoomCounts.map(([z, n]) => `${z}: ${fmt(n)}`).join(', ')}).`);
  if (h) {
    const ratios = httpRatios(h);
    out.push('');
    out.push(`### Warm HTTP throughput — \`${h.command}\``);
    out.push('');
    out.push(
      `Keep-alive, \`Accept-Encoding: gzip\`, every request another tile of the list (bench/wrk-tiles.lua; PREFIX SUFFIX \`/tiles/${r.tileset}/\` \`.mvt\` for ours and the ceiling, \`/data/${r.tileset}/\` \`.pbf\` for tileserver-gl-light). ` +
        `${rounds} round${rounds > 1 ? 's' : ''}, each running the servers in turn; medians of the rounds. ` +
        `Each server got one warm-up pass over the list first.` +
        (pinned ? ` Pinned (\`--pin\`): every thread of the measured server on CPU ${pinned.server}, wrk on CPU ${pinned.wrk}.` : ''),
    );
    out.push('');
    out.push('| server | requests/s (median) | runs | latency p50 | latency p99 | bytes/response | CPU µs/request (median; runs) |');
    out.push('|---|---|---|---|---|---|---|');
    for (const [name, runs] of h.runs) {
      const med = medianRun(runs);
      const label =
        name === 'ours'
          ? 'ours: `node --import tsx server/main.ts` (Koa, LRU of gzip bytes)'
          : name === 'ceiling'
            ? 'ceiling: bare `node:http`, same gzip bytes from a Map'
            : name === 'ceiling-batched'
              ? 'the ceiling with its writes batched per event-loop turn, as ours (server/response-batch.ts)'
              : `tileserver-gl-light ${h.tileserverVersion} (MBTiles: ${h.mbtiles?.what})`;
      const cpu = h.cpuPerRequest.get(name)!;
      out.push(`| ${label} | ${fmt(med.rps)} | ${runs.map((x) => fmt(x.rps)).join(', ')} | ${med.p50.toFixed(2)} ms | ${med.p99.toFixed(2)} ms | ${fmt(med.bytes)} | ${median(cpu).toFixed(1)}; ${cpu.map((x) => x.toFixed(1)).join(', ')} |`);
    }
    out.push('');
    if (ratios.ceiling) out.push(`- ours / ceiling: **${pct(ratios.ceiling.ofMedians)}** (per round ${ratios.ceiling.perRound.map(pct).join(', ')}); target ≥ 70 %: ${ratios.ceiling.ofMedians >= 0.7 ? 'met' : '**missed**'}.`);
    if (ratios.ceilingBatched) out.push(`- ours / the batched ceiling: ${pct(ratios.ceilingBatched.ofMedians)} (per round ${ratios.ceilingBatched.perRound.map(pct).join(', ')}): the same bare server with the write batching of our fast path, for comparison (no target).`);
    if (ratios.tileserver) out.push(`- ours / tileserver-gl-light: **${ratios.tileserver.ofMedians.toFixed(1)}×** (per round ${ratios.tileserver.perRound.map((x) => `${x.toFixed(1)}×`).join(', ')}); target ≥ 10×: ${ratios.tileserver.ofMedians >= 10 ? 'met' : '**missed**'}.`);
    const checks: string[] = [];
    if (h.identicalToOurs.ceiling !== null) checks.push(`the ceilings' responses are ours byte for byte (${h.identicalToOurs.ceiling} and ${h.identicalToOurs['ceiling-batched']} of ${fmt(r.tiles)})`);
    if (h.identicalToOurs.tileserver !== null) checks.push(`tileserver-gl-light's tiles equal ours once gunzipped (${h.identicalToOurs.tileserver} of ${fmt(r.tiles)})`);
    if (checks.length) out.push(`- Checked: ${checks.join('; ')}; no non-2xx responses or socket errors in any run.`);
    if (h.mbtiles) out.push(`- MBTiles for tileserver-gl-light: ${h.mbtiles.what}, ${fmt(h.mbtiles.mb, 1)} MB, made in ${h.mbtiles.seconds.toFixed(1)} s. tileserver-gl-light gunzips every stored tile and gzips it again per request.`);
    out.push(
      `- Our server: ready (precompute z0–10, ${fmt(h.precomputeTiles)} tiles, both years) ${h.startupSeconds.toFixed(1)} s after spawn; **RSS ${fmt(h.rssAfterStartup.rssMb)} MB** at that moment ` +
        `(peak so far ${fmt(h.rssAfterStartup.hwmMb)} MB), **${fmt(h.rssSettled.rssMb)} MB** ${SETTLE_MS / 1000} s later, idle; target ≤ 500 MB: ` +
        `${h.rssAfterStartup.rssMb <= 500 ? 'met' : h.rssSettled.rssMb <= 500 ? '**missed at ready**, met once settled' : '**missed**'}. ` +
        `${fmt(h.rssAfterBench.rssMb)} MB after the runs (peak ${fmt(h.rssAfterBench.hwmMb)} MB; /proc VmRSS/VmHWM). Tile cache after the runs: ${JSON.stringify(h.cacheAfter)}.`,
    );
  }
  const cold = r.cold && coldMedian(r.cold);
  const pgm = r.postgis && pgMedian(r.postgis);
  if (cold || pgm) {
    out.push('');
    out.push('### Cold generation of the list, in-process, one thread');
    out.push('');
    out.push('| | tiles/s (median) | runs | per tile p50 / p95 / p99 | MVT bytes of the list |');
    out.push('|---|---|---|---|---|');
    if (r.cold) out.push(...coldRows('ours: fresh `TileMaker`, whole tiles', r.cold, r.tiles));
    if (r.coldRegso) out.push(...coldRows(`ours: the same, the \`${AREA_LAYER}\` layer only (the layer PostGIS makes)`, r.coldRegso, r.tiles));
    const regso = r.coldRegso && coldMedian(r.coldRegso);
    if (pgm) {
      const p = r.postgis!.passes;
      out.push(`| PostGIS \`ST_AsMVT(ST_AsMVTGeom(geom, ST_TileEnvelope(z,x,y), 4096, 64, true))\`, prepared, one connection | ${fmt(pgm.tilesPerSec)} | ${p.map((x) => fmt(x.tilesPerSec)).join(', ')} | ${pgm.p50.toFixed(2)} / ${pgm.p95.toFixed(2)} / ${pgm.p99.toFixed(2)} ms | ${fmt(pgm.totalBytes / 1024)} KiB |`);
    }
    out.push('');
    if (cold) out.push(`- Ours by zoom (median run, index builds left out), tiles/s: ${zoomRates(cold.byZoom)}. The list again on the same \`TileMaker\` (geojson-vt keeps what it cut: ring cleaning, tags and MVT encoding only): ${fmt(cold.encodeOnlyMs)} ms = ${fmt(r.tiles / (cold.encodeOnlyMs / 1000))} tiles/s.`);
    if (pgm) out.push(`- PostGIS by zoom (median pass), tiles/s: ${zoomRates(pgm.byZoom)}.`);
    if (cold && pgm) {
      const ratio = cold.tilesPerSec / pgm.tilesPerSec;
      out.push(`- ours / PostGIS: **${ratio.toFixed(1)}×** including our index builds, ${(cold.withoutIndex / pgm.tilesPerSec).toFixed(1)}× without; target ≥ 2×: ${ratio >= 2 ? 'met' : '**missed**'}.`);
    }
    if (regso && pgm) {
      out.push(`- The same layer on both sides, \`${AREA_LAYER}\` only: ours / PostGIS ${(regso.tilesPerSec / pgm.tilesPerSec).toFixed(1)}× including our index builds, ${(regso.withoutIndex / pgm.tilesPerSec).toFixed(1)}× without.`);
    }
    if (cold) {
      out.push(
        `- Ours: the bands generalised in a worker thread as at the server's start-up (${fmt(r.bandsPrepareMs ?? 0)} ms, once, not in the rates, like PostGIS's load); per fresh \`TileMaker\` on them: construction ${fmt(cold.constructMs)} ms, not in the rates; then the year's attributes and the geojson-vt index of every layer and zoom band the list touches ` +
          `(${fmt(cold.indexMs)} ms: projecting into the tile plane, the first cut); then per tile the cut, ring cleaning and MVT encoding. ` +
          `Our tiles hold more than PostGIS's: the \`regso\` layer generalised per zoom band plus \`regso_label\` points and the extra layers; PostGIS writes only \`regso\`, unsimplified, snapped to the grid by ST_AsMVTGeom. ` +
          `Label points are cached per dataset, so only the first run computes them.`,
      );
    }
    if (pgm) {
      const pg = r.postgis!;
      out.push(
        `- PostGIS: ${fmt(pg.areas)} areas (the build's WGS84 polygons, transformed to EPSG:3857 once at load) with the same ${pg.columns} tag columns as our \`regso\` layer for the year; ` +
          `load ${fmt(pg.loadMs)} ms, GiST + ANALYZE ${fmt(pg.indexMs)} ms (not in the rate); time per tile is psql's \\timing of \`EXECUTE\` (round trip on 127.0.0.1, the MVT's length returned, not its bytes). ` +
          `Passes in one session; the table was in shared buffers from the load. Throwaway cluster: fsync off, shared_buffers 2 GB, work_mem 256 MB.`,
      );
    }
  }
  if (r.precompute) {
    const p = r.precompute;
    out.push('');
    out.push(`### Precompute z0–${p.maxzoom}, all of Sweden`);
    out.push('');
    out.push(
      `\`TileService.precompute(0, ${p.maxzoom})\` on a fresh service: **${fmt(p.tiles)} tiles (${p.years} years; every tile of the areas' bounding box, empty ones included) in ${p.seconds.toFixed(1)} s** ` +
        `(target < 60 s: ${p.seconds < 60 ? 'met' : '**missed**'}; + ${fmt(p.constructMs)} ms to construct the service), gzip + brotli kept: ${fmt(p.cacheMb)} MB in ${fmt(p.entries)} cache entries.`,
    );
  }
  if (h?.profile) {
    out.push('');
    out.push('### Where the CPU goes per warm request (`--cpu-prof`, one wrk run against each server)');
    out.push('');
    out.push('```');
    out.push(h.profile);
    out.push('```');
  }
  // Four backticks: the block holds a fenced block of its own (the profile).
  return `\`\`\`\`markdown\n${out.join('\n')}\n\`\`\`\``;
}

type Ratio = { ofMedians: number; perRound: number[] };

function httpRatios(h: HttpResultSet): { ceiling?: Ratio; ceilingBatched?: Ratio; tileserver?: Ratio } {
  const ours = h.runs.get('ours')!;
  const ratio = (name: Target['name']) => {
    const other = h.runs.get(name);
    if (!other) return undefined;
    return { ofMedians: medianRun(ours).rps / medianRun(other).rps, perRound: ours.map((o, i) => o.rps / other[i].rps) };
  };
  return { ceiling: ratio('ceiling'), ceilingBatched: ratio('ceiling-batched'), tileserver: ratio('tileserver-gl-light') };
}

/** The median run by requests/s, its latencies with it. */
function medianRun(runs: WrkResult[]): { rps: number; p50: number; p99: number; bytes: number } {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return { rps: median(runs.map((x) => x.rps)), p50: mid.latencyMs.p50, p99: mid.latencyMs.p99, bytes: mid.bytes / mid.requests };
}

/** A set of cold runs as two table rows: including the index builds, and with them left out. */
function coldRows(what: string, runs: ColdRun[], tiles: number): string[] {
  const m = coldMedian(runs);
  return [
    `| ${what}, incl. building the indexes the list needs | ${fmt(m.tilesPerSec)} | ${runs.map((x) => fmt(x.tilesPerSec)).join(', ')} | ${m.p50.toFixed(2)} / ${m.p95.toFixed(2)} / ${m.p99.toFixed(2)} ms | ${fmt(m.totalBytes / 1024)} KiB |`,
    `| ${what}, index builds (${fmt(m.indexMs)} ms) left out | ${fmt(m.withoutIndex)} | ${runs.map((x) => fmt(tiles / (x.tilesMs / 1000))).join(', ')} | | |`,
  ];
}

function coldMedian(runs: ColdRun[]) {
  const sorted = [...runs].sort((a, b) => a.tilesPerSec - b.tilesPerSec);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    tilesPerSec: median(runs.map((x) => x.tilesPerSec)),
    withoutIndex: median(runs.map((x) => x.bytes.length / (x.tilesMs / 1000))),
    constructMs: median(runs.map((x) => x.constructMs)),
    indexMs: median(runs.map((x) => x.indexMs)),
    encodeOnlyMs: median(runs.map((x) => x.encodeOnlyMs)),
    p50: mid.p50,
    p95: mid.p95,
    p99: mid.p99,
    totalBytes: mid.totalBytes,
    byZoom: mid.byZoom,
  };
}

function pgMedian(pg: PostgisResult) {
  const sorted = [...pg.passes].sort((a, b) => a.tilesPerSec - b.tilesPerSec);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...mid, tilesPerSec: median(pg.passes.map((p) => p.tilesPerSec)) };
}

// ---- small helpers ----------------------------------------------------------------------------------------------

/** The CPUs for --pin: the server gets CPU 0, wrk the rest; needs two CPUs and taskset (util-linux). */
function pinning(): { server: string; wrk: string } {
  const cpus = os.availableParallelism();
  if (cpus < 2) throw new Error('--pin needs at least two CPUs');
  if (spawnSync('taskset', ['-V']).error) throw new Error('--pin needs taskset (util-linux)');
  return { server: '0', wrk: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** Moves every thread of a process onto the given CPUs. */
function pin(pid: number, cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} ${pid} failed: ${r.stderr}`);
}

/** "z8 1,234, z10 …" tiles/s per zoom. */
function zoomRates(byZoom: Map<number, number>): string {
  return [...byZoom].map(([z, ms]) => `z${z} ${fmt((zoomCounts.get(`z${z}`) ?? 0) / (ms / 1000))}`).join(', ');
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

function ms(t: number): string {
  return `${fmt(t)} ms`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)} %`;
}

function fileMb(file: string): number {
  return statSync(file).size / 1024 ** 2;
}
