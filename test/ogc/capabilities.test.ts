/**
 * OGC API – Features over the mini dataset (SYNTHETIC TEST FIXTURE): landing page, conformance, the OpenAPI
 * definition, collections, one collection and its queryables — shapes, content types and negotiation, and the 400s
 * and 404s the OGC test suite asks for.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CQL2_CONFORMANCE_CLASSES } from '../../data/query/cql2-ast.ts';
import { ITEMS_PARAMETERS, FEATURE_PARAMETERS } from '../../data/features/query.ts';
import type { MiniServer } from '../helpers/mini-server.ts';
import { CRS84, EPSG3006, EPSG3857, linkOf, ogcManifest, pathOf, startOgcMini, type LinkObject } from './helpers.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startOgcMini();
});
afterAll(() => mini.close());

const get = (path: string) => request(mini.handler).get(path);

describe('landing page', () => {
  it('answers JSON for Accept: application/json with the links QGIS and GDAL need', async () => {
    const res = await get('/').set('Accept', 'application/json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const links: LinkObject[] = res.body.links;
    expect(res.body.title).toBe('Testdata (syntetiska)');
    expect(linkOf(links, 'service-desc')).toMatchObject({ type: 'application/vnd.oai.openapi+json;version=3.0' });
    expect(pathOf(linkOf(links, 'service-desc')!.href)).toBe('/api');
    expect(linkOf(links, 'service-doc')).toMatchObject({ type: 'text/html' });
    expect(linkOf(links, 'conformance')).toMatchObject({ type: 'application/json' });
    expect(linkOf(links, 'data')).toMatchObject({ type: 'application/json' });
    expect(pathOf(linkOf(links, 'data')!.href)).toBe('/collections');
    expect(linkOf(links, 'self')).toMatchObject({ type: 'application/json' });
    expect(linkOf(links, 'alternate', 'text/html')).toBeDefined();
  });

  it('answers HTML to browsers and to f=html, JSON to f=json whatever the Accept header', async () => {
    const browser = await get('/').set('Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8').expect(200);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.text).toContain('<a href="/collections/regso?f=html">');
    const json = await get('/?f=json').set('Accept', 'text/html').expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect((await get('/?f=html').expect(200)).headers['content-type']).toMatch(/^text\/html/);
    // No Accept at all: JSON.
    expect((await get('/').expect(200)).headers['content-type']).toMatch(/^application\/json/);
  });

  it('makes links absolute from the request (proxy headers honoured)', async () => {
    const res = await get('/?f=json').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'maps.example.se').expect(200);
    expect(linkOf(res.body.links, 'data')!.href).toBe('https://maps.example.se/collections');
  });

  it('refuses an unknown parameter and an unknown f with a JSON 400', async () => {
    const unknown = await get('/?foo=bar').expect(400);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
    expect(unknown.body).toMatchObject({ status: 400, parameter: 'foo' });
    const f = await get('/?f=xml').expect(400);
    expect(f.body).toMatchObject({ status: 400, parameter: 'f' });
  });

  it('lets browser apps read it (CORS)', async () => {
    const res = await get('/').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-expose-headers']).toContain('OGC-NumberMatched');
  });
});

describe('conformance', () => {
  it('declares Parts 1, 2 and 3, the CQL2 classes and the draft alias QGIS looks for', async () => {
    const res = await get('/conformance').expect(200);
    const classes: string[] = res.body.conformsTo;
    for (const c of [
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
      'http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
      'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
      'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators',
      ...CQL2_CONFORMANCE_CLASSES,
    ]) {
      expect(classes).toContain(c);
    }
    expect(new Set(classes).size).toBe(classes.length);
  });

  it('has an HTML page', async () => {
    const res = await get('/conformance?f=html').expect(200);
    expect(res.text).toContain('ogcapi-features-2/1.0/conf/crs');
  });
});

describe('the OpenAPI definition', () => {
  let api: any;
  beforeAll(async () => {
    const res = await get('/api').set('Accept', 'application/vnd.oai.openapi+json;version=3.0, application/json').expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.oai.openapi+json;version=3.0');
    api = res.body;
  });

  /** Resolves a local $ref. */
  const resolve = (obj: any): any => {
    if (!obj?.$ref) return obj;
    expect(obj.$ref).toMatch(/^#\//);
    const target = obj.$ref
      .slice(2)
      .split('/')
      .reduce((o: any, k: string) => o?.[k], api);
    expect(target, `unresolved ${obj.$ref}`).toBeDefined();
    return target;
  };

  it('is OpenAPI 3.0 in structure: info, servers, paths with operations, responses and well-formed parameters', () => {
    expect(api.openapi).toMatch(/^3\.0\.\d+$/);
    expect(typeof api.info.title).toBe('string');
    expect(typeof api.info.version).toBe('string');
    expect(api.servers[0].url).toMatch(/^http:\/\//);
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries<any>(api.paths)) {
      expect(path.startsWith('/')).toBe(true);
      expect(Object.keys(item)).toEqual(['get']);
      const op = item.get;
      expect(operationIds.has(op.operationId)).toBe(false);
      operationIds.add(op.operationId);
      expect(op.responses['200']).toBeDefined();
      for (const response of Object.values<any>(op.responses)) {
        expect(typeof response.description).toBe('string');
        for (const media of Object.values<any>(response.content ?? {})) resolve(media.schema);
      }
      const params = (op.parameters ?? []).map(resolve);
      const keys = params.map((p: any) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, `duplicate parameters in ${path}`).toBe(keys.length);
      for (const p of params) {
        expect(['query', 'path', 'header']).toContain(p.in);
        expect(typeof p.name).toBe('string');
        expect(p.schema?.type).toBeDefined();
        if (p.in === 'path') {
          expect(p.required).toBe(true);
          expect(path).toContain(`{${p.name}}`);
        }
        if (p.style !== undefined) expect(p.style).toBe('form');
      }
      for (const template of path.match(/\{[^}]+\}/g) ?? []) expect(params.some((p: any) => p.in === 'path' && `{${p.name}}` === template)).toBe(true);
      // f is declared on every operation.
      expect(params.some((p: any) => p.name === 'f' && p.in === 'query')).toBe(true);
    }
    // Every schema reference anywhere resolves.
    const walk = (o: any): void => {
      if (Array.isArray(o)) o.forEach(walk);
      else if (o && typeof o === 'object') {
        if (typeof o.$ref === 'string') resolve(o);
        Object.values(o).forEach(walk);
      }
    };
    walk(api);
  });

  it('declares limit as QGIS and GDAL read it: default 1000, maximum 10000', () => {
    expect(api.components.parameters.limit).toMatchObject({ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, default: 1000, maximum: 10000 } });
    const items = api.paths['/collections/regso/items'].get.parameters;
    expect(items).toContainEqual({ $ref: '#/components/parameters/limit' });
  });

  it('has literal paths for every collection, with every parameter the server accepts', () => {
    for (const id of ['regso', 'kommuner', 'utsatta-omraden']) {
      for (const suffix of ['', '/items', '/items/{featureId}', '/queryables']) expect(api.paths[`/collections/${id}${suffix}`], `${id}${suffix}`).toBeDefined();
    }
    const names = (path: string) => api.paths[path].get.parameters.map((p: any) => resolve(p).name);
    const regsoItems = names('/collections/regso/items');
    for (const p of ITEMS_PARAMETERS) expect(regsoItems).toContain(p);
    for (const p of ['kommunkod', 'lanskod', 'omradestyp', 'befolkning', 'stold', 'stold_per_1000']) expect(regsoItems).toContain(p);
    expect(names('/collections/utsatta-omraden/items')).toEqual(expect.arrayContaining(['namn', 'kategori']));
    expect(names('/collections/regso/items/{featureId}')).toEqual(['featureId', ...FEATURE_PARAMETERS]);
    const crs = resolve(api.paths['/collections/regso/items'].get.parameters.find((p: any) => resolve(p).name === 'crs'));
    expect(crs.schema.enum).toEqual([CRS84, EPSG3006, EPSG3857]);
  });

  it('declares exactly what the server accepts: each declared items parameter passes, an undeclared one is refused', async () => {
    const samples: Record<string, string> = {
      f: 'json',
      limit: '2',
      offset: '1',
      bbox: '17,59,18,60',
      'bbox-crs': CRS84,
      datetime: '2023',
      crs: EPSG3006,
      properties: 'regsonamn',
      sortby: '-regsokod',
      filter: 'omradestyp > 1',
      'filter-lang': 'cql2-text',
      'filter-crs': CRS84,
    };
    for (const p of api.paths['/collections/regso/items'].get.parameters.map(resolve)) {
      const value = samples[p.name] ?? (p.schema.type === 'string' ? 'x' : '1');
      const res = await get(`/collections/regso/items?${new URLSearchParams({ [p.name]: value })}`);
      expect(res.status, `${p.name}=${value}: ${res.text.slice(0, 200)}`).toBe(200);
    }
    await get('/collections/regso/items?startindex=10').expect(400);
  });

  it('has an HTML rendering for people', async () => {
    const res = await get('/api?f=html').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('/collections/regso/items');
    expect(res.text).toContain('default 1000');
  });
});

