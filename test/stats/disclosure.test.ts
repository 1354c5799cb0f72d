/**
 * Disclosure control of /stats tables, tested the way an attacker would work: collect many responses (every
 * grouping, filters by kommun, län, region, type and hand-picked area lists), write each published figure as an
 * equation over the suppressed area values, add everything tiles and features publish (area figures, kommun ×
 * områdestyp blocks), and check by Gaussian elimination that no suppressed area — nor any small block or small
 * kommun total — is determined by the system. Data: the national build (SYNTHETIC counts); `skjutning` (restricted
 * in the build, many small counts) is opened to the public here to stress the rules, next to `narkotikabrott`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Area } from '../../data/areas.ts';
import type { Dataset } from '../../data/dataset.ts';
import { areaFigures } from '../../data/features/published.ts';
import { POLICE_REGIONS } from '../../data/police-regions.ts';
import { utsattOverlaps } from '../../data/stats/overlaps.ts';
import { parseStatsQuery } from '../../data/stats/query.ts';
import { statsResponse, type StatsResponse } from '../../data/stats/table.ts';
import { AREA_LAYER, dissolvedId, yearAttributes } from '../../tiles/attributes.ts';
import { mulberry32 } from '../../bench/points.ts';
import { nationalDataset } from '../helpers/national.ts';

const METRICS = ['narkotikabrott', 'skjutning'];
let open: Dataset;
beforeAll(async () => {
  const dataset = await nationalDataset();
  open = { ...dataset, catalog: dataset.catalog.map((m) => (m.id === 'skjutning' ? { ...m, access: 'public' as const } : m)) };
}, 300_000);

type Query = Record<string, string>;

/** The queries an attacker sends: every grouping, and filters that cut the country in many overlapping ways. */
function attackQueries(dataset: Dataset): Query[] {
  const metric = METRICS.join(',');
  const kommuner = [...new Set(dataset.areas.map((a) => a.kommunkod))];
  const lan = [...new Set(dataset.areas.map((a) => a.lanskod))];
  const queries: Query[] = ['omradestyp', 'kommun', 'lan', 'polisregion', 'utsatt-omrade'].map((groupBy) => ({ metric, groupBy }));
  for (const t of ['1', '2', '3', '4', '5', '1,2', '3,4,5']) queries.push({ metric, groupBy: 'kommun', omradestyp: t }, { metric, groupBy: 'lan', omradestyp: t });
  for (const l of lan) queries.push({ metric, lan: l }, { metric, groupBy: 'kommun', lan: l });
  for (const r of POLICE_REGIONS) queries.push({ metric, polisregion: r.id }, { metric, groupBy: 'lan', polisregion: r.id });
  kommuner.forEach((k, i) => queries.push({ metric, kommun: k }, { metric, kommun: `${k},${kommuner[(i + 1) % kommuner.length]}` }, { metric, groupBy: 'lan', kommun: `${k},${kommuner[(i + 7) % kommuner.length]}` }));
  const rnd = mulberry32(6);
  for (let i = 0; i < 300; i++) {
    const k = kommuner[Math.floor(rnd() * kommuner.length)];
    const inKommun = dataset.areas.filter((a) => a.kommunkod === k || (i % 3 === 0 && a.kommunkod === kommuner[(kommuner.indexOf(k) + 1) % kommuner.length]));
    const picked = inKommun.filter(() => rnd() < 0.4).map((a) => a.regsokod);
    if (picked.length > 0) queries.push({ metric, areas: picked.join(','), groupBy: i % 2 ? 'omradestyp' : 'kommun' });
  }
  return queries;
}

let responses: [Query, StatsResponse][] | undefined;

/** The attacker's responses, asked once for every metric and year. */
function attackResponses(): [Query, StatsResponse][] {
  responses ??= attackQueries(open).map((q) => [q, statsResponse(open, parseStatsQuery(open, 'public', q), 'public')]);
  return responses;
}

