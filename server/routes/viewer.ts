/**
 * The map viewer at /viewer/: the static files of the repository's viewer/ folder (plain ES modules and CSS, no
 * build step), MapLibre GL JS from node_modules at /viewer/vendor/ (no CDN: closed police networks), and the
 * palette the viewer draws its own marks with at /viewer/palette.json (tiles/style/palette.ts, the one source).
 *
 * Only the files listed when the router is made are served, looked up by name: no path from a request ever reaches
 * the file system, so no `..` or encoded slash can leave the folders. Every file is revalidated (`no-cache` with a
 * strong ETag: a 304 costs one round trip) so a deployment never leaves a wall screen on stale code; text is
 * gzipped for clients that take it. The pages run under a Content-Security-Policy of our origin only, no eval.
 */
import Router from '@koa/router';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context } from 'koa';
import * as palette from '../../tiles/style/palette.ts';
import { accepts } from '../encoding.ts';

export const VIEWER_PREFIX = '/viewer/';
const VIEWER_DIR = path.resolve(import.meta.dirname, '../../viewer');
const MAPLIBRE_DIST = path.resolve(import.meta.dirname, '../../node_modules/maplibre-gl/dist');
/** MapLibre's ES module imports nothing else and loads its worker from next to itself (`./maplibre-gl-worker.mjs`). */
const VENDOR_FILES = ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css', 'maplibre-gl.mjs.map', 'maplibre-gl-worker.mjs.map'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Our origin only. MapLibre sets element styles from script (CSSOM, allowed) and starts its worker from a same-origin
 * module URL; its workers fetch tiles with fetch (connect-src).
 */
export const VIEWER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

interface Served {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer | null;
  etag: string;
}

/** URL name (relative to /viewer/) → file. */
function servedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(VIEWER_DIR, { withFileTypes: true })) {
    if (entry.isFile() && !entry.name.startsWith('.') && Object.hasOwn(CONTENT_TYPES, path.extname(entry.name))) files.set(entry.name, path.join(VIEWER_DIR, entry.name));
  }
  for (const name of VENDOR_FILES) files.set(`vendor/${name}`, path.join(MAPLIBRE_DIST, name));
  return files;
}

export function viewerRouter(): Router {
  const router = new Router();
  const files = servedFiles();
  const cache = new Map<string, Served>();

  const load = async (file: string): Promise<Served> => {
    const { mtimeMs } = await stat(file);
    const cached = cache.get(file);
    if (cached?.mtimeMs === mtimeMs) return cached;
    const body = await readFile(file);
    const served = { mtimeMs, body, gzip: file.endsWith('.map') ? null : gzipSync(body, { level: 6 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    cache.set(file, served);
    return served;
  };

  const serve = async (ctx: Context, name: string) => {
    const file = files.get(name);
    if (file === undefined) return; // the 404 middleware answers with JSON
    const served = await load(file);
    ctx.set({ 'Cache-Control': 'no-cache', ETag: served.etag, Vary: 'Accept-Encoding' });
    if (name.endsWith('.html')) ctx.set('Content-Security-Policy', VIEWER_CSP);
    ctx.type = CONTENT_TYPES[path.extname(name)];
    if (ctx.get('If-None-Match').split(/\s*,\s*/).includes(served.etag)) {
      ctx.status = 304;
      return;
    }
    if (served.gzip && accepts(ctx.get('Accept-Encoding'), 'gzip')) {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = served.gzip;
    } else ctx.body = served.body;
  };

  const index = (ctx: Context) => {
    // Relative URLs in the page resolve against /viewer/, so /viewer needs its slash.
    if (!ctx.path.endsWith('/')) {
      ctx.status = 301;
      return ctx.redirect(`${VIEWER_PREFIX}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
    }
    return serve(ctx, 'index.html');
  };
  router.get(VIEWER_PREFIX, index);
  router.get('/viewer', index);
  router.get(`${VIEWER_PREFIX}palette.json`, (ctx) => {
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = viewerPalette();
  });
  router.get(`${VIEWER_PREFIX}:file`, (ctx) => serve(ctx, ctx.params.file));
  router.get(`${VIEWER_PREFIX}vendor/:file`, (ctx) => serve(ctx, `vendor/${ctx.params.file}`));
  return router;
}

/** The colours and type names the viewer draws with beyond what the style documents carry (stats bars, highlight). */
export function viewerPalette() {
  return {
    omradestyp: Object.fromEntries(Object.entries(palette.OMRADESTYP_COLORS).map(([typ, color]) => [typ, { color, name: palette.OMRADESTYP_NAMES[Number(typ) as 1 | 2 | 3 | 4 | 5] }])),
    choropleth: palette.CHOROPLETH_COLORS,
    noData: palette.NO_DATA_COLOR,
    kommunLine: palette.KOMMUN_LINE_COLOR,
    utsattLine: palette.UTSATT_LINE_COLOR,
    areaOutline: palette.AREA_OUTLINE_COLOR,
    highlight: palette.HIGHLIGHT_COLOR,
  };
}
