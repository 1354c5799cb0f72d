/**
 * The bundled national dataset, built from its committed sources: every one of the 3,363 RegSO has a polygon and
 * a type, the type counts are SCB's, synthetic parts are flagged, and the same seed gives a byte-identical build.
 */
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndStore, DEFAULT_MANIFEST } from '../data/build/build.ts';
import { readBuild } from '../data/build/store.ts';
import type { Dataset } from '../data/dataset.ts';
import { readCsvFile } from '../data/readers/csv.ts';

let roots: string[] = [];
let dataset: Dataset;
let firstDir: string;

beforeAll(async () => {
  roots = [await mkdtemp(path.join(tmpdir(), 'regso-golden-a-')), await mkdtemp(path.join(tmpdir(), 'regso-golden-b-'))];
  const built = await buildAndStore(DEFAULT_MANIFEST, roots[0]);
  firstDir = built.dir;
  dataset = await readBuild(roots[0], built.id);
});

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

function countTypes(year: number): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const typ of dataset.areaTypes.get(year)!.values()) counts[typ - 1]++;
  return counts;
}

describe('the bundled national build', () => {
  it('has every RegSO of SCB’s key, each with a polygon and a type for 2022 and 2023', async () => {
    const key = await readCsvFile(path.join(path.dirname(DEFAULT_MANIFEST), 'scb-deso-regso/koppling-deso2018-regso2020.csv'));
    const codes = new Set(key.rows.map((r) => r.values[4]));
    expect(codes.size).toBe(3363);
    expect(dataset.areas).toHaveLength(3363);
    expect(new Set(dataset.areas.map((a) => a.regsokod))).toEqual(codes);
    expect(new Set(dataset.areas.map((a) => a.id)).size).toBe(3363);
    for (const a of dataset.areas) {
      expect(a.sweref99tm.coordinates.length, a.regsokod).toBeGreaterThan(0);
      expect(a.wgs84.coordinates.length, a.regsokod).toBe(a.sweref99tm.coordinates.length);
      for (const year of [2022, 2023]) expect(dataset.areaTypes.get(year)!.get(a.regsokod), `${a.regsokod} ${year}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('reproduces SCB’s områdestyp counts', () => {
    expect(countTypes(2022)).toEqual([160, 289, 855, 1770, 289]);
    expect(countTypes(2023)).toEqual([162, 293, 835, 1781, 292]);
  });

  it('flags where each polygon comes from, and the synthetic metrics', () => {
    const bySource = (s: string) => dataset.areas.filter((a) => a.geomSource === s);
    expect(bySource('scb')).toHaveLength(300);
    expect(bySource('derived')).toHaveLength(524);
    expect(bySource('synthetic')).toHaveLength(3363 - 824);
    expect(new Set(bySource('scb').map((a) => a.vintage))).toEqual(new Set(['RegSO 2025']));
    const hjallbo = dataset.areas.find((a) => a.regsokod === '1480R050')!;
    expect(hjallbo).toMatchObject({ regsonamn: 'Hjällbo östra', kommunnamn: 'Göteborg', geomSource: 'scb', id: 1480050 });
    const catalog = new Map(dataset.catalog.map((m) => [m.id, m]));
    expect(catalog.get('befolkning')!.synthetic).toBe(true);
    expect(catalog.get('brott_totalt')!.synthetic).toBe(true);
    expect(catalog.get('handelser_totalt')!.synthetic).toBe(false);
    expect(catalog.get('brott_totalt')!.years).toEqual([2022, 2023]);
  });

  it('has modelled population and synthetic crime at the calibrated national level', () => {
    const population = [...dataset.metrics.get('befolkning')!.get(2022)!.values()];
    expect(population).toHaveLength(3363);
    expect(Math.min(...population)).toBeGreaterThanOrEqual(663);
    expect(Math.max(...population)).toBeLessThanOrEqual(22622);
    const people = population.reduce((a, b) => a + b, 0);
    const crimes = [...dataset.metrics.get('brott_totalt')!.get(2022)!.values()].reduce((a, b) => a + b, 0);
    expect((crimes / people) * 1000).toBeGreaterThan(130);
    expect((crimes / people) * 1000).toBeLessThan(146);
  });

  it('counts Polisen’s 2024 events per kommun, and reports those located by län only', () => {
    const perKommun = dataset.kommunMetrics.get('handelser_totalt')!.get(2024)!;
    expect(perKommun.size).toBe(290);
    const counted = [...perKommun.values()].reduce((a, b) => a + b, 0);
    const summary = dataset.provenance.incidents.find((s) => s.file.includes('polisen'))!;
    expect(counted + summary.lanOnly! + summary.outside).toBe(summary.total);
    expect(summary.total).toBe(24529);
  });

  it('is deterministic: the same seed gives byte-identical builds', async () => {
    const second = await buildAndStore(DEFAULT_MANIFEST, roots[1]);
    expect(second.dir).not.toBe(firstDir);
    expect(path.basename(second.dir)).toBe(path.basename(firstDir));
    const files = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => path.relative(dir, path.join(d.parentPath, d.name))).sort();
    const names = await files(firstDir);
    expect(await files(second.dir)).toEqual(names);
    for (const name of names) {
      const [a, b] = await Promise.all([readFile(path.join(firstDir, name)), readFile(path.join(second.dir, name))]);
      expect(a.equals(b), name).toBe(true);
    }
  });
});
