/**
 * A MapLibre GL JS test page and headless Chromium for the browser client tests. The page and MapLibre's own files
 * (node_modules/maplibre-gl/dist: the module, its module worker, the CSS) are served under MAPLIBRE_PREFIX by a
 * request handler placed in front of the app, so the page, the worker, the style and the tiles share one loopback
 * origin — as the viewer will — and nothing comes from a CDN.
 *
 * The page reads its map from the query string (`style`, `lon`, `lat`, `zoom`), creates an 800 × 600 map on a white
 * page with `preserveDrawingBuffer`, collects the map's `error` events and sets `idle` on the first `idle` event;
 * everything is on `window.regsoTest` (see MapPageState). Its icon is an inline empty one: no /favicon.ico request,
 * which Playwright would not report.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** No downloads, no outside traffic: Chromium's own background services off. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const MAPLIBRE_PREFIX = '/__maplibre-test/';
export const MAP_WIDTH = 800;
export const MAP_HEIGHT = 600;

const DIST = path.resolve(import.meta.dirname, '../../node_modules/maplibre-gl/dist');
/** The files MapLibre loads: the module imports nothing else and resolves its worker next to itself. */
const ASSETS: Record<string, string> = {
  'maplibre-gl.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl-worker.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl.css': 'text/css; charset=utf-8',
};

/** What the page exposes on `window.regsoTest`. */
export interface MapPageState {
  map: MaplibreMap;
  /** Messages of the map's `error` events. */
  errors: string[];
  idle: boolean;
}

export function mapPageHtml(): string {
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>regso-tiles MapLibre test page</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="./maplibre-gl.css">
<style>html, body { margin: 0; background: #ffffff; } #map { width: ${MAP_WIDTH}px; height: ${MAP_HEIGHT}px; }</style>
</head>
<body>
<div id="map"></div>
<script type="module">
import * as maplibregl from './maplibre-gl.mjs';
const q = new URLSearchParams(location.search);
const state = { map: null, errors: [], idle: false };
window.regsoTest = state;
const map = new maplibregl.Map({
  container: 'map',
  style: q.get('style'),
  center: [Number(q.get('lon')), Number(q.get('lat'))],
  zoom: Number(q.get('zoom')),
  canvasContextAttributes: { preserveDrawingBuffer: true },
  fadeDuration: 0,
});
state.map = map;
map.on('error', (e) => state.errors.push(String((e.error && e.error.message) || e.error || e.type)));
map.once('idle', () => { state.idle = true; });
</script>
</body>
</html>
`;
}

/** URL of the test page for a map. */
export function mapPageUrl(origin: string, style: string, [lon, lat]: [number, number], zoom: number): string {
  const q = new URLSearchParams({ style, lon: String(lon), lat: String(lat), zoom: String(zoom) });
  return `${origin}${MAPLIBRE_PREFIX}index.html?${q}`;
}

/** Serves the page and MapLibre's files under MAPLIBRE_PREFIX; returns false for any other path. */
export function serveMapPage(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (!pathname.startsWith(MAPLIBRE_PREFIX)) return false;
  const name = pathname.slice(MAPLIBRE_PREFIX.length);
  if (name === 'index.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(mapPageHtml());
  } else if (Object.hasOwn(ASSETS, name)) {
    res.writeHead(200, { 'Content-Type': ASSETS[name], 'Cache-Control': 'no-store' });
    res.end(readFileSync(path.join(DIST, name)));
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not a test page file');
  }
  return true;
}

/** Debian's Chromium, headless, through playwright-core (which never downloads a browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** What a page and its workers did: every request, console errors (with the resource's URL), page errors, failures. */
export interface PageLog {
  requests: { url: string; type: string }[];
  consoleErrors: { text: string; url: string }[];
  pageErrors: string[];
  failed: string[];
  badResponses: string[];
}

/** Starts logging a page; context-wide for requests, since MapLibre fetches tiles in its workers. */
export function watchPage(context: BrowserContext, page: Page): PageLog {
  const log: PageLog = { requests: [], consoleErrors: [], pageErrors: [], failed: [], badResponses: [] };
  const onConsole = (where: string) => (m: { type(): string; text(): string; location(): { url: string } }) => {
    if (m.type() === 'error') log.consoleErrors.push({ text: `${where}: ${m.text()}`, url: m.location().url });
  };
  context.on('request', (r) => log.requests.push({ url: r.url(), type: r.resourceType() }));
  context.on('requestfailed', (r) => log.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  context.on('response', (r) => {
    if (r.status() >= 400) log.badResponses.push(`${r.status()} ${r.url()}`);
  });
  page.on('console', onConsole('page'));
  page.on('worker', (w) => w.on('console', onConsole(`worker ${w.url()}`)));
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  return log;
}
