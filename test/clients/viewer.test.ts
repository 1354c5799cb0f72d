/**
 * The viewer (/viewer/) in Debian's headless Chromium (playwright-core) on the national dataset, served in-process
 * (test/helpers/national.ts): the page, MapLibre, styles, tiles, features and /events from one server on 127.0.0.1.
 *
 * - loads with no console or page error, no map error, no failed or 4xx request and no request to any other host;
 * - a screenshot of the map (legend and controls masked) holds the five områdestyp colours of tiles/style/palette.ts
 *   as drawn (fill-opacity 0.85 over the map's white);
 * - a click on Hjällbo östra (its pole of inaccessibility, computed here with polylabel) opens a popup with its code
 *   and the name of its type in 2023 (from the dataset's own tables);
 * - switching the year recolours an area whose type changed between 2022 and 2023 (found in the dataset);
 * - pressing a type in the legend marks exactly that type's areas with feature-state;
 * - kiosk mode hides the controls and cycles its views (short interval);
 * - a new data version swapped into the store reaches the page over /events and is drawn without reload: the shown
 *   version changes, the tile source URL carries the new ?v= and tiles are fetched with it.
 * - the statistics panel draws the metric by områdestyp as /stats gives it (bar lengths in proportion to the rates),
 *   and a type pressed there marks its areas.
 * Screenshots go to test-output/viewer-*.png.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import polylabel from 'polylabel';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.ts';
import { OMRADESTYP_COLORS, OMRADESTYP_NAMES } from '../../tiles/style/palette.ts';
import { requireClient } from '../helpers/clients.ts';
import { blend, colourShare, pngColours, rgbOf, WHITE, type RGB } from '../helpers/colours.ts';
import { launchChromium, watchPage, type PageLog } from '../helpers/maplibre-page.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';

const HAS_CHROMIUM = requireClient('chromium', 'Chromium');
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
const VIEWPORT = { width: 1280, height: 800 };
const FILL_OPACITY = 0.85;
const COLOUR_TOLERANCE = 3;
const MIN_SHARE = 0.001;
const TIMEOUT_MS = 45_000;
const GOTEBORG = { lon: 11.9746, lat: 57.7089 };
const TYPES = [1, 2, 3, 4, 5] as const;

type Typ = (typeof TYPES)[number];

interface ViewerWindow {
  regsoViewer?: {
    map: import('maplibre-gl').Map;
    shown: { version: string; errors: string[] };
  };
}

let national: NationalServer;
let browser: Browser | undefined;

interface OpenViewer {
  page: Page;
  context: BrowserContext;
  log: PageLog;
}

describe.skipIf(!HAS_CHROMIUM)('the viewer in headless Chromium on the national dataset', () => {
  beforeAll(async () => {
    national = await startNationalServer();
    browser = await launchChromium();
    await mkdir(OUTPUT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await national?.close();
  });

  describe('områdestyper 2023 over Göteborg', () => {
    let run: OpenViewer;
    beforeAll(async () => {
      run = await openViewer(`/viewer/#map=10/${GOTEBORG.lat}/${GOTEBORG.lon}`);
    });
    afterAll(() => run?.context.close());

    it('loads with no errors and makes every request to 127.0.0.1', async () => {
      await expectCleanLoad(run);
      const served = run.log.requests.map((r) => new URL(r.url).pathname);
      for (const p of ['/viewer/', '/viewer/main.js', '/viewer/vendor/maplibre-gl.mjs', '/viewer/vendor/maplibre-gl-worker.mjs', '/styles/omradestyper-2023.json', '/tiles/omradestyper-2023.json', '/events']) {
        expect(served, p).toContain(p);
      }
      expect(served.some((p) => /^\/tiles\/omradestyper-2023\/\d+\/\d+\/\d+\.mvt$/.test(p))).toBe(true);
    });

    it('shows the statistics panel', async () => {
      await run.page.locator('#stats[data-state="ready"]').waitFor({ timeout: TIMEOUT_MS });
    });

    it('marks the synthetic data and names the version', async () => {
      await expect(run.page.locator('#synthetic').isVisible()).resolves.toBe(true);
      await expect(run.page.locator('#synthetic').textContent()).resolves.toBe('Syntetiska data');
      await expect(run.page.locator('#version').getAttribute('data-version')).resolves.toBe(national.dataset.id);
    });

    it('draws the five områdestyp colours of the palette; screenshot in test-output/', async () => {
      const colours = await mapColours(run.page, 'viewer-omradestyper-2023-goteborg.png');
      const found = Object.fromEntries(TYPES.map((typ) => [typ, colourShare(colours, typeColour(typ), COLOUR_TOLERANCE)]));
      console.log(`viewer z10 Göteborg: share of map pixels per områdestyp colour ${JSON.stringify(found)}`);
      for (const typ of TYPES) expect(found[typ], `områdestyp ${typ} (${OMRADESTYP_COLORS[typ]})`).toBeGreaterThan(MIN_SHARE);
    });

    it('a click on Hjällbo östra (1480R050) shows its name, code and type', async () => {
      const code = '1480R050';
      const [lon, lat] = labelPoint(national.dataset, code);
      await jumpTo(run.page, lon, lat, 13);
      await clickAt(run.page, lon, lat);
      const popup = run.page.locator('.maplibregl-popup-content');
      await popup.waitFor({ timeout: TIMEOUT_MS });
      const text = (await popup.textContent()) ?? '';
      const typ = national.dataset.areaTypes.get(2023)!.get(code) as Typ;
      expect(text).toContain('Hjällbo östra');
      expect(text).toContain(code);
      expect(text).toContain(`${typ} – ${OMRADESTYP_NAMES[typ].sv}`);
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-hjallbo-popup.png') });
      await run.page.locator('.maplibregl-popup-close-button').click();
    });

    it('pressing a type in the legend marks exactly its areas (feature-state)', async () => {
      await jumpTo(run.page, GOTEBORG.lon, GOTEBORG.lat, 10);
      await run.page.locator('#legend button[data-typ="1"]').click();
      await expect(run.page.locator('#legend button[data-typ="1"]').getAttribute('aria-pressed')).resolves.toBe('true');
      await waitIdle(run.page);
      const marked = await run.page.evaluate(() => {
        const { map } = (window as ViewerWindow).regsoViewer!;
        const features = map.querySourceFeatures('regso', { sourceLayer: 'regso' });
        return features.map((f) => ({ typ: f.properties.omradestyp as number, highlight: map.getFeatureState({ source: 'regso', sourceLayer: 'regso', id: f.id! }).highlight === true }));
      });
      expect(marked.filter((f) => f.typ === 1).length).toBeGreaterThan(0);
      for (const f of marked) expect(f.highlight, `a type-${f.typ} feature`).toBe(f.typ === 1);
      expect(new URL(run.page.url()).searchParams.get('typ')).toBe('1');
      await run.page.locator('#legend button[data-typ="1"]').click();
    });

    it('switching the year recolours an area whose type changed between 2022 and 2023, and the URL keeps the year', async () => {
      const area = changedArea(national.dataset);
      const [lon, lat] = labelPoint(national.dataset, area.regsokod);
      await jumpTo(run.page, lon, lat, 13);
      expectColour(await colourAt(run.page, lon, lat), typeColour(area.typ2023), `${area.regsokod}: type ${area.typ2023} in 2023`);
      await run.page.selectOption('#year', '2022');
      await waitIdle(run.page);
      expect(await run.page.evaluate(() => (window as ViewerWindow).regsoViewer!.map.getStyle().metadata)).toMatchObject({ 'regso-tiles:year': 2022 });
      expectColour(await colourAt(run.page, lon, lat), typeColour(area.typ2022), `${area.regsokod}: type ${area.typ2022} in 2022`);
      expect(new URL(run.page.url()).searchParams.get('year')).toBe('2022');
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-year-2022.png') });
      // The URL restores the state: a new page on it shows 2022 again.
      const again = await openViewer(new URL(run.page.url()).pathname + new URL(run.page.url()).search + new URL(run.page.url()).hash);
      try {
        await expect(again.page.locator('#year').inputValue()).resolves.toBe('2022');
        expectColour(await colourAt(again.page, lon, lat), typeColour(area.typ2022), 'restored from the URL');
      } finally {
        await again.context.close();
      }
      await run.page.selectOption('#year', '2023');
      await waitIdle(run.page);
    });
  });

  describe.skipIf(!HAS_CHROMIUM)('statistics panel', () => {
    it('shows the metric by områdestyp as /stats gives it, and a type pressed marks its areas', async () => {
      const stats = await (await fetch(`${national.url}/stats?metric=brott_totalt&year=2023`)).json();
      const rates = new Map<number, number>(stats.rows.filter((r: { group: string }) => /^[1-5]$/.test(r.group)).map((r: { group: string; rate: number }) => [Number(r.group), r.rate]));
      const run = await openViewer(`/viewer/?metric=brott_totalt&year=2023#map=10/${GOTEBORG.lat}/${GOTEBORG.lon}`);
      try {
        await run.page.locator('#stats[data-state="ready"]').waitFor({ timeout: TIMEOUT_MS });
        const buttons = run.page.locator('#stats button.stats-type');
        await expect(buttons.count()).resolves.toBe(5);
        const bars = await run.page.evaluate(() =>
          [...document.querySelectorAll('#stats button.stats-type')].map((b) => [Number((b as HTMLElement).dataset.typ), Number(b.querySelector('rect')?.getAttribute('width'))]),
        );
        const scale = bars[0][1] / rates.get(bars[0][0])!;
        for (const [typ, width] of bars) expect(width / rates.get(typ)!, `type ${typ}`).toBeCloseTo(scale, 3);
        await run.page.locator('#stats button[data-typ="2"]').click();
        await waitIdle(run.page);
        const states = await run.page.evaluate(() => {
          const { map } = (window as ViewerWindow).regsoViewer!;
          return map.querySourceFeatures('regso', { sourceLayer: 'regso' }).map((f) => [f.properties.omradestyp, map.getFeatureState({ source: 'regso', sourceLayer: 'regso', id: f.id! }).highlight === true]);
        });
        for (const [typ, marked] of states) expect(marked).toBe(typ === 2);
        await expectCleanLoad(run);
      } finally {
        await run.context.close();
      }
    });
  });

  describe('kiosk', () => {
    it('hides the controls and cycles through its views', async () => {
      const views = 'omradestyper:2023:1480;brott_totalt:2022:0180';
      const run = await openViewer(`/viewer/?kiosk=1&interval=3&views=${encodeURIComponent(views)}`);
      try {
        await expect(run.page.locator('#controls').isVisible()).resolves.toBe(false);
        await expect(run.page.locator('#stats').isVisible()).resolves.toBe(false);
        const kommunName = (code: string) => national.dataset.areas.find((a) => a.kommunkod === code)!.kommunnamn;
        const brott = national.dataset.catalog.find((m) => m.id === 'brott_totalt')!.label.sv;
        // Each view's title and style are read right as it is shown: on a loaded machine the page may come up after
        // the first switch, and an idle wait can outlast the 3 s interval.
        const shown = async (view: number) => {
          await run.page.locator(`body[data-view="${view}"]`).waitFor({ state: 'attached', timeout: TIMEOUT_MS });
          return run.page.evaluate(() => {
            const { map } = (window as ViewerWindow).regsoViewer!;
            return { title: document.querySelector('#title')!.textContent, metadata: map.getStyle().metadata, center: map.getCenter().toArray() };
          });
        };
        const view1 = await shown(1);
        expect(view1.title).toBe(`${brott} 2022 · ${kommunName('0180')}`);
        expect(view1.metadata).toMatchObject({ 'regso-tiles:theme': 'brott_totalt', 'regso-tiles:year': 2022 });
        const stockholm = bboxOfKommun(national.dataset, '0180');
        expect(view1.center[0]).toBeGreaterThan(stockholm[0]);
        expect(view1.center[0]).toBeLessThan(stockholm[2]);
        await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-kiosk-view-1.png') });
        const view0 = await shown(0);
        expect(view0.title).toBe(`Områdestyper 2023 · ${kommunName('1480')}`);
        expect(view0.metadata).toMatchObject({ 'regso-tiles:theme': 'omradestyper', 'regso-tiles:year': 2023 });
        await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-kiosk-view-0.png') });
        await expectCleanLoad(run);
      } finally {
        await run.context.close();
      }
    });
  });

  describe('a new data version', () => {
    it('reaches the page over /events and is drawn without a reload, with the new ?v= on the tiles', async () => {
      const run = await openViewer(`/viewer/#map=10/${GOTEBORG.lat}/${GOTEBORG.lon}`);
      const original = national.store.current.dataset;
      try {
        await run.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
        const next: Dataset = { ...original, id: 'test-viewer-version' };
        national.store.swap(next);
        await run.page.locator('#version[data-version="test-viewer-version"]').waitFor({ state: 'attached', timeout: TIMEOUT_MS });
        await waitIdle(run.page);
        const after = await run.page.evaluate(() => {
          const { map } = (window as ViewerWindow).regsoViewer!;
          const source = map.getStyle().sources.regso as { url: string };
          return { notReloaded: (window as unknown as { notReloaded?: boolean }).notReloaded, url: source.url };
        });
        expect(after.notReloaded).toBe(true);
        expect(new URL(after.url).searchParams.get('v')).toBe('test-viewer-version');
        const tiles = run.log.requests.map((r) => new URL(r.url)).filter((u) => /^\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt$/.test(u.pathname));
        expect(tiles.some((u) => u.searchParams.get('v') === 'test-viewer-version')).toBe(true);
        await expect(run.page.locator('#version').textContent()).resolves.toContain(`(${national.store.current.generation})`);
        await expectCleanLoad(run);
        await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-new-version.png') });
      } finally {
        national.store.swap(original);
        await run.context.close();
      }
    });
  });
});

async function openViewer(pathAndQuery: string): Promise<OpenViewer> {
  const context = await browser!.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = watchPage(context, page);
  await page.goto(`${national.url}${pathAndQuery}`);
  await page.waitForFunction(() => (window as ViewerWindow).regsoViewer !== undefined, undefined, { timeout: TIMEOUT_MS });
  await waitIdle(page);
  return { page, context, log };
}

/** Waits until the map has its style and every tile it wants, and a frame has been drawn with them. */
async function waitIdle(page: Page): Promise<void> {
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

async function expectCleanLoad(run: OpenViewer): Promise<void> {
  expect(run.log.consoleErrors, 'console errors').toEqual([]);
  expect(run.log.pageErrors, 'page errors').toEqual([]);
  expect(run.log.failed, 'failed requests').toEqual([]);
  expect(run.log.badResponses, '4xx/5xx responses').toEqual([]);
  expect(await run.page.evaluate(() => (window as ViewerWindow).regsoViewer!.shown.errors), 'map errors').toEqual([]);
  const outside = run.log.requests.filter((r) => {
    const u = new URL(r.url);
    return !(u.protocol === 'http:' && u.hostname === '127.0.0.1') && u.protocol !== 'data:';
  });
  expect(outside, 'requests not to 127.0.0.1').toEqual([]);
}

/** An områdestyp as the map draws it: the palette colour at fill-opacity 0.85 over the map's white. */
function typeColour(typ: number): RGB {
  return blend(WHITE, rgbOf(OMRADESTYP_COLORS[typ as Typ]), FILL_OPACITY);
}

function expectColour(actual: RGB, expected: RGB, what: string): void {
  expect(actual.every((v, k) => Math.abs(v - expected[k]) <= COLOUR_TOLERANCE), `${what}: rgb(${actual.join(',')}) ≈ rgb(${expected.join(',')})`).toBe(true);
}

/** The map's colours, with the legend, the map controls and any popup masked out. */
async function mapColours(page: Page, file: string): Promise<Map<string, number>> {
  const png = await page.locator('#map').screenshot({
    path: path.join(OUTPUT_DIR, file),
    mask: [page.locator('#legend'), page.locator('.maplibregl-ctrl'), page.locator('.maplibregl-popup')],
  });
  return pngColours(page, png);
}

/** The pole of inaccessibility of an area's largest part, in degrees (computed here, independently of the server). */
function labelPoint(dataset: Dataset, regsokod: string): [number, number] {
  const area = dataset.areas.find((a) => a.regsokod === regsokod)!;
  const ringArea = (ring: number[][]) => Math.abs(ring.reduce((s, [x, y], i) => s + x * ring[(i + 1) % ring.length][1] - ring[(i + 1) % ring.length][0] * y, 0));
  const largest = [...area.wgs84.coordinates].sort((a, b) => ringArea(b[0]) - ringArea(a[0]))[0];
  const [lon, lat] = polylabel(largest as [number, number][][], 1e-6);
  return [lon, lat];
}

/** A real-geometry area (SCB or derived) whose områdestyp differs between 2022 and 2023; the largest such. */
function changedArea(dataset: Dataset): { regsokod: string; typ2022: number; typ2023: number } {
  const t22 = dataset.areaTypes.get(2022)!;
  const t23 = dataset.areaTypes.get(2023)!;
  const changed = dataset.areas.filter((a) => a.geomSource !== 'synthetic' && t22.get(a.regsokod) !== undefined && t23.get(a.regsokod) !== undefined && t22.get(a.regsokod) !== t23.get(a.regsokod));
  expect(changed.length, 'areas whose type changed 2022 → 2023').toBeGreaterThan(0);
  const size = (a: (typeof changed)[number]) => {
    const b = bbox(a.wgs84.coordinates.flat(2) as [number, number][]);
    return (b[2] - b[0]) * (b[3] - b[1]);
  };
  const area = changed.sort((a, b) => size(b) - size(a))[0];
  return { regsokod: area.regsokod, typ2022: t22.get(area.regsokod)!, typ2023: t23.get(area.regsokod)! };
}

function bbox(points: [number, number][]): [number, number, number, number] {
  return points.reduce<[number, number, number, number]>((b, [x, y]) => [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)], [Infinity, Infinity, -Infinity, -Infinity]);
}

