/**
 * /collections/{id}/items and /items/{featureId} over the mini dataset (SYNTHETIC TEST FIXTURE: four 1 km squares
 * in SWEREF 99 TM, 0114R001 lower left, R002 lower right, R003 upper left, R004 upper right): every parameter,
 * valid and invalid, paging, CRSs and axis order, CQL2 filters.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWebMercator, toWgs84 } from '../../data/crs.ts';
import type { MiniServer } from '../helpers/mini-server.ts';
import { CRS84, EPSG3006, EPSG3857, linkOf, pathOf, startOgcMini, type LinkObject } from './helpers.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startOgcMini();
});
afterAll(() => mini.close());

const get = (path: string) => request(mini.handler).get(path);
const items = (query: string | Record<string, string> = '', collection = 'regso') =>
  get(`/collections/${collection}/items${typeof query === 'string' ? (query ? `?${query}` : '') : `?${new URLSearchParams(query)}`}`);
const ids = (body: any): string[] => body.features.map((f: any) => f.id);

/** A point in an area's square, as longitude/latitude. */
const lonLat = (x: number, y: number) => toWgs84([x, y]);

describe('a page of features', () => {
  it('is GeoJSON with numberMatched, numberReturned, timeStamp, typed links, ids and the latest year by default', async () => {
    const res = await items().expect(200);
    expect(res.headers['content-type']).toBe('application/geo+json');
    expect(res.headers['content-crs']).toBe(`<${CRS84}>`);
    expect(res.body).toMatchObject({ type: 'FeatureCollection', numberMatched: 4, numberReturned: 4 });
    expect(res.body.timeStamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(ids(res.body)).toEqual(['0114R001', '0114R002', '0114R003', '0114R004']);
    const f = res.body.features[0];
    expect(f).toMatchObject({ type: 'Feature', id: '0114R001', geometry: { type: 'MultiPolygon' } });
    expect(f.properties).toMatchObject({ regsokod: '0114R001', regsonamn: 'Testområde 1', kommunkod: '0114', lanskod: '01', year: 2023, omradestyp: 1, befolkning: 1900, geom_source: 'scb' });
    const links: LinkObject[] = res.body.links;
    expect(linkOf(links, 'self', 'application/geo+json')).toBeDefined();
    for (const type of ['application/flatgeobuf', 'text/html', 'text/csv']) expect(linkOf(links, 'alternate', type), type).toBeDefined();
    expect(links.every((l) => typeof l.type === 'string')).toBe(true);
    expect(linkOf(links, 'next')).toBeUndefined();
    expect(linkOf(links, 'prev')).toBeUndefined();
    expect(res.headers['ogc-numbermatched']).toBe('4');
  });

  it('serves the extra layers with the layer’s id field as id (a number where the source has one) and its published properties', async () => {
    const kommuner = await items('', 'kommuner').expect(200);
    expect(kommuner.body.features[0]).toMatchObject({ id: '0114', properties: { kod: '0114', namn: 'Upplands Väsby' } });
    const uso = await items('', 'utsatta-omraden').expect(200);
    expect(uso.body.features.map((f: any) => f.id)).toEqual([7, 12]);
    expect(uso.body.features[1].properties).toEqual({ namn: 'Ängsbacken', kategori: 'Riskområde' });
  });
});

describe('limit and paging', () => {
  it('pages with next and prev links of every format, keeping the other parameters, until the last page', async () => {
    let path: string | undefined = '/collections/regso/items?limit=1&sortby=-regsokod&properties=regsonamn';
    const seen: string[] = [];
    let pages = 0;
    while (path) {
      const res = await get(path).expect(200);
      pages++;
      expect(res.body.numberMatched).toBe(4);
      expect(res.body.numberReturned).toBe(1);
      seen.push(...ids(res.body));
      expect(Object.keys(res.body.features[0].properties)).toEqual(['regsonamn']);
      const links: LinkObject[] = res.body.links;
      if (pages > 1) expect(pathOf(linkOf(links, 'prev', 'application/geo+json')!.href)).toContain(`offset=${pages - 2}`);
      else expect(linkOf(links, 'prev')).toBeUndefined();
      const next = linkOf(links, 'next', 'application/geo+json');
      if (next) {
        for (const type of ['application/flatgeobuf', 'text/html', 'text/csv']) expect(linkOf(links, 'next', type)).toBeDefined();
        expect(next.href).toContain('sortby=-regsokod');
        expect(next.href).toContain('properties=regsonamn');
        expect(next.href).toContain('f=json');
      }
      path = next ? pathOf(next.href) : undefined;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(['0114R004', '0114R003', '0114R002', '0114R001']);
  });

  it('clamps a limit above 10,000 and refuses one below 1 or not a number (limit=unlimited)', async () => {
    const res = await items('limit=20000&offset=1').expect(200);
    expect(res.body.numberReturned).toBe(3);
    expect(pathOf(linkOf(res.body.links, 'prev')!.href)).toContain('limit=10000');
    for (const bad of ['0', '-1', 'unlimited', '1.5', '']) {
      const r = await items({ limit: bad }).expect(400);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.body).toMatchObject({ status: 400, parameter: 'limit' });
    }
  });

  it('takes an offset, beyond the end too; refuses a negative one', async () => {
    expect(ids((await items('offset=3').expect(200)).body)).toEqual(['0114R004']);
    const beyond = await items('offset=10').expect(200);
    expect(beyond.body).toMatchObject({ numberMatched: 4, numberReturned: 0, features: [] });
    await items('offset=-1').expect(400);
    await items('offset=x').expect(400);
  });

  it('refuses unknown and repeated parameters', async () => {
    expect((await items('foo=1').expect(400)).body.parameter).toBe('foo');
    expect((await items('limit=1&limit=2').expect(400)).body.parameter).toBe('limit');
  });
});

describe('numberMatched under filters', () => {
  it('counts every match, not the page', async () => {
    const res = await items('filter=omradestyp > 1&limit=1').expect(200);
    expect(res.body).toMatchObject({ numberMatched: 3, numberReturned: 1 });
    expect(linkOf(res.body.links, 'next')).toBeDefined();
    expect((await items('omradestyp=5&limit=1').expect(200)).body.numberMatched).toBe(1);
  });
});

describe('bbox', () => {
  it('selects in CRS84 by exact intersection, edges included', async () => {
    const [lon, lat] = lonLat(660_500, 6_600_500);
    expect(ids((await items({ bbox: `${lon - 0.0005},${lat - 0.0005},${lon + 0.0005},${lat + 0.0005}` }).expect(200)).body)).toEqual(['0114R001']);
    // A box on the border of R001 and R002 touches both.
    const [bx, by] = lonLat(661_000, 6_600_500);
    expect(ids((await items({ bbox: `${bx - 0.0005},${by - 0.0005},${bx + 0.0005},${by + 0.0005}` }).expect(200)).body)).toEqual(['0114R001', '0114R002']);
    // 6 numbers: heights ignored.
    expect((await items({ bbox: `${lon - 0.0005},${lat - 0.0005},0,${lon + 0.0005},${lat + 0.0005},100` }).expect(200)).body.numberMatched).toBe(1);
    // Far away: nothing.
    expect((await items('bbox=11,55,11.1,55.1').expect(200)).body.numberMatched).toBe(0);
  });

  it('selects in EPSG:3006 with northing first, and refuses a box that looks written easting first', async () => {
    const res = await items({ bbox: '6601400,661400,6601600,661600', 'bbox-crs': EPSG3006 }).expect(200);
    expect(ids(res.body)).toEqual(['0114R004']);
    const swapped = await items({ bbox: '661400,6601400,661600,6601600', 'bbox-crs': EPSG3006 }).expect(400);
    expect(swapped.body.error).toMatch(/northing/);
  });

  it('selects in EPSG:3857', async () => {
    const [x, y] = toWebMercator(lonLat(661_500, 6_601_500));
    expect(ids((await items({ bbox: `${x - 50},${y - 50},${x + 50},${y + 50}`, 'bbox-crs': EPSG3857 }).expect(200)).body)).toEqual(['0114R004']);
  });

  it('refuses malformed boxes and unsupported CRSs', async () => {
    for (const bbox of ['1,2,3', '1,2,3,4,5', 'a,b,c,d', '17,60,18,59', '17,59,18,95', '1,,2,3']) {
      expect((await items({ bbox }).expect(400)).body.parameter, bbox).toBe('bbox');
    }
    expect((await items({ bbox: '6601600,661400,6601400,661600', 'bbox-crs': EPSG3006 }).expect(400)).body.parameter).toBe('bbox');
    expect((await items({ bbox: '17,59,18,60', 'bbox-crs': 'http://www.opengis.net/def/crs/EPSG/0/4326' }).expect(400)).body.parameter).toBe('bbox-crs');
  });
});

describe('crs', () => {
  it('writes EPSG:3006 from the stored SWEREF 99 TM coordinates exactly, northing first, with Content-Crs', async () => {
    const res = await items({ crs: EPSG3006 }).expect(200);
    expect(res.headers['content-crs']).toBe(`<${EPSG3006}>`);
    for (const f of res.body.features) {
      const stored = mini.dataset.areas.find((a) => a.regsokod === f.id)!.sweref99tm.coordinates;
      expect(f.geometry.coordinates).toEqual(stored.map((poly) => poly.map((ring) => ring.map(([x, y]) => [y, x]))));
    }
    expect(res.body.features[0].geometry.coordinates[0][0][0]).toEqual([6_600_000, 660_000]);
  });

  it('writes CRS84 from the stored WGS84 and EPSG:3857 projected from it', async () => {
    const wgs = (await items().expect(200)).body.features[0].geometry.coordinates;
    expect(wgs).toEqual(mini.dataset.areas[0].wgs84.coordinates);
    const res = await items({ crs: EPSG3857 }).expect(200);
    expect(res.headers['content-crs']).toBe(`<${EPSG3857}>`);
    const [x, y] = res.body.features[0].geometry.coordinates[0][0][0];
    const [ex, ey] = toWebMercator(mini.dataset.areas[0].wgs84.coordinates[0][0][0]);
    expect(x).toBeCloseTo(ex, 2);
    expect(y).toBeCloseTo(ey, 2);
  });

  it('accepts the CRS84 URI explicitly and refuses others', async () => {
    await items({ crs: CRS84 }).expect(200);
    expect((await items({ crs: 'EPSG:3006' }).expect(400)).body.parameter).toBe('crs');
  });
});

describe('datetime', () => {
  it('chooses the year: a year, a date, a date-time, intervals (the latest year touched)', async () => {
    const typeOfR001 = async (datetime: string) => {
      const res = await items({ datetime, regsokod: '0114R001' }).expect(200);
      return [res.body.features[0]?.properties.year, res.body.features[0]?.properties.omradestyp];
    };
    expect(await typeOfR001('2022')).toEqual([2022, 2]);
    expect(await typeOfR001('2023')).toEqual([2023, 1]);
    expect(await typeOfR001('2022-06-01')).toEqual([2022, 2]);
    expect(await typeOfR001('2022-06-01T12:00:00Z')).toEqual([2022, 2]);
    expect(await typeOfR001('2022-01-01T00:00:00Z/2023-01-01T00:00:00Z')).toEqual([2023, 1]);
    expect(await typeOfR001('../2022-12-31')).toEqual([2022, 2]);
    expect(await typeOfR001('2023-05-01/..')).toEqual([2023, 1]);
    expect(await typeOfR001('../..')).toEqual([2023, 1]);
  });

  it('matches nothing for a time without data, and refuses what is not a time', async () => {
    expect((await items('datetime=2019').expect(200)).body.numberMatched).toBe(0);
    for (const datetime of ['yesterday', '2023/2022', '2022-13', '2022-02-30', '..', '2022/2023/2024', '2022-06-01T25:00:00Z']) {
      expect((await items({ datetime }).expect(400)).body.parameter, datetime).toBe('datetime');
    }
  });

  it('is accepted and ignored by a collection without time', async () => {
    expect((await items('datetime=2019', 'kommuner').expect(200)).body.numberMatched).toBe(1);
  });
});

describe('property filters', () => {
  it('select by kommunkod, lanskod, omradestyp and the metric fields, in the year asked for', async () => {
    expect((await items('kommunkod=0114').expect(200)).body.numberMatched).toBe(4);
    expect((await items('lanskod=02').expect(200)).body.numberMatched).toBe(0);
    expect(ids((await items('omradestyp=1').expect(200)).body)).toEqual(['0114R001']);
    expect((await items('omradestyp=1&datetime=2022').expect(200)).body.numberMatched).toBe(0);
    expect(ids((await items('befolkning=2100').expect(200)).body)).toEqual(['0114R003']);
    expect(ids((await items('stold=0').expect(200)).body)).toEqual(['0114R002', '0114R003']);
    expect(ids((await items('namn=%C3%84ngsbacken', 'utsatta-omraden').expect(200)).body)).toEqual([12]);
  });

  it('refuse a value of the wrong type', async () => {
    expect((await items('omradestyp=fem').expect(400)).body.parameter).toBe('omradestyp');
  });
});

describe('filter (CQL2)', () => {
  const [lon4, lat4] = lonLat(661_500, 6_601_500);

  it('takes CQL2 text: comparisons, IN, LIKE, CASEI, ACCENTI and S_INTERSECTS', async () => {
    expect(ids((await items({ filter: 'omradestyp IN (3, 4)' }).expect(200)).body)).toEqual(['0114R002', '0114R003']);
    expect(ids((await items({ filter: "regsonamn LIKE '%4'" }).expect(200)).body)).toEqual(['0114R004']);
    expect((await items({ filter: "CASEI(kommunnamn) = CASEI('UPPLANDS VÄSBY')" }).expect(200)).body.numberMatched).toBe(4);
    expect(ids((await items({ filter: "ACCENTI(regsonamn) = ACCENTI('Testomrade 2')" }).expect(200)).body)).toEqual(['0114R002']);
    expect(ids((await items({ filter: `S_INTERSECTS(geometry, POINT(${lon4} ${lat4}))` }).expect(200)).body)).toEqual(['0114R004']);
    expect(ids((await items({ filter: `S_INTERSECTS(geometry, POINT(${lon4} ${lat4}))`, 'filter-lang': 'cql2-text' }).expect(200)).body)).toEqual(['0114R004']);
  });

  it('takes CQL2 JSON', async () => {
    const filter = JSON.stringify({ op: 's_intersects', args: [{ property: 'geometry' }, { type: 'Point', coordinates: [lon4, lat4] }] });
    expect(ids((await items({ filter, 'filter-lang': 'cql2-json' }).expect(200)).body)).toEqual(['0114R004']);
    const accenti = JSON.stringify({ op: '=', args: [{ op: 'accenti', args: [{ property: 'regsonamn' }] }, { op: 'accenti', args: ['Testomrade 3'] }] });
    expect(ids((await items({ filter: accenti, 'filter-lang': 'cql2-json' }).expect(200)).body)).toEqual(['0114R003']);
  });

  it('reads geometry literals in filter-crs: EPSG:3006 northing first', async () => {
    expect(ids((await items({ filter: 'S_INTERSECTS(geometry, POINT(6601500 661500))', 'filter-crs': EPSG3006 }).expect(200)).body)).toEqual(['0114R004']);
    expect(ids((await items({ filter: 'S_INTERSECTS(geometry, BBOX(6600400, 660400, 6600600, 660600))', 'filter-crs': EPSG3006 }).expect(200)).body)).toEqual(['0114R001']);
    const swapped = await items({ filter: 'S_INTERSECTS(geometry, POINT(661500 6601500))', 'filter-crs': EPSG3006 }).expect(400);
    expect(swapped.body.error).toMatch(/northing first/);
  });

  it('sees suppressed figures as NULL, never their values', async () => {
    // 0114R001 has 2 thefts, suppressed for the public: no filter can find it by the count.
    expect((await items({ filter: 'stold > 0' }).expect(200)).body.numberMatched).toBe(0);
    expect(ids((await items({ filter: 'stold IS NULL' }).expect(200)).body)).toEqual(['0114R001', '0114R004']);
  });

  it('refuses syntax errors, unknown queryables, type mismatches and unknown languages with a 400 naming filter', async () => {
    for (const filter of ['omradestyp >', 'nosuch = 1', "omradestyp = 'x'", 'S_INTERSECTS(geometry, POINT(200 100))']) {
      const res = await items({ filter }).expect(400);
      expect(res.body.parameter, filter).toBe('filter');
    }
    expect((await items({ filter: '{"op":"="', 'filter-lang': 'cql2-json' }).expect(400)).body.parameter).toBe('filter');
    expect((await items({ filter: 'TRUE', 'filter-lang': 'sql' }).expect(400)).body.parameter).toBe('filter-lang');
    expect((await items({ filter: 'TRUE', 'filter-crs': 'urn:x' }).expect(400)).body.parameter).toBe('filter-crs');
  });
});

describe('sortby and properties', () => {
  it('sorts by one or more keys, + and - (a + sent unencoded arrives as a space), NULL last', async () => {
    expect(ids((await items('sortby=-befolkning').expect(200)).body)).toEqual(['0114R003', '0114R001', '0114R002', '0114R004']);
    expect(ids((await items('sortby=%2Bbefolkning').expect(200)).body)).toEqual(['0114R004', '0114R002', '0114R001', '0114R003']);
    expect(ids((await items('sortby=+befolkning').expect(200)).body)).toEqual(['0114R004', '0114R002', '0114R001', '0114R003']);
    expect(ids((await items('sortby=omradestyp&datetime=2022').expect(200)).body)).toEqual(['0114R001', '0114R002', '0114R003', '0114R004']);
    expect(ids((await items('sortby=-stold,-regsokod').expect(200)).body)).toEqual(['0114R003', '0114R002', '0114R004', '0114R001']);
    expect(ids((await items('sortby=-id').expect(200)).body)).toEqual(['0114R004', '0114R003', '0114R002', '0114R001']);
    expect((await items('sortby=nosuch').expect(400)).body.parameter).toBe('sortby');
  });

  it('returns the properties asked for, in that order; none for an empty list; refuses unknown names', async () => {
    const res = await items('properties=omradestyp,regsonamn').expect(200);
    expect(Object.keys(res.body.features[0].properties)).toEqual(['omradestyp', 'regsonamn']);
    expect((await items('properties=').expect(200)).body.features[0].properties).toEqual({});
    expect((await items('properties=nosuch').expect(400)).body.parameter).toBe('properties');
  });
});

describe('one feature', () => {
  it('is a GeoJSON Feature with self, alternate and collection links', async () => {
    const res = await get('/collections/regso/items/0114R002').expect(200);
    expect(res.headers['content-type']).toBe('application/geo+json');
    expect(res.headers['content-crs']).toBe(`<${CRS84}>`);
    expect(res.body).toMatchObject({ type: 'Feature', id: '0114R002', properties: { omradestyp: 3, year: 2023 } });
    expect(linkOf(res.body.links, 'self', 'application/geo+json')).toBeDefined();
    expect(linkOf(res.body.links, 'alternate', 'text/html')).toBeDefined();
    expect(pathOf(linkOf(res.body.links, 'collection')!.href)).toBe('/collections/regso?f=json');
  });

  it('takes crs, datetime and properties', async () => {
    const res = await get(`/collections/regso/items/0114R001?crs=${encodeURIComponent(EPSG3006)}&datetime=2022&properties=omradestyp`).expect(200);
    expect(res.headers['content-crs']).toBe(`<${EPSG3006}>`);
    expect(res.body.properties).toEqual({ omradestyp: 2 });
    expect(res.body.geometry.coordinates[0][0][0]).toEqual([6_600_000, 660_000]);
  });

  it('finds extra-layer features by their id field, numeric ones too', async () => {
    expect((await get('/collections/utsatta-omraden/items/7').expect(200)).body).toMatchObject({ id: 7, properties: { namn: 'Östra Testby' } });
    expect((await get('/collections/kommuner/items/0114').expect(200)).body.id).toBe('0114');
  });

  it('answers 404 for an unknown feature or a year without data, 400 for a bad parameter', async () => {
    expect((await get('/collections/regso/items/0114R999').expect(404)).body.status).toBe(404);
    await get('/collections/regso/items/0114R001?datetime=2019').expect(404);
    expect((await get('/collections/regso/items/0114R001?limit=1').expect(400)).body.parameter).toBe('limit');
  });
});
