/**
 * The viewer (/viewer/) opened in headless Chromium for the browser tests (test/clients/viewer*.test.ts): a page per
 * browser context with its log, waits for the map to be drawn, the checks every test ends with, and the map's
 * områdestyp colours as drawn.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Map as MaplibreMap } from 'maplibre-gl';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import { blend, colourShare, pngColours, rgbOf, WHITE, type RGB } from './colours.ts';
import { launchChromium, watchPage, type PageLog } from './maplibre-page.ts';
import { startNationalServer, type NationalServer } from './national.ts';

export const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
const VIEWPORT = { width: 1280, height: 800 };
export const TIMEOUT_MS = 45_000;
export const TYPES = [1, 2, 3, 4, 5] as const;
export type Typ = (typeof TYPES)[number];
/** Göteborg at zoom 10, as the viewer's `#map=` hash: every områdestyp is in view. */
export const GOTEBORG = { lon: 11.9746, lat: 57.7089 };
export const GOTEBORG_HASH = `#map=10/${GOTEBORG.lat}/${GOTEBORG.lon}`;

const FILL_OPACITY = 0.85;
const COLOUR_TOLERANCE = 3;
/** The least share of the map's pixels a type colour must have to count as drawn. */
const MIN_SHARE = 0.001;

/** What the viewer puts on `window.regsoViewer`. */
export interface ViewerWindow {
  regsoViewer?: {
    map: MaplibreMap;
    shown: { version: string; errors: string[] };
  };
}

export interface OpenViewer {
  page: Page;
  context: BrowserContext;
  log: PageLog;
}

/** The viewer at `origin` + `pathAndQuery` in a new context, once its map is drawn. */
export async function openViewer(browser: Browser, origin: string, pathAndQuery: string, viewport = VIEWPORT): Promise<OpenViewer> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = watchPage(context, page);
  await page.goto(`${origin}${pathAndQuery}`);
  await waitViewer(page);
  return { page, context, log };
}

/** Waits for the viewer's map on a page just (re)loaded, and for it to be drawn. */
export async function waitViewer(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as ViewerWindow).regsoViewer !== undefined, undefined, { timeout: TIMEOUT_MS });
  await waitIdle(page);
}

/** Waits until the map has its style and every tile it wants, and a frame has been drawn with them. */
export async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const { map } = (window as ViewerWindow).regsoViewer!;
      return map.isStyleLoaded() && map.areTilesLoaded() && !map.isMoving();
    },
    undefined,
    { timeout: TIMEOUT_MS, polling: 100 },
  );
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const { map } = (window as ViewerWindow).regsoViewer!;
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
  );
}

/** Sets a flag on the window: still there later means the page was not reloaded meanwhile. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
}

export async function wasReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded !== true);
}

/**
 * No console or page error, no failed or 4xx/5xx request, no map error, every request to 127.0.0.1. Requests the page
 * cancelled itself are no failure: MapLibre aborts tiles a moving map no longer needs, a reload ends the event stream.
 */
export async function expectCleanLoad(run: OpenViewer): Promise<void> {
  expect(run.log.consoleErrors, 'console errors').toEqual([]);
  expect(run.log.pageErrors, 'page errors').toEqual([]);
  expect(run.log.failed.filter((f) => !f.endsWith(': net::ERR_ABORTED')), 'failed requests').toEqual([]);
  expect(run.log.badResponses, '4xx/5xx responses').toEqual([]);
  expect(await run.page.evaluate(() => (window as ViewerWindow).regsoViewer!.shown.errors), 'map errors').toEqual([]);
  const outside = run.log.requests.filter((r) => {
    const u = new URL(r.url);
    return !(u.protocol === 'http:' && u.hostname === '127.0.0.1') && u.protocol !== 'data:';
  });
  expect(outside, 'requests not to 127.0.0.1').toEqual([]);
}

/** An områdestyp as the map draws it: the palette colour at fill-opacity 0.85 over the map's white. */
export function typeColour(typ: number): RGB {
  return blend(WHITE, rgbOf(OMRADESTYP_COLORS[typ as Typ]), FILL_OPACITY);
}

export function expectColour(actual: RGB, expected: RGB, what: string): void {
  expect(actual.every((v, k) => Math.abs(v - expected[k]) <= COLOUR_TOLERANCE), `${what}: rgb(${actual.join(',')}) ≈ rgb(${expected.join(',')})`).toBe(true);
}

/** The map's colours, with the legend, the map controls and any popup masked out; the screenshot goes to test-output/. */
async function mapColours(page: Page, file: string): Promise<Map<string, number>> {
  const png = await page.locator('#map').screenshot({
    path: path.join(OUTPUT_DIR, file),
    mask: [page.locator('#legend'), page.locator('.maplibregl-ctrl'), page.locator('.maplibregl-popup')],
  });
  return pngColours(page, png);
}

/**
 * Checks that the map shows all five områdestyp colours (screenshot `file` in test-output/); returns each one's
 * share of the map's pixels.
 */
export async function expectTypeColours(page: Page, file: string): Promise<Record<Typ, number>> {
  const colours = await mapColours(page, file);
  const found = Object.fromEntries(TYPES.map((typ) => [typ, colourShare(colours, typeColour(typ), COLOUR_TOLERANCE)])) as Record<Typ, number>;
  for (const typ of TYPES) expect(found[typ], `områdestyp ${typ} (${OMRADESTYP_COLORS[typ]}) in ${file}`).toBeGreaterThan(MIN_SHARE);
  return found;
}

export interface ViewerBench {
  national: NationalServer;
  browser: Browser;
}

/**
 * The national server and Chromium for the enclosing suite, started before its tests and closed after them (call it
 * inside the suite that is skipped without Chromium). Read the fields inside tests.
 */
export function useViewerBench(): ViewerBench {
  const bench = {} as ViewerBench;
  beforeAll(async () => {
    bench.national = await startNationalServer();
    bench.browser = await launchChromium();
    await mkdir(OUTPUT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await bench.browser?.close();
    await bench.national?.close();
  });
  return bench;
}