function bboxOfKommun(dataset: Dataset, kommunkod: string): [number, number, number, number] {
  return bbox(dataset.areas.filter((a) => a.kommunkod === kommunkod).flatMap((a) => a.wgs84.coordinates.flat(2) as [number, number][]));
}

async function jumpTo(page: Page, lon: number, lat: number, zoom: number): Promise<void> {
  await page.evaluate(({ lon, lat, zoom }) => (window as ViewerWindow).regsoViewer!.map.jumpTo({ center: [lon, lat], zoom }), { lon, lat, zoom });
  await waitIdle(page);
}

/** Where a position is on the page (map.project, offset by the canvas). */
async function pagePoint(page: Page, lon: number, lat: number): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(({ lon, lat }) => (window as ViewerWindow).regsoViewer!.map.project([lon, lat]), { lon, lat });
  const box = (await page.locator('#map canvas').boundingBox())!;
  return { x: box.x + p.x, y: box.y + p.y };
}

async function clickAt(page: Page, lon: number, lat: number): Promise<void> {
  const { x, y } = await pagePoint(page, lon, lat);
  await page.mouse.click(x, y);
}

/** The most frequent colour of the 5 × 5 pixels around a position (the mouse moved away first: no hover outline). */
async function colourAt(page: Page, lon: number, lat: number): Promise<RGB> {
  await page.mouse.move(1, 1);
  await waitIdle(page);
  const { x, y } = await pagePoint(page, lon, lat);
  const png = await page.screenshot({ clip: { x: Math.round(x) - 2, y: Math.round(y) - 2, width: 5, height: 5 } });
  const colours = [...(await pngColours(page, png)).entries()].sort((a, b) => b[1] - a[1]);
  return colours[0][0].split(',').map(Number) as RGB;
}
