/**
 * /stats, /stats/areas and /catalog over the national build (partly SYNTHETIC data: population and incidents are
 * modelled). Expected figures are recomputed here from the build's tables with plain loops.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.ts';
import { ratePer1000 } from '../../data/disclosure.ts';
import { POLICE_REGIONS } from '../../data/police-regions.ts';
import { poissonInterval } from '../../data/stats/poisson.ts';
import { AREA_LAYER, dissolvedId, yearAttributes } from '../../tiles/attributes.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';

let server: NationalServer;
let dataset: Dataset;
beforeAll(async () => {
  server = await startNationalServer();
  dataset = server.dataset;
}, 300_000);
afterAll(() => server?.close());

async function get(path: string): Promise<{ status: number; body: any; text: string; bytes: Buffer; headers: Headers }> {
  const res = await fetch(server.url + path);
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: res.status, text, bytes, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

/** Sums of a metric and the population over the areas that pass `keep`, grouped by `key`. */
function sums(metric: string, year: number, key: (code: string) => string | undefined) {
  const counts = dataset.metrics.get(metric)!.get(year)!;
  const people = dataset.metrics.get('befolkning')!.get(year)!;
  const out = new Map<string, { areas: number; population: number; count: number }>();
  for (const a of dataset.areas) {
    const k = key(a.regsokod);
    if (k === undefined) continue;
    const s = out.get(k) ?? { areas: 0, population: 0, count: 0 };
    s.areas += 1;
    s.population += people.get(a.regsokod) ?? 0;
    s.count += counts.get(a.regsokod) ?? 0;
    out.set(k, s);
  }
  return out;
}

const typeOf = (year: number) => (code: string) => String(dataset.areaTypes.get(year)!.get(code));
const per1000 = (count: number, population: number) => Math.round((count / population) * 100_000) / 100;

describe('GET /stats by områdestyp', () => {
  it('gives per type and year the areas, population, count, rate with its exact interval, share and change', async () => {
    const { status, body } = await get('/stats?metric=valdsbrott');
    expect(status).toBe(200);
    expect(body.query).toMatchObject({ metric: ['valdsbrott'], years: [2022, 2023], groupBy: 'omradestyp' });
    expect(body.synthetic).toBe(true);
    expect(body.metrics[0]).toMatchObject({ id: 'valdsbrott', synthetic: true, disclosure: { minCount: 5 } });
    expect(body.groups.map((g: any) => g.id)).toEqual(['1', '2', '3', '4', '5']);
    const national2023 = [...sums('valdsbrott', 2023, () => 'all').values()][0];
    for (const year of [2022, 2023]) {
      const expected = sums('valdsbrott', year, typeOf(year));
      const before = sums('valdsbrott', year - 1 >= 2022 ? year - 1 : year, typeOf(year - 1 >= 2022 ? year - 1 : year));
      const national = [...sums('valdsbrott', year, () => 'all').values()][0];
      for (const typ of ['1', '2', '3', '4', '5']) {
        const row = body.rows.find((r: any) => r.year === year && r.group === typ);
        const e = expected.get(typ)!;
        expect(row).toMatchObject({ metric: 'valdsbrott', areas: e.areas, population: e.population, count: e.count, rate: per1000(e.count, e.population), reason: null });
        const [lo, hi] = poissonInterval(e.count);
        expect(row.rateLow).toBe(per1000(lo, e.population));
        expect(row.rateHigh).toBe(per1000(hi, e.population));
        expect(row.sharePercent).toBeCloseTo((e.count / national.count) * 100, 2);
        if (year === 2023) {
          expect(row.change).toBe(e.count - before.get(typ)!.count);
          expect(row.changePercent).toBeCloseTo(((e.count - before.get(typ)!.count) / before.get(typ)!.count) * 100, 1);
        } else expect(row.change).toBeNull();
      }
    }
    expect(body.national.find((r: any) => r.year === 2023)).toMatchObject({ group: 'national', areas: 3363, count: national2023.count, population: national2023.population, sharePercent: 100 });
    expect(body.totals.find((r: any) => r.year === 2023).count).toBe(national2023.count);
  });

  it('quotes the type 1 vs 5 and types 1–2 vs 3–5 rate ratios, also within a filter', async () => {
    for (const [query, keep] of [['', () => true], ['&kommun=1480', (c: string) => c.startsWith('1480')]] as const) {
      const { body } = await get(`/stats?metric=stold&year=2023&groupBy=kommun${query}`);
      const s = sums('stold', 2023, (c) => (keep(c) ? typeOf(2023)(c) : undefined));
      const rate = (types: string[]) => types.reduce((n, t) => n + (s.get(t)?.count ?? 0), 0) / types.reduce((n, t) => n + (s.get(t)?.population ?? 0), 0);
      const ratio = body.ratios[0];
      expect(ratio.type1VsType5.value).toBeCloseTo(rate(['1']) / rate(['5']), 3);
      expect(ratio.types12VsTypes345.value).toBeCloseTo(rate(['1', '2']) / rate(['3', '4', '5']), 3);
      expect(ratio.type1VsType5.low).toBeLessThan(ratio.type1VsType5.value);
      expect(ratio.type1VsType5.high).toBeGreaterThan(ratio.type1VsType5.value);
    }
  });

  it('filters by kommun, län, police region, områdestyp and areas (AND)', async () => {
    const { body } = await get('/stats?metric=stold&year=2023&kommun=1480,1481&omradestyp=1,2');
    const expected = sums('stold', 2023, (c) => (['1480', '1481'].includes(c.slice(0, 4)) && ['1', '2'].includes(typeOf(2023)(c)) ? typeOf(2023)(c) : undefined));
    expect(body.rows.filter((r: any) => r.areas > 0).map((r: any) => [r.group, r.count])).toEqual([...expected].sort().map(([t, e]) => [t, e.count]));
    const areas = await get('/stats?metric=stold&year=2023&areas=1480R049,1480R050&groupBy=kommun');
    const two = sums('stold', 2023, (c) => (['1480R049', '1480R050'].includes(c) ? 'x' : undefined)).get('x')!;
    expect(areas.body.rows).toHaveLength(1);
    expect(areas.body.rows[0]).toMatchObject({ group: '1480', areas: 2, count: two.count, population: two.population });
  });
});

