/**
 * npm run bench:features [-- --rounds 3] [--duration 10s] [--connections 8] [--skip throughput,postgis]
 *
 * OGC API – Features serving, warm, over the national build (build/), against our server as `npm start` runs it
 * (`node --import tsx server/main.ts`, PRECOMPUTE_ZOOMS=off: tiles play no part here):
 *
 *  1. latency — a Node client loop, keep-alive, one request at a time, the whole body received, with
 *     `Accept-Encoding: gzip` and without (identity), for:
 *       national-geojson  /collections/regso/items?limit=10000          all 3,363 areas as one GeoJSON page
 *       national-fgb      /collections/regso/items?limit=10000&f=fgb    the same as FlatGeobuf
 *       bbox-goteborg     /collections/regso/items?bbox=…               a box around Göteborg holding ~100 areas
 *       cql2-filter       /collections/regso/items?filter=…             a CQL2 text filter over every area
 *       feature           /collections/regso/items/1480R050             one feature
 *     Targets: national GeoJSON p50 < 300 ms, FlatGeobuf p50 < 100 ms, bbox and single-feature p95 < 20 ms.
 *  2. throughput — wrk (-t2 -c8, keep-alive) on each URL, gzip and identity.
 *  3. PostGIS building the same FeatureCollection: the 3,363 areas with the same properties (loaded from our own
 *     identity page, geometry as ST_GeomFromGeoJSON in EPSG:4326), then
 *     `json_build_object('type','FeatureCollection','features', json_agg(ST_AsGeoJSON(t.*, 'geom', 8)::json))`,
 *     timed by psql (\timing, result discarded with \o /dev/null) on one connection; ratio against our identity p50.
 *  4. A markdown block for bench/RESULTS.md.
 *
 * Rounds interleave everything (each round: every scenario, both encodings; then PostGIS), medians of the rounds are
 * reported: the machine is shared and noisy. Options:
 *   --rounds 3          --heavy 15  requests per round for the two national pages   --light 300  for the others
 *   --duration 10s      wrk -d      --threads 2    --connections 8
 *   --skip LIST         any of throughput,postgis
 *   --build-dir DIR     build root (default build/)   --keep-tmp   keep the temp dir (logs)
 *
 * The server, wrk and the PostGIS cluster are stopped at the end, on an error and on SIGINT/SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { currentBuildId } from '../data/build/store.ts';
import { checkDuration, parseSkip, positiveInt } from './cli.ts';
import { freePort, httpGet, memoryOf, runChild, spawnChild, stopChild, waitFor, type Child } from './children.ts';
import { ThrowawayPostgis } from './postgis.ts';
import { median, percentile } from './stats.ts';
import { wrkVersion } from './wrk.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const PARTS = ['throughput', 'postgis'] as const;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    heavy: { type: 'string', default: '15' },
    light: { type: 'string', default: '300' },
    duration: { type: 'string', default: '10s' },
    threads: { type: 'string', default: '2' },
    connections: { type: 'string', default: '8' },
    skip: { type: 'string', default: '' },
    'build-dir': { type: 'string', default: process.env.BUILD_DIR ?? path.join(ROOT, 'build') },
    'keep-tmp': { type: 'boolean', default: false },
  },
});

checkDuration(values.duration!);
const skip = parseSkip(values.skip!, PARTS);
const rounds = positiveInt('rounds', values.rounds!);
const heavyN = positiveInt('heavy', values.heavy!);
const lightN = positiveInt('light', values.light!);
const threads = positiveInt('threads', values.threads!);
const connections = positiveInt('connections', values.connections!);
const buildDir = path.resolve(values['build-dir']!);

const started = performance.now();
const log = (msg: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (v: number): string => (v >= 100 ? `${fmt(v)} ms` : `${v.toFixed(v >= 10 ? 1 : 2)} ms`);
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'regso-bench-features-'));
let failed = true;
process.on('exit', () => {
  if (values['keep-tmp']) return;
  if (failed) console.error(`logs kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

type Encoding = 'gzip' | 'identity';
const ENCODINGS: Encoding[] = ['gzip', 'identity'];

interface Scenario {
  name: 'national-geojson' | 'national-fgb' | 'bbox-goteborg' | 'cql2-filter' | 'feature';
  path: string;
  heavy: boolean;
  /** What the page holds (numberMatched / features), for the report. */
  what: string;
}

