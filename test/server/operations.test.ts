/** The server's operational endpoints over the mini dataset (SYNTHETIC TEST FIXTURE). */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

let mini: MiniServer;
beforeAll(async () => {
  mini = await startMiniServer();
});
afterAll(() => mini.close());

describe('operations endpoints', () => {
  it('answers /health', async () => {
    const res = await request(mini.handler).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-data-version']).toBe(mini.dataset.id);
  });

  it('describes the loaded dataset', async () => {
    const res = await request(mini.handler).get('/dataset').expect(200);
    expect(res.body).toMatchObject({ id: mini.dataset.id, name: 'mini', years: [2022, 2023], areas: { total: 4, byGeomSource: { scb: 4 } } });
    expect(res.body.omradestyp['2023']).toEqual({ '1': 1, '3': 1, '4': 1, '5': 1 });
    expect(res.body.layers).toEqual([{ id: 'kommuner', title: { sv: 'Kommuner', en: 'Municipalities' }, features: 1 }]);
    expect(res.body.disclosure.en).toMatch(/Complementary suppression/);
  });

  it('reports readiness with precompute progress and cache figures', async () => {
    const res = await request(mini.handler).get('/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', version: mini.dataset.id, precompute: { state: 'idle' }, cache: { entries: 0 } });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await request(mini.handler).get('/nothing/here').expect(404);
    expect(res.body).toMatchObject({ status: 404, error: 'no resource at /nothing/here' });
  });
});