describe('GET /stats by kommun, län, police region and utsatt område', () => {
  it('sums by kommun within a län and by län', async () => {
    const byKommun = await get('/stats?metric=brott_totalt&year=2022&groupBy=kommun&lan=14');
    const expected = sums('brott_totalt', 2022, (c) => (c.startsWith('14') ? c.slice(0, 4) : undefined));
    expect(byKommun.body.rows.map((r: any) => [r.group, r.count, r.population])).toEqual([...expected].sort().map(([k, e]) => [k, e.count, e.population]));
    expect(byKommun.body.groups.find((g: any) => g.id === '1480').name.sv).toBe('Göteborg');
    const byLan = await get('/stats?metric=brott_totalt&year=2022&groupBy=lan');
    const lan = sums('brott_totalt', 2022, (c) => dataset.areas.find((a) => a.regsokod === c)!.lanskod);
    expect(byLan.body.rows.map((r: any) => [r.group, r.count])).toEqual([...lan].sort().map(([k, e]) => [k, e.count]));
    expect(byLan.body.groups.find((g: any) => g.id === '14').name.sv).toBe('Västra Götalands län');
  });

  it('sums by police region: the seven regions from the län', async () => {
    const { body } = await get('/stats?metric=valdsbrott&year=2023&groupBy=polisregion');
    expect(body.rows.map((r: any) => r.group).sort()).toEqual(POLICE_REGIONS.map((r) => r.id).sort());
    for (const region of POLICE_REGIONS) {
      const e = sums('valdsbrott', 2023, (c) => (region.lan.includes(c.slice(0, 2)) ? 'x' : undefined)).get('x')!;
      expect(body.rows.find((r: any) => r.group === region.id)).toMatchObject({ count: e.count, population: e.population, areas: e.areas });
    }
    expect(body.rows.reduce((n: number, r: any) => n + r.count, 0)).toBe(body.national[0].count);
  });

  it('weights areas into the utsatta områden they overlap by share of area', async () => {
    const { body } = await get('/stats?metric=valdsbrott&year=2023&groupBy=utsatt-omrade');
    const layer = dataset.layers.find((l) => l.id === 'utsatta-omraden')!;
    expect(body.groups.length).toBeGreaterThan(50);
    expect(body.groups.length).toBeLessThanOrEqual(layer.features.length);
    const hjallbo = body.groups.find((g: any) => g.name.sv === 'Hjällbo');
    expect(hjallbo.properties).toMatchObject({ kategori: 'Särskilt utsatt område', ort: 'Göteborg' });
    const row = body.rows.find((r: any) => r.group === hjallbo.id);
    // Hjällbo's polygon lies within the real SCB polygons of Hjällbo östra and västra (and edges of neighbours).
    const whole = sums('valdsbrott', 2023, (c) => (['1480R049', '1480R050'].includes(c) ? 'x' : undefined)).get('x')!;
    expect(row.areas).toBeGreaterThanOrEqual(2);
    expect(row.count).toBeGreaterThan(0);
    expect(row.count).toBeLessThanOrEqual(whole.count * 1.5);
    expect(row.population).toBeLessThan(whole.population * 1.5);
  });
});

