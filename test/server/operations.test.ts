/** The server's first endpoints over a build of the mini dataset (SYNTHETIC TEST FIXTURE). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndStore } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import { createApp } from '../../server/app.ts';
import { DatasetStore } from '../../server/dataset-store.ts';
import { writeMiniDataset } from '../helpers/mini-dataset.ts';

let server: ReturnType<ReturnType<typeof createApp>['callback']>;
let id: string;
const cleanup: string[] = [];

beforeAll(async () => {
  const mini = await writeMiniDataset();
  const root = await mkdtemp(path.join(tmpdir(), 'regso-server-'));
  cleanup.push(mini.dir, root);
  id = (await buildAndStore(mini.manifestFile, root)).id;
  server = createApp(new DatasetStore(await readBuild(root, id))).callback();
});

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('operations endpoints', () => {
  it('answers /health', async () => {
    const res = await request(server).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-data-version']).toBe(id);
  });

  it('describes the loaded dataset', async () => {
    const res = await request(server).get('/dataset').expect(200);
    expect(res.body).toMatchObject({ id, name: 'mini', years: [2022, 2023], areas: { total: 4, byGeomSource: { scb: 4 } } });
    expect(res.body.omradestyp['2023']).toEqual({ '1': 1, '3': 1, '4': 1, '5': 1 });
    expect(res.body.layers).toEqual([{ id: 'kommuner', title: { sv: 'Kommuner', en: 'Municipalities' }, features: 1 }]);
  });

  it('answers an unknown path with a JSON 404', async () => {
    const res = await request(server).get('/nothing/here').expect(404);
    expect(res.body).toMatchObject({ status: 404, error: 'no resource at /nothing/here' });
  });
});