interface LatencyRun {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** Bytes of one response as sent. */
  bytes: number;
}

interface WrkRun {
  rps: number;
  p50: number;
  p99: number;
  mbPerSec: number;
  errors: number;
}

interface PgRun {
  p50: number;
  min: number;
  n: number;
}

const machine = machineInfo();
log(`machine: ${machine.cpu}, nproc ${machine.nproc}, ${machine.memory}; node ${process.version}; wrk ${machine.wrk ?? 'missing'}; load ${load()}; ${machine.git}`);
if (!skip.has('throughput') && machine.wrk === null) throw new Error('wrk not found: apt-get install -y wrk (or --skip throughput)');
const buildId = await currentBuildId(buildDir);
if (buildId === null) throw new Error(`no build in ${buildDir}: run npm run build first`);
const loadStart = load();

const children: Child[] = [];
let pg: ThrowawayPostgis | null = null;
try {
  // ---- our server ----
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const server = spawnChild('server', process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], path.join(tmp, 'server.log'), {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BUILD_DIR: buildDir, PRECOMPUTE_ZOOMS: 'off', LOG_LEVEL: 'warn' },
  });
  children.push(server);
  const ready = await waitFor(server, `${origin}/ready`, (r) => r.status === 200, 300_000);
  const version = (JSON.parse(ready.body.toString('utf8')) as { version: string }).version;
  if (version !== buildId) throw new Error(`the server serves build ${version}, ${buildDir} says ${buildId}`);
  log(`server: node --import tsx server/main.ts on port ${port}, build ${version}, ready after ${((performance.now() - t0) / 1000).toFixed(1)} s; RSS ${fmt(memoryOf(server.proc.pid!).rssMb)} MB`);

  const json = async (p: string): Promise<any> => {
    const r = await httpGet(`${origin}${p}`, { accept: 'application/geo+json' });
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    return JSON.parse(r.body.toString('utf8'));
  };

  // ---- the scenarios ----
  const bbox = await goteborgBox(json);
  const filter = 'omradestyp IN (1,2) AND befolkning > 1500';
  const filterCount = (await json(`/collections/regso/items?limit=1&filter=${encodeURIComponent(filter)}`)).numberMatched as number;
  const feature = await json('/collections/regso/items/1480R050');
  const scenarios: Scenario[] = [
    { name: 'national-geojson', path: '/collections/regso/items?limit=10000', heavy: true, what: '3,363 areas, GeoJSON' },
    { name: 'national-fgb', path: '/collections/regso/items?limit=10000&f=fgb', heavy: true, what: '3,363 areas, FlatGeobuf' },
    { name: 'bbox-goteborg', path: `/collections/regso/items?bbox=${bbox.box.map((v) => v.toFixed(4)).join(',')}`, heavy: false, what: `${bbox.count} areas around Göteborg, GeoJSON` },
    { name: 'cql2-filter', path: `/collections/regso/items?filter=${encodeURIComponent(filter)}`, heavy: false, what: `\`${filter}\`: ${filterCount} areas, GeoJSON` },
    { name: 'feature', path: '/collections/regso/items/1480R050', heavy: false, what: `one area (${feature.properties.regsonamn}), GeoJSON` },
  ];
  for (const s of scenarios) log(`scenario ${s.name}: GET ${s.path} — ${s.what}`);

  // Check once that each answer is what it claims, gzipped only when asked for, the same either way.
  const identityNational = await httpGet(`${origin}${scenarios[0].path}`, { 'accept-encoding': 'identity' });
  const national = JSON.parse(identityNational.body.toString('utf8'));
  if (national.numberReturned !== 3363 || identityNational.headers['content-encoding']) throw new Error(`the national page: ${national.numberReturned} features, content-encoding ${identityNational.headers['content-encoding']}`);
  for (const s of scenarios) {
    const g = await httpGet(`${origin}${s.path}`, { 'accept-encoding': 'gzip' });
    const i = await httpGet(`${origin}${s.path}`, { 'accept-encoding': 'identity' });
    if (g.status !== 200 || i.status !== 200) throw new Error(`${s.name}: status ${g.status} / ${i.status}`);
    // The server sends FlatGeobuf uncompressed whatever the client accepts (server/ogc/send.ts).
    const expected = s.name === 'national-fgb' ? undefined : 'gzip';
    if (i.headers['content-encoding'] || g.headers['content-encoding'] !== expected) throw new Error(`${s.name}: content-encoding ${i.headers['content-encoding']} / ${g.headers['content-encoding']}`);
    const unzipped = expected ? gunzipSync(g.body) : g.body;
    // GeoJSON bodies differ in timeStamp only: compare the features.
    const same = s.name === 'national-fgb' ? Buffer.compare(unzipped, i.body) === 0 : JSON.stringify(JSON.parse(unzipped.toString('utf8')).features ?? JSON.parse(unzipped.toString('utf8'))) === JSON.stringify(JSON.parse(i.body.toString('utf8')).features ?? JSON.parse(i.body.toString('utf8')));
    if (!same) throw new Error(`${s.name}: the gzip and identity bodies differ`);
    log(`${s.name}: ${fmt(i.body.length / 1024)} KiB identity, ${fmt(g.body.length / 1024)} KiB gzip`);
  }

  // ---- PostGIS: the same areas and properties ----
  let pgInfo: { version: string; loadMs: number; columns: number; bytes: number; statement: string } | null = null;
  if (!skip.has('postgis')) {
    log('PostGIS: starting a throwaway cluster …');
    pg = await ThrowawayPostgis.start();
    const v = (await pg.sql("SELECT 'PostgreSQL ' || current_setting('server_version') || ' + PostGIS ' || postgis_lib_version();")).trim();
    const loaded = await loadAreas(pg, national.features);
    const statement = featureCollectionSql(loaded.columns);
    const check = await pg.sql(`SELECT length(fc), json_array_length((fc::json)->'features') FROM (${statement}) q;`);
    const [bytes, count] = check.trim().split('\t').map(Number);
    if (count !== 3363) throw new Error(`PostGIS built ${count} features`);
    pgInfo = { version: v, loadMs: loaded.ms, columns: loaded.columns.length, bytes, statement };
    log(`PostGIS: ${v}; 3,363 areas with ${loaded.columns.length} property columns loaded in ${ms(loaded.ms)}; its FeatureCollection is ${fmt(bytes / 1024)} KiB (ours ${fmt(identityNational.body.length / 1024)} KiB)`);
  }

  // ---- warm-up ----
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (const s of scenarios) for (const e of ENCODINGS) await latency(agent, origin, s, e, 3);
  log(`warm-up done (load ${load()})`);

  // ---- rounds ----
  const lat = new Map<string, LatencyRun[]>();
  const thr = new Map<string, WrkRun[]>();
  const pgRuns: PgRun[] = [];
  const key = (s: Scenario, e: Encoding) => `${s.name}/${e}`;
  for (let r = 1; r <= rounds; r++) {
    log(`round ${r}/${rounds} (load ${load()})`);
    for (const s of scenarios) {
      for (const e of ENCODINGS) {
        const run = await latency(agent, origin, s, e, s.heavy ? heavyN : lightN);
        push(lat, key(s, e), run);
        log(`  latency ${key(s, e).padEnd(26)} n=${run.n} p50 ${ms(run.p50)}, p95 ${ms(run.p95)}, p99 ${ms(run.p99)} (${fmt(run.bytes / 1024)} KiB)`);
      }
    }
    if (!skip.has('throughput')) {
      for (const s of scenarios) {
        for (const e of ENCODINGS) {
          const run = await wrk(origin, s, e);
          push(thr, key(s, e), run);
          log(`  wrk -t${threads} -c${connections} -d${values.duration} ${key(s, e).padEnd(26)} ${fmt(run.rps, 1)} req/s, p50 ${ms(run.p50)}, p99 ${ms(run.p99)}, ${fmt(run.mbPerSec, 1)} MB/s${run.errors ? `, ${run.errors} ERRORS` : ''}`);
          if (run.errors) throw new Error(`wrk saw ${run.errors} errors on ${key(s, e)}`);
        }
      }
    }
    if (pg && pgInfo) {
      const run = await timePostgis(pg, pgInfo.statement, heavyN);
      pgRuns.push(run);
      log(`  PostGIS FeatureCollection of 3,363 areas: n=${run.n} p50 ${ms(run.p50)}, min ${ms(run.min)}`);
    }
  }
  agent.destroy();
  const rssAfter = memoryOf(server.proc.pid!);
  log(`server after the runs: RSS ${fmt(rssAfter.rssMb)} MB (peak ${fmt(rssAfter.hwmMb)} MB)`);

  const loadEnd = load();
  console.log('');
  console.log(markdown({ scenarios, lat, thr, pgRuns, pgInfo, loadStart, loadEnd, rssAfter, national: identityNational.body.length, key, bbox: bbox.box }));
  failed = false;
} finally {
  for (const c of children) await stopChild(c);
  pg?.stop();
  log(`done (load ${load()})`);
}