/** Which areas (with weights) each row of a response covers — every group, "total" and "national" — worked out here from the query's meaning. */
function tableMembers(dataset: Dataset, q: Query, year: number): Map<string, Map<string, number>> {
  const types = dataset.areaTypes.get(year)!;
  const region = (lanskod: string) => POLICE_REGIONS.find((r) => r.lan.includes(lanskod))!.id;
  const list = (name: string) => new Set(q[name]?.split(','));
  const [kommun, lan, polisregion, omradestyp, areas] = ['kommun', 'lan', 'polisregion', 'omradestyp', 'areas'].map(list);
  const selected = dataset.areas.filter(
    (a) =>
      (!q.kommun || kommun.has(a.kommunkod)) &&
      (!q.lan || lan.has(a.lanskod)) &&
      (!q.polisregion || polisregion.has(region(a.lanskod))) &&
      (!q.omradestyp || omradestyp.has(String(types.get(a.regsokod)))) &&
      (!q.areas || areas.has(a.regsokod)),
  );
  const tables = new Map<string, Map<string, number>>([['national', new Map(dataset.areas.map((a) => [a.regsokod, 1]))]]);
  const put = (group: string, code: string, w: number) => {
    if (!tables.has(group)) tables.set(group, new Map());
    const m = tables.get(group)!;
    m.set(code, Math.min(1, (m.get(code) ?? 0) + w));
  };
  const groupBy = q.groupBy ?? 'omradestyp';
  if (groupBy === 'utsatt-omrade') {
    const codes = new Set(selected.map((a) => a.regsokod));
    for (const o of utsattOverlaps(dataset)!) {
      for (const [code, w] of o.shares) {
        if (!codes.has(code)) continue;
        put(o.feature.id, code, w);
        put('total', code, w);
      }
    }
    return tables;
  }
  const keyOf = { omradestyp: (a: Area) => String(types.get(a.regsokod)), kommun: (a: Area) => a.kommunkod, lan: (a: Area) => a.lanskod, polisregion: (a: Area) => region(a.lanskod) }[groupBy]!;
  for (const a of selected) {
    put(keyOf(a), a.regsokod, 1);
    put('total', a.regsokod, 1);
  }
  return tables;
}

/** Incremental reduced row echelon form over the suppressed areas of one metric and year. */
class Knowledge {
  readonly rows = new Map<number, Float64Array>();
  constructor(readonly size: number) {}

  reduce(v: Float64Array): Float64Array {
    const r = Float64Array.from(v);
    for (const [pivot, row] of this.rows) {
      const f = r[pivot];
      if (Math.abs(f) > 1e-12) for (let j = 0; j < this.size; j++) r[j] -= f * row[j];
    }
    return r;
  }

  add(v: Float64Array): void {
    const r = this.reduce(v);
    const pivot = r.findIndex((x) => Math.abs(x) > 1e-9);
    if (pivot < 0) return;
    const p = r[pivot];
    for (let j = 0; j < this.size; j++) r[j] = Math.abs(r[j] / p) < 1e-12 ? 0 : r[j] / p;
    for (const row of this.rows.values()) {
      const f = row[pivot];
      if (f !== 0) for (let j = 0; j < this.size; j++) row[j] -= f * r[j];
    }
    this.rows.set(pivot, r);
  }

  /** Whether the value of a combination of unknowns follows from what is known. */
  determines(v: Float64Array): boolean {
    return this.reduce(v).every((x) => Math.abs(x) < 1e-9);
  }
}

