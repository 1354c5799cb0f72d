/**
 * Disclosure control in OGC API – Features (mini dataset, SYNTHETIC TEST FIXTURE): the features carry exactly the
 * vector tiles' values for the same year, with null where the tiles leave a suppressed figure out; restricted
 * metrics appear nowhere — not in features, queryables, the API, filters or sort keys.
 */
import { pointToTile } from '@mapbox/tilebelt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '../../data/crs.ts';
import type { Dataset } from '../../data/dataset.ts';
import { collectionsOf } from '../../data/features/collections.ts';
import { yearAttributes } from '../../tiles/attributes.ts';
import { manifest } from '../helpers/mini-dataset.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { decodeTile, layerFeatures } from '../helpers/mvt.ts';
import { binary } from './helpers.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startMiniServer();
});
afterAll(() => mini.close());

async function tileAreas(year: number) {
  const [lon, lat] = toWgs84([661_000, 6_601_000]);
  const [x, y] = pointToTile(lon, lat, 12);
  const res = await request(mini.handler).get(`/tiles/omradestyper-${year}/12/${x}/${y}.mvt`).set('Accept-Encoding', 'identity').buffer(true).parse(binary).expect(200);
  return layerFeatures(decodeTile(res.body), 'regso');
}

describe('features and tiles', () => {
  it.each([2022, 2023])('show the same values for %i: null in GeoJSON exactly where the tile leaves a figure out', async (year) => {
    const tile = await tileAreas(year);
    expect(tile).toHaveLength(4);
    const res = await request(mini.handler).get(`/collections/regso/items?datetime=${year}`).expect(200);
    let nulls = 0;
    for (const f of res.body.features) {
      const tags = tile.find((t) => t.properties.regsokod === f.id)!.properties;
      for (const [name, value] of Object.entries<any>(f.properties)) {
        if (value === null) {
          nulls++;
          expect(tags[name], `${f.id} ${name}`).toBeUndefined();
        } else expect(tags[name], `${f.id} ${name}`).toBe(value);
      }
      for (const [name, value] of Object.entries(tags)) expect(f.properties[name], `${f.id} ${name}`).toBe(value);
    }
    if (year === 2023) expect(nulls).toBeGreaterThan(0);
  });

  it('suppress the small counts of 2023: 2 thefts in 0114R001 and 1 in 0114R004 are null, with their rates; zero is shown', async () => {
    const res = await request(mini.handler).get('/collections/regso/items?datetime=2023&properties=stold,stold_per_1000,befolkning').expect(200);
    const byId = Object.fromEntries(res.body.features.map((f: any) => [f.id, f.properties]));
    expect(byId['0114R001']).toEqual({ stold: null, stold_per_1000: null, befolkning: 1900 });
    expect(byId['0114R004']).toEqual({ stold: null, stold_per_1000: null, befolkning: 1500 });
    expect(byId['0114R002']).toEqual({ stold: 0, stold_per_1000: 0, befolkning: 1700 });
  });

  it('give kommun-level figures as the kommun tile layer does, suppressed ones null', () => {
    // A kommun-level metric on the kommun layer (SYNTHETIC TEST FIXTURE): 3 events in 0114 is below the threshold.
    const d = mini.dataset;
    const withKommun: Dataset = {
      ...d,
      kommunLayer: { layer: 'kommuner', codeField: 'kod', nameField: 'namn' },
      kommunMetrics: new Map([
        ['handelser', new Map([[2024, new Map([['0114', 3], ['0115', 40], ['0117', 12]])], [2023, new Map([['0114', 8], ['0115', 41], ['0117', 13]])]])],
      ]),
      catalog: [
        ...d.catalog,
        { ...d.catalog.find((m) => m.id === 'stold')!, id: 'handelser', level: 'kommun', years: [2023, 2024] },
      ],
    };
    const kommuner = collectionsOf(withKommun, 'public').find((c) => c.id === 'kommuner')!;
    const props = kommuner.features(null)[0].properties;
    expect(props).toMatchObject({ kod: '0114', handelser_2023: 8, handelser_2024: null });
    const tags = yearAttributes(withKommun, 2023, 'public').layers.get('kommuner')!;
    const tileTags = [...tags.values()][0];
    for (const [name, value] of Object.entries(props)) {
      if (value === null) expect(tileTags[name]).toBeUndefined();
      else expect(tileTags[name]).toBe(value);
    }
  });
});

describe('restricted metrics', () => {
  let restricted: MiniServer;
  beforeAll(async () => {
    const m = manifest();
    m.catalog.ovriga.access = 'restricted';
    restricted = await startMiniServer({ 'manifest.json': m });
  });
  afterAll(() => restricted.close());
  const get = (path: string) => request(restricted.handler).get(path);

  it('appear in no feature, no queryable and no API parameter', async () => {
    const items = await get('/collections/regso/items').expect(200);
    for (const f of items.body.features) {
      expect(Object.keys(f.properties)).not.toContain('ovriga');
      expect(Object.keys(f.properties)).not.toContain('ovriga_per_1000');
      expect(f.properties).toHaveProperty('stold');
    }
    const queryables = await get('/collections/regso/queryables').expect(200);
    expect(Object.keys(queryables.body.properties)).not.toContain('ovriga');
    const api = await get('/api').expect(200);
    expect(JSON.stringify(api.body.paths['/collections/regso/items'])).not.toContain('ovriga');
    const csv = await get('/collections/regso/items?f=csv').buffer(true).parse(binary).expect(200);
    expect(csv.body.toString('utf8')).not.toContain('ovriga');
  });

  it('cannot be filtered, sorted or chosen by', async () => {
    for (const q of ['filter=ovriga > 0', 'ovriga=1', 'sortby=ovriga', 'properties=ovriga']) {
      expect((await get(`/collections/regso/items?${q}`).expect(400)).body.status, q).toBe(400);
    }
  });
});
