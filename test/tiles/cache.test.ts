/**
 * The tile cache's compressed tiles (tiles/cache.ts): gzip made with the tile, brotli made on first use from the gzip
 * bytes and then kept, and the LRU's byte count keeping room for the brotli bytes from the start. The tile is a real
 * MVT of the mini dataset (SYNTHETIC TEST FIXTURE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { datasetBounds } from '../../data/dataset.ts';
import { compressTile, TileCache } from '../../tiles/cache.ts';
import { tilesCovering } from '../../tiles/grid.ts';
import { TileMaker } from '../../tiles/tilesets.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';

let mini: MiniServer;
let raw: Uint8Array;
beforeAll(async () => {
  mini = await startMiniServer();
  const maker = new TileMaker(mini.dataset);
  const [address] = tilesCovering(datasetBounds(mini.dataset), 12);
  const made = maker.tile(maker.tilesets.get('omradestyper')!, address, 'public');
  if (made.status !== 'ok') throw new Error(made.reason);
  raw = made.bytes;
}, 60_000);
afterAll(() => mini?.close());

describe('compressTile', () => {
  it('gives gzip bytes of the tile, and brotli bytes of it made once, on first use', () => {
    expect(raw.length).toBeGreaterThan(0);
    const tile = compressTile(raw);
    expect(tile.rawLength).toBe(raw.length);
    expect(gunzipSync(tile.gzip).equals(raw)).toBe(true);
    const br = tile.br;
    expect(brotliDecompressSync(br).equals(raw)).toBe(true);
    // Kept: the same bytes, not made again.
    expect(tile.br).toBe(br);
  });

  it('gives an empty tile empty bytes in both encodings, and the ETag of its bytes', () => {
    const empty = compressTile(new Uint8Array(0));
    expect([empty.rawLength, empty.gzip.length, empty.br.length]).toEqual([0, 0, 0]);
    expect(empty.etag).not.toBe(compressTile(raw).etag);
    expect(compressTile(Uint8Array.from(raw)).etag).toBe(compressTile(raw).etag);
  });
});

describe('TileCache', () => {
  it('counts room for the brotli bytes from the start, so making them later does not outgrow its bound', () => {
    const cache = new TileCache(1024 * 1024);
    const tile = compressTile(raw);
    cache.set('t', tile);
    const counted = cache.stats().bytes;
    expect(counted).toBeGreaterThanOrEqual(tile.gzip.length + tile.br.length);
    expect(cache.stats().bytes).toBe(counted);
  });
});