describe('GET /stats/areas', () => {
  it('ranks the ten RegSO with the highest rate of våldsbrott in Göteborg 2023, with their områdestyp', async () => {
    const { status, body } = await get('/stats/areas?metric=valdsbrott&year=2023&kommun=1480&sort=rate&order=desc&limit=10');
    expect(status).toBe(200);
    const counts = dataset.metrics.get('valdsbrott')!.get(2023)!;
    const people = dataset.metrics.get('befolkning')!.get(2023)!;
    const expected = dataset.areas
      .filter((a) => a.kommunkod === '1480')
      .map((a) => ({ regsokod: a.regsokod, rate: ratePer1000(counts.get(a.regsokod)!, people.get(a.regsokod)), count: counts.get(a.regsokod)! }))
      .sort((a, b) => b.rate! - a.rate! || (a.regsokod < b.regsokod ? -1 : 1))
      .slice(0, 10);
    expect(body.numberMatched).toBe(dataset.areas.filter((a) => a.kommunkod === '1480').length);
    expect(body.areas.map((r: any) => [r.rank, r.regsokod, r.rate, r.count])).toEqual(expected.map((e, i) => [i + 1, e.regsokod, e.rate, e.count]));
    for (const r of body.areas) {
      expect(r.omradestyp).toBe(dataset.areaTypes.get(2023)!.get(r.regsokod));
      expect(r.kommunnamn).toBe('Göteborg');
      expect(r.rateLow).toBeLessThan(r.rate);
      expect(r.rateHigh).toBeGreaterThan(r.rate);
    }
  });

  it('sorts by count ascending and keeps suppressed areas last', async () => {
    const { body } = await get('/stats/areas?metric=narkotikabrott&year=2023&sort=count&order=asc&limit=10000');
    const published = body.areas.filter((r: any) => r.count !== null);
    expect(published.map((r: any) => r.count)).toEqual([...published.map((r: any) => r.count)].sort((a, b) => a - b));
    const firstNull = body.areas.findIndex((r: any) => r.count === null);
    expect(firstNull).toBeGreaterThan(-1);
    expect(body.areas.slice(firstNull).every((r: any) => r.count === null && r.rate === null && r.reason !== null)).toBe(true);
  });
});

describe('GET /catalog', () => {
  it('lists what the public may see, with years, access, kind and the disclosure rule', async () => {
    const { status, body } = await get('/catalog');
    expect(status).toBe(200);
    const visible = dataset.catalog.filter((m) => m.access === 'public');
    expect(body.metrics.map((m: any) => m.id)).toEqual(visible.map((m) => m.id));
    expect(body.metrics.some((m: any) => m.id === 'skjutning')).toBe(false);
    const valdsbrott = body.metrics.find((m: any) => m.id === 'valdsbrott');
    expect(valdsbrott).toMatchObject({ label: { sv: 'Våldsbrott (syntetiska)' }, synthetic: true, years: [2022, 2023], access: 'public', kind: 'count', level: 'regso', stats: true, disclosure: { minCount: 5, roundTo: null, applied: true } });
    expect(valdsbrott.disclosure.method.en).toMatch(/Complementary suppression/);
    expect(body.metrics.find((m: any) => m.id === 'befolkning')).toMatchObject({ kind: 'population', stats: false, disclosure: { applied: false } });
    expect(body).toMatchObject({ years: [2022, 2023], groupBy: ['omradestyp', 'kommun', 'lan', 'polisregion', 'utsatt-omrade'] });
    expect(body.disclosure.tables.en).toMatch(/cut into published pieces/);
    expect(body.filters.polisregion).toHaveLength(7);
    expect(body.filters.kommun).toHaveLength(290);
  });
});

