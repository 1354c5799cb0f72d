/**
 * The viewer's static files over the mini dataset's app (SYNTHETIC TEST FIXTURE): the page, its modules and CSS,
 * MapLibre's files byte for byte from node_modules, content types, revalidation (ETag, 304), gzip, the security
 * headers, the palette from tiles/style/palette.ts, and that no request path reaches a file outside the folders.
 */
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import * as palette from '../../tiles/style/palette.ts';
import { serveMini } from '../helpers/mini-server.ts';
import { rawGet } from '../helpers/raw-http.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'node_modules/maplibre-gl/dist');

const served = serveMini();

/** A request with the path sent exactly as written (no client-side normalisation of `..` or percent escapes). */
function rawPath(pathname: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(served.base);
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('/viewer/', () => {
  it('serves the page with a same-origin Content-Security-Policy and no-cache revalidation', async () => {
    const res = await request(served.mini.handler).get('/viewer/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toBe(readFileSync(path.join(ROOT, 'viewer/index.html'), 'utf8'));
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|https?:/);
    // Nothing in the page comes from elsewhere, and no inline script.
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('redirects /viewer to /viewer/ keeping the query', async () => {
    const res = await request(served.mini.handler).get('/viewer?kiosk=1&views=omradestyper').expect(301);
    expect(res.headers.location).toBe('/viewer/?kiosk=1&views=omradestyper');
  });

  it('serves every file of viewer/ with its content type', async () => {
    const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8' };
    const files = readdirSync(path.join(ROOT, 'viewer'));
    expect(files).toContain('main.js');
    for (const file of files) {
      const res = await rawGet(`${served.base}/viewer/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers['content-type'], file).toBe(types[path.extname(file)]);
      expect(res.body.equals(readFileSync(path.join(ROOT, 'viewer', file))), file).toBe(true);
    }
  });

  it('serves MapLibre GL JS from node_modules, gzipped on request, with a strong ETag answered by 304', async () => {
    for (const [file, type] of [
      ['maplibre-gl.mjs', 'text/javascript; charset=utf-8'],
      ['maplibre-gl-worker.mjs', 'text/javascript; charset=utf-8'],
      ['maplibre-gl.css', 'text/css; charset=utf-8'],
    ]) {
      const plain = await rawGet(`${served.base}/viewer/vendor/${file}`);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe(type);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.equals(readFileSync(path.join(DIST, file))), file).toBe(true);
      const gz = await rawGet(`${served.base}/viewer/vendor/${file}`, { 'Accept-Encoding': 'gzip' });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toBe('Accept-Encoding');
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
      const etag = plain.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await rawGet(`${served.base}/viewer/vendor/${file}`, { 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it('hands out the colours of tiles/style/palette.ts', async () => {
    const res = await request(served.mini.handler).get('/viewer/palette.json').expect(200);
    for (const typ of [1, 2, 3, 4, 5] as const) {
      expect(res.body.omradestyp[typ]).toEqual({ color: palette.OMRADESTYP_COLORS[typ], name: palette.OMRADESTYP_NAMES[typ] });
    }
    expect(res.body.choropleth).toEqual([...palette.CHOROPLETH_COLORS]);
    expect(res.body.highlight).toBe(palette.HIGHLIGHT_COLOR);
  });

  it('never serves a file outside viewer/ and MapLibre’s dist files (404 with a JSON body)', async () => {
    const attempts = [
      '/viewer/../package.json',
      '/viewer/..%2Fpackage.json',
      '/viewer/%2e%2e%2fpackage.json',
      '/viewer/%2E%2E/package.json',
      '/viewer/vendor/..%2F..%2F..%2Fpackage.json',
      '/viewer/vendor/..%2Fpackage.json',
      '/viewer/vendor/maplibre-gl-dev.mjs',
      '/viewer/vendor/%2e%2e%5cpackage.json',
      '/viewer/..%5c..%5cpackage.json',
      '/viewer/%2fetc%2fpasswd',
      '/viewer//etc/passwd',
      '/viewer/.gitignore',
      '/viewer/main.js%00.css',
      '/viewer/vendor/',
    ];
    for (const attempt of attempts) {
      const res = await rawPath(attempt);
      expect(res.status, attempt).toBe(404);
      expect(res.body, attempt).not.toContain('"name": "regso-tiles"');
      expect(res.body, attempt).not.toContain('root:');
      expect(JSON.parse(res.body), attempt).toMatchObject({ status: 404 });
    }
  });
});
