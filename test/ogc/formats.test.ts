/**
 * The encodings of features over the mini dataset (SYNTHETIC TEST FIXTURE): FlatGeobuf (read back with the
 * flatgeobuf package, paged through Link headers as QGIS does), CSV (UTF-8 with BOM), HTML (the data, no outside
 * references), gzip on the wire, and format negotiation by f and by Accept.
 */
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { serveMini } from '../helpers/mini-server.ts';
import { rawGet } from '../helpers/raw-http.ts';
import { EPSG3006, binary, parseLinkHeader, pathOf, startOgcMini } from './helpers.ts';

const served = serveMini(startOgcMini);

const get = (path: string) => request(served.mini.handler).get(path).set('Accept-Encoding', 'identity');

async function readFgb(bytes: Buffer): Promise<{ header: HeaderMeta; features: any[] }> {
  let header: HeaderMeta | undefined;
  const features: any[] = [];
  for await (const f of deserialize(new Uint8Array(bytes), { headerMetaFn: (h: HeaderMeta) => (header = h) } as any)) features.push(f);
  return { header: header!, features };
}

describe('FlatGeobuf', () => {
  it('reads back with the flatgeobuf reader: the features, their ids and properties, nulls where suppressed', async () => {
    const res = await get('/collections/regso/items?f=fgb').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('application/flatgeobuf');
    const { header, features } = await readFgb(res.body);
    expect(header.featuresCount).toBe(4);
    expect(header.crs?.code).toBe(4326);
    expect(header.columns![0].name).toBe('id');
    expect(features).toHaveLength(4);
    expect(features.map((f) => f.properties.id)).toEqual(['0114R001', '0114R002', '0114R003', '0114R004']);
    const first = features[0];
    expect(first.geometry.type).toBe('MultiPolygon');
    expect(first.geometry.coordinates).toEqual(served.mini.dataset.areas[0].wgs84.coordinates);
    expect(first.properties).toMatchObject({ regsokod: '0114R001', regsonamn: 'Testområde 1', year: 2023, omradestyp: 1, befolkning: 1900 });
    // Suppressed (2 thefts): absent from the feature, which the reader gives as no value.
    expect(first.properties.stold ?? null).toBeNull();
    expect(features[1].properties.stold).toBe(0);
  });

  it('is chosen by Accept: application/flatgeobuf (as QGIS asks) and pages through Link headers with OGC-NumberMatched', async () => {
    let path: string | undefined = '/collections/regso/items?limit=3';
    const ids: string[] = [];
    let pages = 0;
    while (path) {
      const res = await request(served.mini.handler).get(path).set('Accept', 'application/flatgeobuf').set('Accept-Encoding', 'identity').buffer(true).parse(binary).expect(200);
      pages++;
      expect(res.headers['content-type']).toBe('application/flatgeobuf');
      expect(res.headers['ogc-numbermatched']).toBe('4');
      const { features } = await readFgb(res.body);
      expect(res.headers['ogc-numberreturned']).toBe(String(features.length));
      ids.push(...features.map((f) => f.properties.id));
      const links = parseLinkHeader(res.headers.link);
      expect(links.find((l) => l.rel === 'self')?.type).toBe('application/flatgeobuf');
      const next = links.find((l) => l.rel === 'next' && l.type === 'application/flatgeobuf');
      path = next ? pathOf(next.href) : undefined;
    }
    expect(pages).toBe(2);
    expect(ids).toEqual(['0114R001', '0114R002', '0114R003', '0114R004']);
  });

  it('writes EPSG:3006 in the same axis order as GeoJSON (northing first) with Content-Crs, and only the properties asked for', async () => {
    const res = await get(`/collections/regso/items?f=fgb&crs=${encodeURIComponent(EPSG3006)}&properties=omradestyp`).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-crs']).toBe(`<${EPSG3006}>`);
    const { header, features } = await readFgb(res.body);
    expect(header.crs?.code).toBe(3006);
    expect(header.columns!.map((c) => c.name)).toEqual(['id', 'omradestyp']);
    expect(features[0].geometry.coordinates[0][0][0]).toEqual([6_600_000, 660_000]);
  });

  it('encodes an extra layer and an empty page', async () => {
    const uso = await readFgb((await get('/collections/utsatta-omraden/items?f=fgb').buffer(true).parse(binary).expect(200)).body);
    expect(uso.features.map((f) => [f.properties.id, f.properties.namn])).toEqual([
      ['7', 'Östra Testby'],
      ['12', 'Ängsbacken'],
    ]);
    const empty = await readFgb((await get('/collections/regso/items?f=fgb&bbox=11,55,11.1,55.1').buffer(true).parse(binary).expect(200)).body);
    expect(empty.header.featuresCount).toBe(0);
    expect(empty.features).toEqual([]);
  });

  it('serves one feature', async () => {
    const one = await readFgb((await get('/collections/regso/items/0114R003?f=fgb').buffer(true).parse(binary).expect(200)).body);
    expect(one.features.map((f) => f.properties.id)).toEqual(['0114R003']);
  });
});