describe('CSV', () => {
  it.each([
    ['point', ',', '.'],
    ['comma', ';', ','],
  ])('parses back to the JSON rows (decimal=%s)', async (decimal, delimiter, mark) => {
    const params = 'metric=valdsbrott,narkotikabrott&groupBy=kommun&lan=25';
    const json = (await get(`/stats?${params}`)).body;
    const res = await get(`/stats?${params}&f=csv${decimal === 'point' ? '' : '&decimal=comma'}`);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="stats-valdsbrott\+narkotikabrott-2022-2023-kommun\.csv"$/);
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: Record<string, string>[] = parse(res.text, { bom: true, columns: true, delimiter });
    const rows = [...json.rows, ...json.totals, ...json.national];
    expect(records).toHaveLength(rows.length);
    const num = (s: string) => (s === '' ? null : Number(s.replace(mark, '.')));
    records.forEach((rec, i) => {
      const r = rows[i];
      expect([rec.metric, Number(rec.year), rec.group, num(rec.areas), num(rec.population), num(rec.count), num(rec.rate_per_1000), num(rec.rate_low), num(rec.rate_high), num(rec.share_of_national_pct), num(rec.change), num(rec.change_pct), rec.suppressed || null]).toEqual([
        r.metric, r.year, r.group, r.areas, r.population, r.count, r.rate, r.rateLow, r.rateHigh, r.sharePercent, r.change, r.changePercent, r.reason,
      ]);
      expect(rec.synthetic).toBe('true');
    });
    expect(records.find((r) => r.group === '2584')?.group_name).toBe('Kiruna');
  });

  it('writes the ranking as CSV', async () => {
    const json = (await get('/stats/areas?metric=stold&year=2022&kommun=0180&limit=5')).body;
    const res = await get('/stats/areas?metric=stold&year=2022&kommun=0180&limit=5&f=csv');
    const records: Record<string, string>[] = parse(res.text, { bom: true, columns: true });
    expect(records.map((r) => [Number(r.rank), r.regsokod, Number(r.count), Number(r.rate_per_1000)])).toEqual(json.areas.map((r: any) => [r.rank, r.regsokod, r.count, r.rate]));
  });
});

describe('bad requests', () => {
  it.each([
    ['/stats', 'metric'],
    ['/stats?metric=nosuch', 'metric'],
    ['/stats?metric=skjutning', 'metric'],
    ['/stats?metric=befolkning', 'metric'],
    ['/stats?metric=handelser_totalt', 'metric'],
    ['/stats?metric=valdsbrott&year=2019', 'year'],
    ['/stats?metric=valdsbrott&year=twenty', 'year'],
    ['/stats?metric=valdsbrott&groupBy=deso', 'groupBy'],
    ['/stats?metric=valdsbrott&kommun=9999', 'kommun'],
    ['/stats?metric=valdsbrott&lan=1', 'lan'],
    ['/stats?metric=valdsbrott&polisregion=norr', 'polisregion'],
    ['/stats?metric=valdsbrott&omradestyp=6', 'omradestyp'],
    ['/stats?metric=valdsbrott&areas=1480R999', 'areas'],
    ['/stats?metric=valdsbrott&f=xml', 'f'],
    ['/stats?metric=valdsbrott&decimal=comma', 'decimal'],
    ['/stats?metric=valdsbrott&kommun=1480&lan=01', 'kommun'],
    ['/stats?metric=valdsbrott&metric=stold', 'metric'],
    ['/stats?metric=valdsbrott&bbox=1,2,3,4', 'bbox'],
    ['/stats/areas?metric=valdsbrott,stold', 'metric'],
    ['/stats/areas?metric=valdsbrott&year=2022..2023', 'year'],
    ['/stats/areas?metric=valdsbrott&sort=name', 'sort'],
    ['/stats/areas?metric=valdsbrott&order=up', 'order'],
    ['/stats/areas?metric=valdsbrott&limit=0', 'limit'],
    ['/stats/areas?metric=valdsbrott&limit=ten', 'limit'],
    ['/catalog?metric=valdsbrott', 'metric'],
  ])('%s → 400 naming %s', async (path, parameter) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 400, parameter });
    expect(body.error).toEqual(expect.any(String));
  });
});

describe('blocks', () => {
  it('publishes a kommun × områdestyp block exactly as the low-zoom tiles do', async () => {
    const tags = yearAttributes(dataset, 2023, 'public').layers.get(AREA_LAYER)!;
    for (const kommun of ['1480', '0180', '2584', '0114']) {
      const { body } = await get(`/stats?metric=narkotikabrott,valdsbrott&year=2023&kommun=${kommun}`);
      for (const row of body.rows.filter((r: any) => r.areas > 0)) {
        const t = tags.get(dissolvedId(kommun, Number(row.group)))!;
        expect(row.count ?? undefined, `${kommun}-${row.group} ${row.metric}`).toBe(t[row.metric]);
      }
    }
  });
});