describe('collections', () => {
  it('lists regso and every extra layer of the manifest, by its id', async () => {
    const res = await get('/collections').expect(200);
    expect(res.body.collections.map((c: any) => c.id)).toEqual(['regso', 'kommuner', 'utsatta-omraden']);
    expect(linkOf(res.body.links, 'self')).toBeDefined();
  });

  it('describes regso: extents in CRS84, the years, counts, CRSs, storage CRS, item links per format', async () => {
    const res = await get('/collections/regso').expect(200);
    const c = res.body;
    expect(c).toMatchObject({ id: 'regso', itemType: 'feature', itemCount: 4, storageCrs: EPSG3006, crs: [CRS84, EPSG3006, EPSG3857] });
    expect(c.extent.spatial.crs).toBe(CRS84);
    const [[w, s, e, n]] = c.extent.spatial.bbox;
    // The 2 × 2 km block near Upplands Väsby.
    expect(w).toBeGreaterThan(17.8);
    expect(e).toBeLessThan(18.0);
    expect(s).toBeGreaterThan(59.4);
    expect(n).toBeLessThan(59.6);
    expect(e - w).toBeGreaterThan(0.03);
    expect(c.extent.temporal.interval).toEqual([['2022-01-01T00:00:00Z', '2023-12-31T23:59:59Z']]);
    for (const type of ['application/geo+json', 'application/flatgeobuf', 'text/html', 'text/csv']) expect(linkOf(c.links, 'items', type), type).toBeDefined();
    expect(c.attribution).toBe('SYNTHETIC TEST FIXTURE');
    expect(linkOf(c.links, 'http://www.opengis.net/def/rel/ogc/1.0/queryables')).toMatchObject({ type: 'application/schema+json' });
  });

  it('answers with a trailing slash too (QGIS retries that way)', async () => {
    expect((await get('/collections/regso/').expect(200)).body.id).toBe('regso');
  });

  it('describes an extra layer without time', async () => {
    const res = await get('/collections/utsatta-omraden').expect(200);
    expect(res.body).toMatchObject({ id: 'utsatta-omraden', title: 'Utsatta områden (test)', itemCount: 2 });
    expect(res.body.extent.temporal).toBeUndefined();
  });

  it('links each collection to the licence its manifest entry names, and none where it names none', async () => {
    const layer = ogcManifest().layers.find((l: { id: string }) => l.id === 'utsatta-omraden');
    const uso = (await get('/collections/utsatta-omraden').expect(200)).body;
    expect(linkOf(uso.links, 'license')).toMatchObject({ href: layer.license.url, title: layer.license.name, type: 'text/html' });
    const regso = (await get('/collections/regso').expect(200)).body;
    expect(linkOf(regso.links, 'license')).toBeUndefined();
  });

  it('answers 404 with JSON for an unknown collection, the OGC suite’s dUmmYColLection included', async () => {
    for (const path of ['/collections/dUmmYColLection', '/collections/dUmmYColLection/items', '/collections/nope/items/1', '/collections/nope/queryables']) {
      const res = await get(path).expect(404);
      expect(res.body).toMatchObject({ status: 404 });
    }
  });

  it('has HTML pages listing the collections and their properties', async () => {
    const list = await get('/collections').set('Accept', 'text/html').expect(200);
    expect(list.text).toContain('utsatta-omraden');
    const one = await get('/collections/regso?f=html').expect(200);
    expect(one.text).toContain('omradestyp');
    expect(one.text).toContain('befolkning');
  });
});

describe('queryables', () => {
  it('is a JSON Schema of the properties and the geometry, as QGIS reads it', async () => {
    const res = await get('/collections/regso/queryables').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    const q = res.body;
    expect(q.type).toBe('object');
    expect(q.$schema).toMatch(/json-schema\.org/);
    expect(q.properties.geometry.$ref).toBe('https://geojson.org/schema/MultiPolygon.json');
    expect(q.properties.geometry.type).toBeUndefined();
    expect(q.properties.regsonamn).toMatchObject({ type: 'string' });
    expect(q.properties.omradestyp).toMatchObject({ type: 'integer' });
    expect(q.properties.stold_per_1000).toMatchObject({ type: 'number' });
  });

});
