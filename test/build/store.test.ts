/** The build on disk: round trip, content-addressed ids, and a failed build leaving the last good one current. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAndStore } from '../../data/build/build.ts';
import { currentBuildId, readBuild } from '../../data/build/store.ts';
import { DataError } from '../../data/report.ts';
import { manifest, writeMiniDataset } from '../helpers/mini-dataset.ts';

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('build store', () => {
  it('round-trips a build and keeps the last good build when a build fails', async () => {
    const mini = await writeMiniDataset();
    const root = await mkdtemp(path.join(tmpdir(), 'regso-builds-'));
    cleanup.push(mini.dir, root);

    const first = await buildAndStore(mini.manifestFile, root);
    expect(await currentBuildId(root)).toBe(first.id);
    const loaded = await readBuild(root, first.id);
    expect(loaded.id).toBe(first.id);
    expect(loaded.areas.map((a) => [a.regsokod, a.id, a.geomSource])).toEqual([
      ['0114R001', 114001, 'scb'],
      ['0114R002', 114002, 'scb'],
      ['0114R003', 114003, 'scb'],
      ['0114R004', 114004, 'scb'],
    ]);
    expect(loaded.areas[3].sweref99tm.coordinates[0][0][0]).toEqual([661000, 6601000]);
    expect(loaded.areaTypes.get(2023)!.get('0114R004')).toBe(5);
    expect(loaded.metrics.get('befolkning')!.get(2023)!.get('0114R001')).toBe(1900);
    expect(loaded.layers[0].features[0].id).toBe('0114');

    // The same sources give the same id: nothing is rewritten.
    expect((await buildAndStore(mini.manifestFile, root)).id).toBe(first.id);

    // A broken source fails the build, and the previous build stays current and complete.
    await writeFile(path.join(mini.dir, 'types.csv'), 'regsokod,typ_2022\n0114R001,7\n');
    await expect(buildAndStore(mini.manifestFile, root)).rejects.toBeInstanceOf(DataError);
    expect(await currentBuildId(root)).toBe(first.id);
    expect((await readdir(root)).filter((n) => n.startsWith('.tmp'))).toEqual([]);

    // A changed source gives a new build and a new id.
    await writeFile(path.join(mini.dir, 'types.csv'), 'regsokod,typ_2022\n0114R001,1\n0114R002,3\n0114R003,4\n0114R004,5\n');
    const second = await buildAndStore(mini.manifestFile, root);
    expect(second.id).not.toBe(first.id);
    expect(await currentBuildId(root)).toBe(second.id);

    // Served metadata counts too: a new title is a new version (TileJSON and the landing page show it).
    const retitled = manifest();
    retitled.title.en = 'Test data (synthetic), retitled';
    await writeFile(mini.manifestFile, JSON.stringify(retitled));
    const third = await buildAndStore(mini.manifestFile, root);
    expect(third.id).not.toBe(second.id);
    expect((await readBuild(root, third.id)).title.en).toBe('Test data (synthetic), retitled');
  });
});
