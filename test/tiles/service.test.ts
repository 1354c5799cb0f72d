/**
 * TileService's precompute (tiles/service.ts) on the mini dataset (SYNTHETIC TEST FIXTURE): it makes every public
 * tile of every grid's levels for the zooms asked, for every year, and caches each as a tile made on request is
 * cached (the same bytes once decompressed, the same ETag).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressTile, TileCache } from '../../tiles/cache.ts';
import { TILE_MATRIX_SETS, tilesCovering } from '../../tiles/grid.ts';
import { gridPlane } from '../../tiles/plane.ts';
import { TileService } from '../../tiles/service.ts';
import { TileMaker } from '../../tiles/tilesets.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

const MAXZOOM = 6;

let mini: MiniServer;
beforeAll(async () => {
  mini = await startMiniServer();
}, 60_000);
afterAll(() => mini?.close());

/**
 * Every public tile a precompute of Web Mercator z0–maxzoom should make: each grid's levels of the same ground
 * resolution, each year.
 */
function expectedTiles(service: TileService, maxzoom: number) {
  const years = [...service.maker.tilesets.values()].filter((t) => !t.alias);
  return TILE_MATRIX_SETS.flatMap((grid) => {
    const levels = Array.from({ length: Math.max(0, maxzoom - gridPlane(grid).zoomOffset + 1) }, (_, z) => z);
    return levels.flatMap((z) => [...tilesCovering(service.bounds, z, grid)].flatMap((address) => years.map((tileset) => ({ grid, tileset, address }))));
  });
}

describe('TileService.precompute', () => {
  it('caches every tile of every grid and year, each as a tile made on request (bytes and ETag)', async () => {
    const cache = new TileCache(64 * 1024 * 1024);
    const made: number[] = [];
    const service = new TileService(mini.dataset, cache, ({ z }) => made.push(z));
    const progress = await service.precompute(0, MAXZOOM);

    const expected = expectedTiles(service, MAXZOOM);
    expect(new Set(expected.map((t) => t.grid.id)).size).toBe(TILE_MATRIX_SETS.length);
    expect(progress).toMatchObject({ state: 'done', done: expected.length, total: expected.length });
    expect(cache.stats().entries).toBe(expected.length);
    expect(made).toHaveLength(expected.length);

    const maker = new TileMaker(mini.dataset);
    for (const { grid, tileset, address } of expected) {
      const where = `${grid.id} ${tileset.id} ${address.z}/${address.x}/${address.y}`;
      const tile = service.cached(tileset, address, 'public', grid);
      const onRequest = maker.tile(tileset, address, 'public', grid);
      if (onRequest.status !== 'ok') throw new Error(`${where}: ${onRequest.reason}`);
      expect(tile?.etag, where).toBe(compressTile(onRequest.bytes).etag);
      expect(tile!.rawLength, where).toBe(onRequest.bytes.length);
      if (onRequest.bytes.length === 0) continue;
      expect(gunzipSync(tile!.gzip).equals(onRequest.bytes), where).toBe(true);
      expect(brotliDecompressSync(tile!.br).equals(onRequest.bytes), where).toBe(true);
    }
  });
});