// ---------------------------------------------------------------------------------------------------------------

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Sequential GETs on one keep-alive connection: time until the last byte of each body; the percentiles. */
async function latency(agent: Agent, origin: string, s: Scenario, e: Encoding, n: number): Promise<LatencyRun> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await getBody(agent, `${origin}${s.path}`, e);
    times.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${s.name}: status ${r.status}`);
    if ((r.encoding === 'gzip') !== (e === 'gzip' && s.name !== 'national-fgb')) throw new Error(`${s.name} ${e}: content-encoding ${r.encoding}`);
    bytes = r.bytes;
  }
  return { n, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / n, bytes };
}

function getBody(agent: Agent, url: string, e: Encoding): Promise<{ status: number; bytes: number; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { 'accept-encoding': e } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, encoding: res.headers['content-encoding'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** wrk on one URL with one Accept-Encoding; its own summary parsed (Requests/sec, Transfer/sec, --latency percentiles). */
async function wrk(origin: string, s: Scenario, e: Encoding): Promise<WrkRun> {
  const args = [`-t${threads}`, `-c${connections}`, `-d${values.duration}`, '--timeout', '30s', '--latency', '-H', `Accept-Encoding: ${e}`, `${origin}${s.path}`];
  const out = await runChild('wrk', 'wrk', args, path.join(tmp, 'wrk.log'));
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  const dur = (v: string, unit: string): number => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit];
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? dur(m[1], m[2]) : NaN;
  };
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(out);
  const mbPerSec = transfer ? Number(transfer[1]) * ({ B: 1 / 1024 ** 2, KB: 1 / 1024, MB: 1, GB: 1024 } as Record<string, number>)[transfer[2]] : NaN;
  const errors = num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: pct('50'),
    p99: pct('99'),
    mbPerSec,
    errors: errors + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/**
 * A box around Göteborg (centred on the city, 1.87:1 in degrees so that it is about square on the ground) that
 * holds about 100 areas: bisection on its size with numberMatched.
 */
async function goteborgBox(json: (p: string) => Promise<any>): Promise<{ box: number[]; count: number }> {
  const [lon, lat] = [11.974, 57.708];
  const boxOf = (h: number) => [lon - 1.87 * h, lat - h, lon + 1.87 * h, lat + h];
  const count = async (h: number) => (await json(`/collections/regso/items?limit=1&bbox=${boxOf(h).map((v) => v.toFixed(4)).join(',')}`)).numberMatched as number;
  let [lo, hi] = [0.001, 0.5];
  let best = { h: hi, n: await count(hi) };
  for (let i = 0; i < 25; i++) {
    const mid = (lo + hi) / 2;
    const n = await count(mid);
    if (Math.abs(n - 100) < Math.abs(best.n - 100)) best = { h: mid, n };
    if (n === 100) break;
    if (n < 100) lo = mid;
    else hi = mid;
  }
  const box = boxOf(best.h).map((v) => Number(v.toFixed(4)));
  return { box, count: await count(best.h) };
}

type PropertyType = 'text' | 'bigint' | 'double precision' | 'boolean';

/** The table regso_fc: the page's properties as typed columns (in the page's order) and the geometry, EPSG:4326. */
async function loadAreas(db: ThrowawayPostgis, features: any[]): Promise<{ columns: string[]; ms: number }> {
  const types = new Map<string, PropertyType>();
  for (const f of features) {
    for (const [k, v] of Object.entries(f.properties as Record<string, unknown>)) {
      if (v === null) continue;
      const t: PropertyType =
        typeof v === 'string' ? 'text' : typeof v === 'boolean' ? 'boolean' : Number.isInteger(v) && types.get(k) !== 'double precision' ? 'bigint' : 'double precision';
      if (types.get(k) !== 'text') types.set(k, t);
    }
  }
  // Every property, in the page's order (one null everywhere would be text).
  const columns = Object.keys(features[0].properties);
  for (const c of columns) if (!types.has(c)) types.set(c, 'text');
  const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;
  const cell = (v: unknown) => (v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n'));
  const t = performance.now();
  await db.sql(`CREATE TABLE regso_src (${columns.map((c) => `${ident(c)} ${types.get(c)}`).join(', ')}, gj text);`);
  await db.copyIn(`COPY regso_src (${columns.map(ident).join(', ')}, gj) FROM STDIN`, async (write) => {
    for (const f of features) await write(`${[...columns.map((c) => cell(f.properties[c])), cell(JSON.stringify(f.geometry))].join('\t')}\n`);
  });
  await db.sql(
    `CREATE TABLE regso_fc AS SELECT ${columns.map(ident).join(', ')}, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(gj), 4326))::geometry(MultiPolygon, 4326) AS geom FROM regso_src ORDER BY regsokod; ` +
      'DROP TABLE regso_src; CREATE INDEX ON regso_fc USING gist (geom); VACUUM ANALYZE regso_fc;',
  );
  return { columns, ms: performance.now() - t };
}

/** The FeatureCollection as one text value: every row through ST_AsGeoJSON(record), 8 decimals as ours. */
function featureCollectionSql(columns: string[]): string {
  const cols = columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
  return (
    "SELECT json_build_object('type', 'FeatureCollection', 'numberMatched', count(*), 'numberReturned', count(*), " +
    `'features', json_agg(ST_AsGeoJSON(t.*, 'geom', 8)::json ORDER BY t.regsokod))::text AS fc FROM (SELECT ${cols}, geom FROM regso_fc) t`
  );
}

/** n executions of the statement in one psql session, result discarded; psql's \timing per execution. */
async function timePostgis(db: ThrowawayPostgis, statement: string, n: number): Promise<PgRun> {
  const lines = ['\\o /dev/null', '\\timing on'];
  for (let i = 0; i < n + 1; i++) lines.push(`${statement};`);
  const out = await db.sql(`${lines.join('\n')}\n`);
  const times = [...out.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1])).slice(1); // the first warms the session
  if (times.length !== n) throw new Error(`psql gave ${times.length} timings for ${n} runs:\n${out.slice(0, 1000)}`);
  return { n, p50: percentile(times, 50), min: Math.min(...times) };
}

interface Machine {
  nproc: string;
  cpu: string;
  memory: string;
  os: string;
  wrk: string | null;
  date: string;
  git: string;
}

function machineInfo(): Machine {
  const sh = (cmd: string, args: string[]): string => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim() ?? '';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? os.type();
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git(['rev-parse', '--short', 'HEAD']);
  const changed = head.status === 0 ? git(['status', '--porcelain', '--', 'data', 'server']).stdout.split('\n').filter(Boolean).length : 0;
  return {
    nproc: sh('nproc', []),
    cpu: /Model name:\s*(.+)/.exec(sh('lscpu', []))?.[1]?.trim() ?? os.cpus()[0]?.model ?? '?',
    memory: `${(memKb / 1024 ** 2).toFixed(1)} GB RAM`,
    os: osName,
    wrk: wrkVersion(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    git: head.status === 0 ? `commit ${head.stdout.trim()}${changed ? ` + ${changed} uncommitted file${changed > 1 ? 's' : ''} in data/, server/` : ''}` : 'not a git checkout',
  };
}

interface Report {
  scenarios: Scenario[];
  lat: Map<string, LatencyRun[]>;
  thr: Map<string, WrkRun[]>;
  pgRuns: PgRun[];
  pgInfo: { version: string; loadMs: number; columns: number; bytes: number; statement: string } | null;
  loadStart: string;
  loadEnd: string;
  rssAfter: { rssMb: number; hwmMb: number };
  national: number;
  key: (s: Scenario, e: Encoding) => string;
  bbox: number[];
}

function markdown(r: Report): string {
  const m = machine;
  const out: string[] = [];
  const med = (runs: LatencyRun[] | undefined, f: (x: LatencyRun) => number) => (runs?.length ? median(runs.map(f)) : NaN);
  out.push(`## ${m.date.slice(0, 10)} — OGC API – Features: warm latency and throughput (\`npm run bench:features${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`)`);
  out.push('');
  out.push(
    `Machine: ${m.cpu}, nproc ${m.nproc}, ${m.memory}, ${m.os}; Node ${process.version}, wrk ${m.wrk ?? '—'}${r.pgInfo ? `, ${r.pgInfo.version}` : ''}. ` +
      `Run ${m.date}; load average (1, 5, 15 min) ${r.loadStart} at the start, ${r.loadEnd} at the end (other sessions share the machine). Code: ${m.git}, build \`${buildId}\`.`,
  );
  out.push('');
  out.push(
    `Server: \`node --import tsx server/main.ts\` (PRECOMPUTE_ZOOMS=off). Latency: a Node client, keep-alive, one request at a time, ` +
      `time to the last byte; ${heavyN} requests per round for the national pages, ${lightN} for the others; ${rounds} rounds interleaving everything; ` +
      `medians of the rounds' percentiles. Throughput: \`wrk -t${threads} -c${connections} -d${values.duration} --latency -H 'Accept-Encoding: …' URL\`, median of the rounds.`,
  );
  out.push('');
  out.push('| request | bytes gzip / identity | p50 gzip | p95 gzip | p50 identity | p95 identity | req/s gzip | req/s identity |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const s of r.scenarios) {
    const g = r.lat.get(r.key(s, 'gzip'));
    const i = r.lat.get(r.key(s, 'identity'));
    const tg = r.thr.get(r.key(s, 'gzip'));
    const ti = r.thr.get(r.key(s, 'identity'));
    const rps = (runs: WrkRun[] | undefined) => (runs?.length ? `${fmt(median(runs.map((x) => x.rps)), 1)} (${runs.map((x) => fmt(x.rps, 1)).join(', ')})` : '—');
    out.push(
      `| \`${s.name}\` ${s.what} | ${fmt(g![0].bytes / 1024)} / ${fmt(i![0].bytes / 1024)} KiB | ${ms(med(g, (x) => x.p50))} | ${ms(med(g, (x) => x.p95))} | ` +
        `${ms(med(i, (x) => x.p50))} | ${ms(med(i, (x) => x.p95))} | ${rps(tg)} | ${rps(ti)} |`,
    );
  }
  out.push('');
  out.push('Requests:');
  for (const s of r.scenarios) out.push(`- \`${s.name}\`: \`GET ${s.path}\``);
  out.push('');
  const target = (label: string, value: number, limit: number) => `${label} ${ms(value)} (target < ${limit} ms: ${value < limit ? 'met' : '**missed**'})`;
  const get = (name: Scenario['name'], e: Encoding) => r.lat.get(`${name}/${e}`);
  const checks = [
    target('national GeoJSON p50 gzip', med(get('national-geojson', 'gzip'), (x) => x.p50), 300) + `, identity ${ms(med(get('national-geojson', 'identity'), (x) => x.p50))}`,
    target('national FlatGeobuf p50 gzip', med(get('national-fgb', 'gzip'), (x) => x.p50), 100) + `, identity ${ms(med(get('national-fgb', 'identity'), (x) => x.p50))}`,
    target('bbox p95 gzip', med(get('bbox-goteborg', 'gzip'), (x) => x.p95), 20) + `, identity ${ms(med(get('bbox-goteborg', 'identity'), (x) => x.p95))}`,
    target('single feature p95 gzip', med(get('feature', 'gzip'), (x) => x.p95), 20) + `, identity ${ms(med(get('feature', 'identity'), (x) => x.p95))}`,
  ];
  out.push(`Targets: ${checks.join('; ')}.`);
  if (r.pgInfo && r.pgRuns.length) {
    const pgP50 = median(r.pgRuns.map((x) => x.p50));
    const oursP50 = med(get('national-geojson', 'identity'), (x) => x.p50);
    out.push('');
    out.push('### The national GeoJSON page, side by side with PostGIS');
    out.push('');
    out.push(
      `PostGIS (throwaway cluster on 127.0.0.1, one psql connection, \`\\timing\`, result to \`/dev/null\`) builds the same FeatureCollection from a table of the same ` +
        `3,363 areas (${r.pgInfo.columns} typed property columns, loaded from our identity page, geometry EPSG:4326, GiST, VACUUM ANALYZE): ` +
        `\`${r.pgInfo.statement.replace(/"/g, '')}\` — ${fmt(r.pgInfo.bytes / 1024)} KiB of JSON (ours ${fmt(r.national / 1024)} KiB).`,
    );
    out.push('');
    out.push('| | p50 (median of rounds) | per round |');
    out.push('|---|---|---|');
    out.push(`| ours, \`GET /collections/regso/items?limit=10000\`, identity, over HTTP | ${ms(oursP50)} | ${get('national-geojson', 'identity')!.map((x) => ms(x.p50)).join(', ')} |`);
    out.push(`| PostGIS \`json_agg(ST_AsGeoJSON(…))\` in psql | ${ms(pgP50)} | ${r.pgRuns.map((x) => ms(x.p50)).join(', ')} |`);
    out.push('');
    out.push(`Ratio PostGIS / ours: **${(pgP50 / oursP50).toFixed(2)}×** (per round ${r.pgRuns.map((x, k) => `${(x.p50 / get('national-geojson', 'identity')![k].p50).toFixed(2)}×`).join(', ')}).`);
  }
  out.push('');
  out.push(`Server RSS after the runs: ${fmt(r.rssAfter.rssMb)} MB (peak ${fmt(r.rssAfter.hwmMb)} MB).`);
  return out.join('\n');
}