describe('CSV', () => {
  it('is the attribute table in UTF-8 with a BOM: id and the properties, no geometry, empty where null', async () => {
    const res = await get('/collections/regso/items?f=csv').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toContain('regso-2023.csv');
    const bytes: Buffer = res.body;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    const header = lines[0].split(',');
    expect(header.slice(0, 3)).toEqual(['id', 'regsokod', 'regsonamn']);
    expect(header).not.toContain('geometry');
    expect(lines).toHaveLength(6); // header, 4 rows, the empty string after the last CRLF
    const row = Object.fromEntries(lines[1].split(',').map((v, i) => [header[i], v]));
    expect(row).toMatchObject({ id: '0114R001', regsonamn: 'Testområde 1', omradestyp: '1', befolkning: '1900', stold: '', stold_per_1000: '' });
    expect(res.headers['ogc-numbermatched']).toBe('4');
  });

  it('quotes fields that need it, keeps the chosen properties and pages with Link headers', async () => {
    const res = await get('/collections/utsatta-omraden/items?f=csv&limit=1&properties=namn').buffer(true).parse(binary).expect(200);
    expect(res.body.toString('utf8')).toBe('\uFEFFid,namn\r\n7,Östra Testby\r\n');
    const next = parseLinkHeader(res.headers.link).find((l) => l.rel === 'next');
    expect(next?.type).toBe('text/csv');
    expect(next?.href).toContain('offset=1');
  });
});

describe('HTML', () => {
  /** Every reference a browser would follow or load: href, src, action, url(…), and scripts. */
  function externalReferences(html: string): string[] {
    const refs = [...html.matchAll(/\b(?:href|src|action|xlink:href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]);
    refs.push(...[...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]));
    const external = refs.filter((r) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(r));
    if (/<script\b|<link\b|<img\b|<iframe\b/i.test(html)) external.push('(script, link, img or iframe element)');
    return external;
  }

  it('shows a page of features with their data, paging, other formats, and nothing from outside', async () => {
    const res = await get('/collections/regso/items?f=html&limit=3').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.text;
    for (const text of ['0114R001', 'Testområde 2', '1900', '4 matching features', 'Next page']) expect(html).toContain(text);
    expect(html).toContain('<svg');
    expect(html).toContain('href="/collections/regso/items?f=html&amp;limit=3&amp;offset=3"');
    expect(externalReferences(html)).toEqual([]);
  });

  it('has pages for the landing page, collections, a collection, queryables, the API, conformance and a feature, none with outside references', async () => {
    const pages = ['/?f=html', '/collections?f=html', '/collections/regso?f=html', '/collections/regso/queryables?f=html', '/api?f=html', '/conformance?f=html', '/collections/regso/items/0114R002?f=html', '/collections/utsatta-omraden/items?f=html'];
    for (const path of pages) {
      const res = await get(path).expect(200);
      expect(res.headers['content-type'], path).toMatch(/^text\/html/);
      expect(externalReferences(res.text), path).toEqual([]);
    }
    const feature = await get('/collections/regso/items/0114R002?f=html').expect(200);
    for (const text of ['Testområde 2', '1700', 'omradestyp']) expect(feature.text).toContain(text);
    expect((await get('/collections/utsatta-omraden/items?f=html').expect(200)).text).toContain('Ängsbacken');
  });

  it('escapes data', async () => {
    const res = await get('/collections/regso/items?f=html&filter=regsonamn%3D%27%3Cscript%3E%27').expect(200);
    expect(res.text).not.toContain('<script>');
  });
});

describe('negotiation and compression', () => {
  it('chooses by f (json, geojson, fgb, flatgeobuf, html, csv) and refuses other values', async () => {
    const types: Record<string, string> = { json: 'application/geo+json', geojson: 'application/geo+json', fgb: 'application/flatgeobuf', flatgeobuf: 'application/flatgeobuf', html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8; header=present' };
    for (const [f, type] of Object.entries(types)) expect((await get(`/collections/regso/items?f=${f}`).buffer(true).parse(binary).expect(200)).headers['content-type'], f).toBe(type);
    expect((await get('/collections/regso/items?f=shp').expect(400)).body.parameter).toBe('f');
  });

  it('chooses by Accept: GeoJSON for JSON types and */*, HTML for browsers, CSV for text/csv', async () => {
    const typeFor = async (accept: string) => (await request(served.mini.handler).get('/collections/regso/items').set('Accept', accept).buffer(true).parse(binary).expect(200)).headers['content-type'];
    expect(await typeFor('application/geo+json, application/json')).toBe('application/geo+json');
    expect(await typeFor('application/json')).toBe('application/geo+json');
    expect(await typeFor('*/*')).toBe('application/geo+json');
    expect(await typeFor('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toMatch(/^text\/html/);
    expect(await typeFor('text/csv')).toMatch(/^text\/csv/);
    expect(await typeFor('application/json;q=0.5, application/flatgeobuf')).toBe('application/flatgeobuf');
  });

  it('gzips bodies for clients that accept it, and only then', async () => {
    const gz = await rawGet(`${served.base}/collections/regso/items`, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.body).toString('utf8')).numberMatched).toBe(4);
    const plain = await rawGet(`${served.base}/collections/regso/items`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8')).numberMatched).toBe(4);
    // FlatGeobuf is sent as it is: its binary coordinates compress poorly for the CPU it would cost.
    const fgb = await rawGet(`${served.base}/collections/regso/items?f=fgb`, { 'Accept-Encoding': 'gzip' });
    expect(fgb.headers['content-encoding']).toBeUndefined();
    expect((await readFgb(fgb.body)).features).toHaveLength(4);
  });
});
