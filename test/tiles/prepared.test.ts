/**
 * Tile geometry prepared in a worker thread (tiles/prepared.ts): the packing keeps every coordinate bit for bit, and
 * tiles made from the worker's bands are byte for byte those made with the geometry generalised in-thread, without
 * the serving thread touching a topology.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readTileList } from '../../bench/cli.ts';
import { PartitionTopology } from '../../tiles/generalise.ts';
import { SWEREF99_TM, WEB_MERCATOR_QUAD, type TileAddress } from '../../tiles/grid.ts';
import { pack, prepareBandsInWorker, unpack, type BandFeature } from '../../tiles/prepared.ts';
import { TileMaker, tilesetsOf } from '../../tiles/tilesets.ts';
import { nationalBuild, nationalDataset } from '../helpers/national.ts';

afterEach(() => vi.restoreAllMocks());

describe('pack and unpack', () => {
  it('give back the same features: ids, Polygon or MultiPolygon, holes, every coordinate bit for bit (SYNTHETIC shapes)', () => {
    const features: BandFeature[] = [
      { id: 7, geometry: { type: 'Polygon', coordinates: [[[0.1, 0.2], [1 / 3, 0], [1, 1], [0.1, 0.2]]] } },
      {
        id: 2 ** 40 + 5,
        geometry: {
          type: 'MultiPolygon',
          coordinates: [
            [[[0, 0], [10, 0], [10, 10], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]],
            [[[20, 20], [Math.PI, Math.E], [21, 22], [20, 20]]],
          ],
        },
      },
      { id: 9, geometry: { type: 'MultiPolygon', coordinates: [[[[5, 5], [6, 5], [6, 6], [5, 5]]]] } },
    ];
    expect(unpack(pack(features))).toEqual(features);
    expect(unpack(pack([]))).toEqual([]);
  });
});

describe('bands prepared in a worker, national dataset', () => {
  it('make the same tiles as in-thread generalisation, and the serving thread builds no topology', async () => {
    const [{ root, id }, dataset] = await Promise.all([nationalBuild(), nationalDataset()]);
    const bands = await prepareBandsInWorker(root, id);
    // Every layer of every band: the areas per band (dissolved ones per year), kommuner and utsatta områden.
    expect(bands.size).toBeGreaterThanOrEqual(6 + dataset.years.length * 3);

    const sample: TileAddress[] = readTileList(fileURLToPath(new URL('../../bench/tiles-gr-sthlm.txt', import.meta.url))).filter((_, i) => i % 8 === 0);
    // Low zooms over Sweden: the dissolved bands.
    for (let z = 0; z <= 6; z++) for (let x = Math.floor(2 ** z * 0.52); x <= 2 ** z * 0.58; x++) for (let y = Math.floor(2 ** z * 0.25); y <= 2 ** z * 0.33; y++) sample.push({ z, x, y });

    const simplified = vi.spyOn(PartitionTopology.prototype, 'simplified');
    const dissolved = vi.spyOn(PartitionTopology.prototype, 'dissolved');
    const fromWorker = new TileMaker(dataset, bands);
    const madeFromWorker = tilesOf(fromWorker, sample);
    expect(simplified).not.toHaveBeenCalled();
    expect(dissolved).not.toHaveBeenCalled();

    const inThread = tilesOf(new TileMaker(dataset), sample);
    expect(simplified).toHaveBeenCalled();
    expect(madeFromWorker.size).toBe(inThread.size);
    expect(madeFromWorker.size).toBeGreaterThan(1000);
    const differing = [...inThread].filter(([key, bytes]) => Buffer.compare(bytes, madeFromWorker.get(key)!) !== 0).map(([key]) => key);
    expect(differing).toEqual([]);
    expect([...inThread.values()].filter((b) => b.length > 0).length).toBeGreaterThan(500);
  }, 180_000);
});

/** Every tile of the sample, both grids (3006 at the same levels), every tileset, public and analyst. */
function tilesOf(maker: TileMaker, sample: TileAddress[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const tileset of tilesetsOf(maker.dataset)) {
    for (const role of ['public', 'analyst'] as const) {
      for (const grid of [WEB_MERCATOR_QUAD, SWEREF99_TM]) {
        for (const a of sample) {
          const made = maker.tile(tileset, a, role, grid);
          if (made.status === 'ok') out.set(`${tileset.id}/${role}/${grid.id}/${a.z}/${a.x}/${a.y}`, Buffer.from(made.bytes));
        }
      }
    }
  }
  return out;
}
