/**
 * Request hygiene over the mini dataset (SYNTHETIC TEST FIXTURE): rate limit, security headers, CORS from the
 * configuration, URL and header size limits, request ids, trusted proxies, request logs without keys.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../server/app.ts';
import { sha256Hex } from '../../server/auth.ts';
import { configSchema } from '../../server/config.ts';
import { createServer, listen as listenServer } from '../../server/lifecycle.ts';
import { TrustedProxies } from '../../server/proxy.ts';
import { RateLimiter } from '../../server/rate-limit.ts';
import { startMiniServer, type MiniServer } from '../helpers/mini-server.ts';
import { rawGet } from '../helpers/raw-http.ts';

const KEY = 'hygiene-key-SYNTHETIC';
const logLines: Record<string, unknown>[] = [];
let mini: MiniServer;
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  mini = await startMiniServer(
    {},
    {
      corsOrigins: ['https://maps.example.se'],
      trustedProxies: ['10.0.0.0/8'],
      keys: [{ id: 'hygiene', role: 'analyst', sha256: sha256Hex(KEY) }],
      maxUrlLength: 300,
      log: pino({ level: 'debug' }, sink),
    },
  );
});
afterAll(() => mini.close());

describe('rate limit', () => {
  it('answers 429 JSON with Retry-After once a client has used its allowance, others go on', async () => {
    const handler = createHandler(mini.store, { rateLimit: { requests: 5, windowSeconds: 60 }, keys: [{ id: 'hygiene', role: 'analyst', sha256: sha256Hex(KEY) }] });
    // supertest connects from loopback: the key holder and the keyless client there have a bucket each.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request(handler).get('/health').set('X-API-Key', KEY)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await request(handler).get('/conformance').set('X-API-Key', KEY);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, error: expect.stringMatching(/at most 5 per 60 s/) });
    // 5 per 60 s refill one token every 12 s.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(12);
    expect((await request(handler).get('/health')).status).toBe(200);
  });

  it('refills at the configured rate', () => {
    const limiter = new RateLimiter(2, 1000);
    expect([limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0]);
    expect(limiter.take('a', 0)).toBe(500);
    expect(limiter.take('a', 499)).toBeGreaterThan(0);
    expect(limiter.take('a', 1000)).toBe(0);
    limiter.take('b', 1000);
    // After a full window the buckets have refilled and are forgotten.
    limiter.take('c', 3000);
    expect(limiter.clients).toBe(1);
  });
});

describe('security headers', () => {
  it('give HTML pages a CSP that allows exactly their inline stylesheet, and forbid framing', async () => {
    const res = await request(mini.handler).get('/collections?f=html').expect(200);
    const css = /<style>([\s\S]*?)<\/style>/.exec(res.text)![1];
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.text).not.toMatch(/<script|style="/);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('give every response nosniff and no-referrer (URLs may carry keys), errors included', async () => {
    for (const path of ['/collections', '/nothing']) {
      const res = await request(mini.handler).get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });
});

describe('CORS from the configuration', () => {
  it('allows the listed origin, not another, and varies by Origin', async () => {
    const ok = await request(mini.handler).get('/tiles').set('Origin', 'https://maps.example.se');
    expect(ok.headers['access-control-allow-origin']).toBe('https://maps.example.se');
    expect(ok.headers.vary).toMatch(/Origin/);
    const other = await request(mini.handler).get('/tiles').set('Origin', 'https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(mini.handler).options('/tiles').set('Origin', 'https://maps.example.se').set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'X-API-Key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('X-API-Key');
  });

  it('sends a cached tile from the fast path with the same CORS headers as the app', async () => {
    const get = (origin: string, id: string) => request(mini.handler).get('/tiles/omradestyper/3/4/2.mvt').set('Origin', origin).set('Accept-Encoding', 'gzip').set('X-Request-Id', id);
    const made = await get('https://maps.example.se', 'cors-made');
    const cached = await get('https://maps.example.se', 'cors-cached');
    const other = await get('https://evil.example.com', 'cors-other');
    // The app logs a request at info (30), the fast path at debug (20).
    expect(['cors-made', 'cors-cached', 'cors-other'].map((id) => logLines.find((l) => l.requestId === id)?.level)).toEqual([30, 20, 20]);
    for (const res of [made, cached]) {
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://maps.example.se');
      expect(res.headers['access-control-expose-headers']).toMatch(/X-Data-Version/);
      expect(res.headers.vary).toBe('Accept-Encoding, Origin');
    }
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-expose-headers']).toBeUndefined();
    expect(other.headers.vary).toBe('Accept-Encoding, Origin');
  });
});

describe('size limits', () => {
  it('answer a URL that is too long with a JSON 414', async () => {
    const res = await request(mini.handler).get(`/collections?f=json&x=${'a'.repeat(300)}`);
    expect(res.status).toBe(414);
    expect(res.body).toMatchObject({ status: 414 });
  });

  it('answer headers larger than the limit with a JSON 431 (node:http with the configured maxHeaderSize)', async () => {
    const config = configSchema.parse({ port: 0, host: '127.0.0.1', limits: { maxHeaderBytes: 2048 } });
    const server = createServer(mini.handler, config);
    const { port } = await listenServer(server, config);
    try {
      const res = await rawGet(`http://127.0.0.1:${port}/health`, { 'X-Big': 'x'.repeat(4096) });
      expect(res.status).toBe(431);
      expect(JSON.parse(res.body.toString())).toEqual({ status: 431, error: 'the request headers are too large' });
      expect((await rawGet(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('request ids and logs', () => {
  it('keep a sane incoming X-Request-Id, make one otherwise, and log each request without its key', async () => {
    const given = await request(mini.handler).get('/conformance').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(mini.handler).get('/conformance').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await request(mini.handler).get(`/collections/regso/items?limit=1&token=${KEY}`).set('User-Agent', 'Mozilla/5.0 QGIS/32216');
    const line = logLines.find((l) => typeof l.url === 'string' && l.url.startsWith('/collections/regso/items'))!;
    expect(line).toMatchObject({ route: '/collections/:collectionId/items', status: 200, client: 'qgis', keyId: 'hygiene', url: expect.stringMatching(/^\/collections\/regso\/items\?limit=1/) });
    // A refused key is redacted too.
    await request(mini.handler).get('/collections?apikey=wrong-SYNTHETIC-key').expect(401);
    expect(logLines.find((l) => l.status === 401)).toMatchObject({ url: '/collections?apikey=[redacted]', keyId: null });
    expect(JSON.stringify(logLines)).not.toMatch(new RegExp(`${KEY}|wrong-SYNTHETIC-key`));
    expect(logLines.find((l) => l.requestId === 'abc-123')).toMatchObject({ route: '/conformance', status: 200 });
  });
});

describe('trusted proxies', () => {
  it('ignore X-Forwarded-* from a peer that is not a trusted proxy', async () => {
    // This server trusts 10.0.0.0/8 only; supertest connects from loopback.
    const res = await request(mini.handler).get('/?f=json').set('X-Forwarded-Proto', 'https').set('X-Forwarded-Host', 'evil.example.com').expect(200);
    for (const link of res.body.links) expect(link.href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('take the client address from the last X-Forwarded-For hop that is not a trusted proxy', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '::1']);
    const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;
    // The client wrote "1.1.1.1" itself; the proxy 10.0.0.5 appended the address it saw, 198.51.100.7.
    expect(proxies.clientAddress(req('::ffff:10.0.0.1', '1.1.1.1, 198.51.100.7, 10.0.0.5'))).toBe('198.51.100.7');
    expect(proxies.clientAddress(req('203.0.113.9', '1.1.1.1'))).toBe('203.0.113.9');
    expect(proxies.clientAddress(req('::1'))).toBe('::1');
  });
});