describe('no suppressed value can be recovered from /stats responses', () => {
  it.each(METRICS.flatMap((m) => [2022, 2023].map((y) => [m, y] as const)))('%s %i', (metric, year) => {
    const areaValues = new Map([...areaFigures(open, year, 'public')].map(([code, f]) => [code, f[metric]]));
    const unknowns = [...areaValues].filter(([, v]) => v === null).map(([code]) => code);
    const index = new Map(unknowns.map((code, i) => [code, i]));
    expect(unknowns.length).toBeGreaterThan(50);
    const knowledge = new Knowledge(unknowns.length);
    const seen = new Set<string>();
    const learn = (members: ReadonlyMap<string, number>) => {
      const v = new Float64Array(unknowns.length);
      for (const [code, w] of members) if (index.has(code)) v[index.get(code)!] = w;
      const key = v.join(',');
      if (v.some((x) => x !== 0) && !seen.has(key)) {
        seen.add(key);
        knowledge.add(v);
      }
    };
    // What tiles publish besides the areas: kommun × områdestyp block totals.
    const tags = yearAttributes(open, year, 'public').layers.get(AREA_LAYER)!;
    const types = open.areaTypes.get(year)!;
    const blocks = new Map<string, Map<string, number>>();
    for (const a of open.areas) {
      const key = `${a.kommunkod}-${types.get(a.regsokod)}`;
      if (!blocks.has(key)) blocks.set(key, new Map());
      blocks.get(key)!.set(a.regsokod, 1);
    }
    for (const [key, members] of blocks) if (tags.get(dissolvedId(key.slice(0, 4), Number(key.slice(5))))?.[metric] !== undefined) learn(members);

    let publishedWithSuppressedInside = 0;
    for (const [q, response] of attackResponses()) {
      const members = tableMembers(open, q, year);
      for (const row of [...response.rows, ...response.totals, ...response.national]) {
        if (row.metric !== metric || row.year !== year) continue;
        if (row.count === null) {
          expect(row.reason).toMatch(/^(small-count|complementary)$/);
          expect([row.rate, row.rateLow, row.rateHigh, row.sharePercent, row.change]).toEqual([null, null, null, null, null]);
          continue;
        }
        const covered = members.get(row.group) ?? new Map<string, number>();
        expect(row.areas).toBe(covered.size);
        if ([...covered.keys()].some((c) => index.has(c))) publishedWithSuppressedInside++;
        learn(covered);
      }
      // Within one table: a published total never stands next to exactly one suppressed group.
      const total = response.totals.find((r) => r.metric === metric && r.year === year)!;
      const suppressed = response.rows.filter((r) => r.metric === metric && r.year === year && r.count === null);
      if (total.count !== null) expect(suppressed.length, JSON.stringify(q)).not.toBe(1);
    }

    const unit = (i: number) => Float64Array.from({ length: unknowns.length }, (_, j) => (j === i ? 1 : 0));
    const determined = unknowns.filter((_, i) => knowledge.determines(unit(i)));
    expect(determined, 'suppressed areas whose value follows from published figures').toEqual([]);
    // Small blocks and small kommun totals must not follow either.
    const raw = open.metrics.get(metric)!.get(year)!;
    const small = (codes: string[]) => {
      const sum = codes.reduce((n, c) => n + (raw.get(c) ?? 0), 0);
      return sum > 0 && sum < 5;
    };
    const indicator = (codes: string[]) => Float64Array.from(unknowns, (c) => (codes.includes(c) ? 1 : 0));
    const kommuner = new Map<string, string[]>();
    for (const a of open.areas) kommuner.set(a.kommunkod, [...(kommuner.get(a.kommunkod) ?? []), a.regsokod]);
    for (const codes of [...[...blocks.values()].map((m) => [...m.keys()]), ...kommuner.values()]) {
      if (small(codes)) expect(knowledge.determines(indicator(codes)), codes.join(',')).toBe(false);
    }
    // The rule is not vacuous: many published figures contain suppressed areas.
    expect(publishedWithSuppressedInside).toBeGreaterThan(20);
  }, 300_000);

  it('publishes totals that contain suppressed areas where the audit allows, and withholds small kommun totals', () => {
    const byType = statsResponse(open, parseStatsQuery(open, 'public', { metric: 'narkotikabrott', year: '2023' }), 'public');
    expect(byType.rows.every((r) => r.count !== null)).toBe(true);
    expect(byType.national[0].count).not.toBeNull();
    const byKommun = statsResponse(open, parseStatsQuery(open, 'public', { metric: 'skjutning', year: '2023', groupBy: 'kommun' }), 'public');
    const raw = open.metrics.get('skjutning')!.get(2023)!;
    for (const row of byKommun.rows) {
      const total = open.areas.filter((a) => a.kommunkod === row.group).reduce((n, a) => n + (raw.get(a.regsokod) ?? 0), 0);
      if (total > 0 && total < 5) expect(row).toMatchObject({ count: null, reason: 'small-count' });
    }
    expect(byKommun.rows.filter((r) => r.reason === 'small-count').length).toBeGreaterThan(50);
  });
});
