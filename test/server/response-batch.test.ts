/**
 * The fast path's answers are written in batches (server/response-batch.ts): nothing while the turn that read the
 * request runs, everything in order after it, and the waiting answers before any request goes to Koa. The front door
 * test serves the mini dataset (SYNTHETIC TEST FIXTURE).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../server/auth.ts';
import { CorsPolicy } from '../../server/cors.ts';
import { frontDoor } from '../../server/front.ts';
import { TrustedProxies } from '../../server/proxy.ts';
import { ResponseBatch } from '../../server/response-batch.ts';
import { MVT_CONTENT_TYPE } from '../../tiles/mvt.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { listen, rawGet } from '../helpers/raw-http.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResponseBatch', () => {
  it('writes nothing during the turn that adds, then every item in the order added', async () => {
    const written: number[] = [];
    const batch = new ResponseBatch<number>((n) => written.push(n));
    for (const n of [1, 2, 3]) batch.add(n);
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual([1, 2, 3]);
  });

  it('writes at once on flush, and what is added after it at the next turn, each item once', async () => {
    const written: number[] = [];
    const batch = new ResponseBatch<number>((n) => written.push(n));
    batch.add(1);
    batch.flush();
    expect(written).toEqual([1]);
    batch.add(2);
    expect(written).toEqual([1]);
    await nextTurn();
    await nextTurn();
    expect(written).toEqual([1, 2]);
    batch.add(3);
    await nextTurn();
    expect(written).toEqual([1, 2, 3]);
  });
});

describe('the front door with a batch', () => {
  let mini: MiniServer;
  beforeAll(async () => {
    mini = await startMiniServer();
  });
  afterAll(() => mini.close());

  it('answers a cached tile after the turn that read it, but before it hands the next request to Koa', async () => {
    const { tiles } = mini.store.current;
    expect(tiles.get(tiles.tileset('omradestyper')!, { z: 0, x: 0, y: 0 }, 'public').status).toBe('ok');
    const tilePath = '/tiles/omradestyper/0/0/0.mvt';
    const held: { req: http.IncomingMessage; res: http.ServerResponse }[] = [];
    const seen: { tileEndedInItsTurn?: boolean; tileEndedWhenKoaRan?: boolean } = {};
    const handler = frontDoor(
      mini.store,
      (_req, res) => {
        seen.tileEndedWhenKoaRan = held[0].res.writableEnded;
        res.end('from Koa');
      },
      { keys: new KeyRing([]), proxies: new TrustedProxies(['loopback']), cors: new CorsPolicy('*'), limiter: null, maxUrlLength: 2000 },
    );
    // Both requests handed to the front door in one go, as when one poll phase reads both: the tile first.
    const server = await listen((req, res) => {
      held.push({ req, res });
      if (held.length < 2) return;
      held.sort((a) => (a.req.url === tilePath ? -1 : 1));
      handler(held[0].req, held[0].res);
      seen.tileEndedInItsTurn = held[0].res.writableEnded;
      handler(held[1].req, held[1].res);
    });
    try {
      const [tile, other] = await Promise.all([rawGet(`${server.url}${tilePath}`), rawGet(`${server.url}/health`)]);
      expect(tile.status).toBe(200);
      expect(tile.headers['content-type']).toBe(MVT_CONTENT_TYPE);
      expect(other.body.toString()).toBe('from Koa');
      expect(seen).toEqual({ tileEndedInItsTurn: false, tileEndedWhenKoaRan: true });
    } finally {
      await server.close();
    }
  });
});
