/**
 * npm run bench:ingest [-- --points N] [--seed S] [--build DIR] [--no-postgis]      (or INGEST_POINTS=N)
 *
 * Aggregates N (default 5,000,000) seeded synthetic incident points into the areas with AreaIndex +
 * IncidentAggregator, then does the same job in a throwaway PostGIS cluster (GiST on both tables, ST_Contains join)
 * and compares timings and per-area counts. Targets: ours under 10 s for 5 M points on a 2-core machine, and at
 * least 3× faster than PostGIS.
 *
 *   --build DIR   build root holding current.json (default: the repo's build/); without one, a stand-in area set
 *                 is used (see bench/areas.ts) and the report says so.
 *   --no-postgis  only our side (quick checks).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { IncidentAggregator } from '../data/incidents/aggregate.ts';
import { AreaIndex } from '../data/incidents/area-index.ts';
import { loadBenchAreas } from './areas.ts';
import { CATEGORIES, syntheticPoints, YEARS, type SyntheticPoints } from './points.ts';
import { ewkbPointLines, SERVER_SETTINGS, ThrowawayPostgis } from './postgis.ts';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: process.env.INGEST_POINTS ?? '5000000' },
    seed: { type: 'string', default: '20240601' },
    build: { type: 'string' },
    'no-postgis': { type: 'boolean', default: false },
  },
});
const N = Number(values.points!.replace(/_/g, ''));
const SEED = Number(values.seed);
if (!Number.isInteger(N) || N <= 0) throw new Error(`--points must be a positive integer, got ${values.points}`);

const started = performance.now();
const log = (msg: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const ms = (t: number): string => `${t.toFixed(0)} ms`;
const fmt = (n: number): string => n.toLocaleString('en-US');
const rssMb = (): string => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`; // maxRSS is in KiB

log(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cores; node ${process.version}`);
const { label, areas } = await loadBenchAreas(values.build);
let vertices = 0;
for (const a of areas) for (const part of a.geometry.type === 'Polygon' ? [a.geometry.coordinates] : a.geometry.coordinates) for (const r of part) vertices += r.length;
const areaSummary = `${label}: ${fmt(areas.length)} areas, ${fmt(vertices)} vertices`;
log(`areas: ${areaSummary}`);

// Points are generated with an index of their own (untimed), so the timed run below builds its index from scratch.
const points = syntheticPoints(new AreaIndex(areas), N, SEED, (done) => log(`  generating points: ${fmt(done)} / ${fmt(N)}`));
log(`points: ${fmt(N)} (seed ${SEED}), ${fmt(points.aimedInside)} aimed inside areas (${fmt(points.gaveUp)} gave up rejection sampling), the rest anywhere in Sweden's bbox`);

// ---- ours: index build + locate and tally every point (one thread) ----
const t0 = performance.now();
const index = new AreaIndex(areas);
const t1 = performance.now();
const agg = new IncidentAggregator(index);
const cats: string[] = [...CATEGORIES];
const years: number[] = [...YEARS];
const { xs, ys, year, category } = points;
const step = Math.ceil(N / 5);
for (let i = 0; i < N; i++) {
  if (i % step === 0 && i > 0) log(`  aggregating: ${fmt(i)} / ${fmt(N)}`);
  agg.add(xs[i], ys[i], years[year[i]], cats[category[i]], i + 1);
}
const t2 = performance.now();
const ours = { build: t1 - t0, locate: t2 - t1, total: t2 - t0, rss: rssMb() };
const r = agg.result();
log(
  `ours: index build ${ms(ours.build)} (${fmt(index.edgeCount)} edges, ${fmt(index.entryCount)} band entries, ${fmt(index.cellCount)} raster cells, ${fmt(index.gridCellCount)} grid cells), ` +
    `locate + aggregate ${ms(ours.locate)}, total ${ms(ours.total)} = ${(N / ours.total / 1000).toFixed(2)} M points/s`,
);
log(`ours: ${fmt(r.total)} points, ${fmt(r.outside)} outside every area, ${fmt(r.ambiguous)} in 2+ areas; peak RSS so far ${ours.rss}`);
log(`  first outside: ${r.outsideSamples.slice(0, 3).map((s) => `line ${s.line} (${s.x.toFixed(1)}, ${s.y.toFixed(1)})`).join(', ')}`);

const summary = [
  `areas            ${areaSummary}`,
  `points           ${fmt(N)} (seed ${SEED}); ${fmt(r.outside)} outside every area, ${fmt(r.ambiguous)} in 2+ areas`,
  `ours             ${ms(ours.total)} = index build ${ms(ours.build)} + locate/aggregate ${ms(ours.locate)} (1 thread); peak RSS ${ours.rss} at that point`,
];
if (values['no-postgis']) summary.push('PostGIS          skipped (--no-postgis)');
else summary.push(...(await comparePostgis(points, index, ours.total)));
summary.push(`peak RSS         ${rssMb()} for the whole run (point arrays, COPY stream)`);
console.log(`\n==== ingest benchmark ====\n${summary.join('\n')}`);

/** Loads areas and points into a throwaway PostGIS, times the queries, checks the counts. Returns summary lines. */
async function comparePostgis(p: SyntheticPoints, idx: AreaIndex, oursMs: number): Promise<string[]> {
  // What PostGIS computes: every point counted in every area that contains it (ours assigns a point in overlapping
  // areas to the lowest area only), so recount that way for the comparison. Untimed.
  const containing = new Float64Array(idx.size);
  const hits: number[] = [];
  for (let i = 0; i < p.n; i++) {
    const k = idx.locateAll(p.xs[i], p.ys[i], hits);
    for (let j = 0; j < k; j++) containing[hits[j]]++;
  }

  log(`PostGIS: starting a throwaway cluster (${Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  const pg = await ThrowawayPostgis.start();
  try {
    log(`PostGIS: ${(await pg.sql('SELECT postgis_full_version();')).trim().split(' ').slice(0, 2).join(' ')}, port ${pg.port}, ${pg.dir}`);
    await pg.sql('CREATE TABLE areas_src (id int, gj text); CREATE TABLE points (geom geometry(Point, 3006));');

    let t = performance.now();
    await pg.copyIn('COPY areas_src (id, gj) FROM STDIN', async (push) => {
      for (let i = 0; i < areas.length; i++) await push(`${i}\t${JSON.stringify(areas[i].geometry)}\n`);
    });
    await pg.sql(
      'CREATE TABLE areas AS SELECT id, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(gj), 3006))::geometry(MultiPolygon, 3006) AS geom FROM areas_src;' +
        'DROP TABLE areas_src;',
    );
    const invalid = Number(await pg.sql('SELECT count(*) FROM areas WHERE NOT ST_IsValid(geom);'));
    log(`PostGIS: areas loaded in ${ms(performance.now() - t)} (${invalid} invalid by ST_IsValid)`);

    t = performance.now();
    const chunk = 65_536;
    await pg.copyIn('COPY points (geom) FROM STDIN', async (push) => {
      for (let i = 0; i < p.n; i += chunk) {
        if (i > 0 && i % 1_000_000 < chunk) log(`  COPY points: ${fmt(i)} / ${fmt(p.n)}`);
        await push(ewkbPointLines(p.xs, p.ys, i, Math.min(p.n, i + chunk)));
      }
    });
    const load = performance.now() - t;
    const loaded = Number(await pg.sql('SELECT count(*) FROM points;'));
    if (loaded !== p.n) throw new Error(`PostGIS holds ${loaded} points, sent ${p.n}`);
    log(`PostGIS: COPY of ${fmt(loaded)} points (hex EWKB) ${ms(load)}`);

    t = performance.now();
    await pg.sql('CREATE INDEX areas_geom ON areas USING gist (geom);');
    const tAreasIdx = performance.now() - t;
    t = performance.now();
    await pg.sql('CREATE INDEX points_geom ON points USING gist (geom);');
    const tPointsIdx = performance.now() - t;
    t = performance.now();
    await pg.sql('ANALYZE areas; ANALYZE points;');
    const tAnalyze = performance.now() - t;
    log(`PostGIS: GiST index areas ${ms(tAreasIdx)}, points ${ms(tPointsIdx)}; ANALYZE ${ms(tAnalyze)}`);

    // The job as specified, and the same count written per area: the planner then always walks the points index
    // once per area, where PostGIS's prepared-geometry cache works best (the join may instead probe the areas
    // index once per point). Both are timed so the comparison is against PostGIS at its best, not a bad plan.
    const queries = [
      { name: 'join', runs: 2, sql: 'SELECT a.id, count(*) FROM points p JOIN areas a ON ST_Contains(a.geom, p.geom) GROUP BY a.id' },
      { name: 'per-area', runs: 1, sql: 'SELECT a.id, (SELECT count(*) FROM points p WHERE ST_Contains(a.geom, p.geom)) FROM areas a' },
    ];
    const lines: string[] = [`PostGIS load     COPY ${ms(load)}; GiST areas ${ms(tAreasIdx)}, points ${ms(tPointsIdx)}; ANALYZE ${ms(tAnalyze)}`];
    let best = Infinity;
    for (const q of queries) {
      const plan = await pg.sql(`EXPLAIN ${q.sql};`);
      log(`PostGIS ${q.name}: ${q.sql}\n${plan.trimEnd().replace(/^/gm, '    ')}`);
      const times: number[] = [];
      let rows = '';
      for (let run = 1; run <= q.runs; run++) {
        log(`PostGIS ${q.name}: run ${run} of ${q.runs} …`);
        rows = await pg.sql(`\\timing on\n${q.sql};\n`);
        const m = /^Time: ([\d.]+) ms/m.exec(rows);
        if (!m) throw new Error(`no timing in psql output:\n${rows.slice(-500)}`);
        times.push(Number(m[1]));
        log(`PostGIS ${q.name}: ${ms(times[times.length - 1])}`);
      }
      best = Math.min(best, ...times);
      const diff = compareCounts(rows, containing);
      lines.push(
        `PostGIS ${q.name.padEnd(9)}${times.map(ms).join(', ')}${q.runs > 1 ? ' (runs 1, 2)' : ''}; ` +
          `ratio ${(Math.min(...times) / oursMs).toFixed(1)}×; per-area counts: ${diff}`,
      );
    }
    lines.push(`ratio            ${(best / oursMs).toFixed(1)}× (fastest PostGIS query / ours index+aggregate); target ≥ 3×`);
    return lines;
  } finally {
    pg.stop();
    log('PostGIS: cluster stopped and removed');
  }
}

/** psql rows "id<TAB>count" against our per-area counts: how many areas differ, and by how much in total. */
function compareCounts(rows: string, ours: Float64Array): string {
  const theirs = new Float64Array(ours.length);
  for (const line of rows.split('\n')) {
    const cols = line.split('\t');
    if (cols.length === 2 && /^\d+$/.test(cols[0])) theirs[Number(cols[0])] = Number(cols[1]);
  }
  let differ = 0, absDiff = 0, total = 0;
  const examples: string[] = [];
  for (let a = 0; a < ours.length; a++) {
    total += theirs[a];
    if (theirs[a] === ours[a]) continue;
    differ++;
    absDiff += Math.abs(theirs[a] - ours[a]);
    if (examples.length < 3) examples.push(`${areas[a].id}: ours ${ours[a]}, PostGIS ${theirs[a]}`);
  }
  return `${differ} of ${fmt(ours.length)} areas differ (sum |Δ| ${fmt(absDiff)}; PostGIS total ${fmt(total)})${examples.length ? `, e.g. ${examples.join('; ')}` : ''}`;
}
