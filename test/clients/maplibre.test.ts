/**
 * MapLibre GL JS (the npm maplibre-gl, served from node_modules over loopback) in headless Chromium (Debian's
 * `chromium`, driven by playwright-core) as a client of the national styles and tiles. The test page, MapLibre's
 * module, worker and CSS, the style, the TileJSON and the tiles all come from one server on 127.0.0.1 (the app with
 * test/helpers/maplibre-page.ts in front of it), as the viewer will serve them.
 *
 * Three maps, each waited for until its first `idle`: `omradestyper-2023` over Göteborg at z10 (single areas) and
 * at z5 (areas dissolved by kommun × områdestyp), and the choropleth `brott_totalt-2023` at z10. Each must load with
 * no console error, no page error, no map `error` event, no failed or 4xx/5xx request, and no request leaving
 * 127.0.0.1 (every request the page and MapLibre's workers made, which must include the tiles the server saw).
 * queryRenderedFeatures must return `regso` features with numeric ids that follow the id scheme (kommun × 1000 +
 * serial; kommun × 10 + type when dissolved), agree across tiles and match the layer filters; feature-state set on
 * Hjällbo östra (1480050) and on Göteborg's type-1 polygon (14801) must read back and show on exactly those
 * features. The screenshots (test-output/maplibre-*.png) must hold the five områdestyp colours (and the choropleth's
 * classes) as the style composites them: fill-opacity 0.85 over the page's white. The PNGs are decoded by Chromium.
 */
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetStore } from '../../server/dataset-store.ts';
import { createApp } from '../../server/app.ts';
import { TileCache } from '../../tiles/cache.ts';
import { CHOROPLETH_COLORS, OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import type { StyleDocument, StyleLayer } from '../../tiles/style/maplibre.ts';
import { requireClient } from '../helpers/clients.ts';
import { blend, colourShare, pngColours, rgbOf, totalPixels, WHITE, type RGB } from '../helpers/colours.ts';
import { launchChromium, MAP_HEIGHT, MAP_WIDTH, mapPageUrl, serveMapPage, watchPage, type MapPageState, type PageLog } from '../helpers/maplibre-page.ts';
import { nationalDataset } from '../helpers/national.ts';
import { listen } from '../helpers/raw-http.ts';

const HAS_CHROMIUM = requireClient('chromium', 'Chromium');
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
const GOTEBORG: [number, number] = [11.9746, 57.7089];
const HJALLBO = { id: 1480050, regsokod: '1480R050', regsonamn: 'Hjällbo östra', lonLat: [12.02706, 57.76851] as [number, number] };
/** Göteborg kommun's dissolved type-1 polygon at z0–6. */
const GOTEBORG_TYP1 = 14801;
const SOURCE = 'regso';
const AREA_LAYER = 'regso';
const TYPE_LAYERS = [1, 2, 3, 4, 5].map((t) => `omradestyp-${t}`);
const FILL_OPACITY = 0.85;
/** Per channel, for the colours of the PNG against the expected composite. */
const COLOUR_TOLERANCE = 3;
/** A colour must cover at least this share of the map's pixels to count as present. */
const MIN_SHARE = 0.001;
const IDLE_TIMEOUT_MS = 30_000;

interface OpenMap {
  page: Page;
  context: BrowserContext;
  log: PageLog;
  /** Paths the server answered for this page (tiles and all). */
  served: string[];
  mapErrors: string[];
  seconds: number;
}

/** A rendered feature as it comes back from the page. */
interface Rendered {
  id: unknown;
  layer: string;
  source: string;
  sourceLayer: string | undefined;
  state: Record<string, unknown>;
  props: Record<string, unknown>;
}

type TestWindow = Window & { regsoTest?: MapPageState };

let browser: Browser | undefined;
let origin = '';
let closeServer: (() => Promise<void>) | undefined;
/** Paths the server saw, for the page currently loading. */
let serverLog: string[] = [];

describe.skipIf(!HAS_CHROMIUM)('MapLibre GL JS in headless Chromium on the national styles and tiles', () => {
  beforeAll(async () => {
    const dataset = await nationalDataset();
    const app = createApp(new DatasetStore(dataset, new TileCache(256 * 1024 * 1024))).callback();
    const server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
      serverLog.push(req.url ?? '');
      if (!serveMapPage(req, res)) void app(req, res);
    });
    origin = server.url;
    closeServer = server.close;
    browser = await launchChromium();
    await mkdir(OUTPUT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await closeServer?.();
  });

  describe('omradestyper-2023, Göteborg at z10', () => {
    let run: OpenMap;
    beforeAll(async () => {
      run = await openMap('omradestyper-2023', GOTEBORG, 10);
    });
    afterAll(() => run?.context.close());

    it('loads with no errors and makes every request to 127.0.0.1', () => expectCleanLoad(run));

    it('queryRenderedFeatures returns regso areas with numeric ids (kommun × 1000 + serial) and their områdestyp', async () => {
      const features = await rendered(run.page, TYPE_LAYERS);
      expect(features.length).toBeGreaterThan(100);
      expectConsistentIds(features);
      for (const f of features) {
        expect(f.source).toBe(SOURCE);
        expect(f.sourceLayer).toBe(AREA_LAYER);
        expect(Number.isInteger(f.id), `id ${String(f.id)}`).toBe(true);
        expect(f.layer).toBe(`omradestyp-${String(f.props.omradestyp)}`);
        expect(f.props.year).toBe(2023);
        const code = String(f.props.regsokod);
        expect(code).toMatch(/^\d{4}R\d{3}$/);
        expect(f.id).toBe(Number(code.slice(0, 4)) * 1000 + Number(code.slice(5)));
      }
      expect(new Set(features.map((f) => f.props.omradestyp))).toEqual(new Set([1, 2, 3, 4, 5]));
      const hjallbo = features.find((f) => f.id === HJALLBO.id);
      expect(hjallbo?.props).toMatchObject({ regsokod: HJALLBO.regsokod, regsonamn: HJALLBO.regsonamn });
    });

    it('feature-state set on Hjällbo östra (1480050) reads back and marks exactly that area', async () => {
      const result = await featureState(run.page, HJALLBO.id, HJALLBO.lonLat);
      expect(result.state).toEqual({ selected: true });
      expect(result.atPoint.map((f) => f.id)).toContain(HJALLBO.id);
      expect(result.atPoint.find((f) => f.id === HJALLBO.id)?.state).toEqual({ selected: true });
      expect(result.marked.length).toBeGreaterThan(0);
      expect(new Set(result.marked)).toEqual(new Set([HJALLBO.id]));
      expect(result.cleared).toEqual({});
    });

    it('renders the five områdestyp colours (0.85 over white); screenshot in test-output/', async () => {
      const colours = await screenshotColours(run.page, 'maplibre-goteborg-z10.png');
      const found = typeColourShares(colours);
      console.log(`MapLibre z10 Göteborg: share of pixels per områdestyp colour ${JSON.stringify(found)}; loaded in ${run.seconds.toFixed(1)} s`);
      for (const typ of [1, 2, 3, 4, 5] as const) expect(found[typ], `områdestyp ${typ} (${OMRADESTYP_COLORS[typ]} at ${FILL_OPACITY})`).toBeGreaterThan(MIN_SHARE);
    });
  });

  describe('omradestyper-2023, Göteborg at z5 (dissolved by kommun × områdestyp)', () => {
    let run: OpenMap;
    beforeAll(async () => {
      run = await openMap('omradestyper-2023', GOTEBORG, 5);
    });
    afterAll(() => run?.context.close());

    it('loads with no errors and makes every request to 127.0.0.1', () => expectCleanLoad(run));

    it('queryRenderedFeatures returns dissolved polygons with ids kommun × 10 + områdestyp', async () => {
      const features = await rendered(run.page, TYPE_LAYERS);
      expect(features.length).toBeGreaterThan(50);
      expectConsistentIds(features);
      for (const f of features) {
        expect(f.sourceLayer).toBe(AREA_LAYER);
        expect(Number.isInteger(f.id), `id ${String(f.id)}`).toBe(true);
        expect(f.layer).toBe(`omradestyp-${String(f.props.omradestyp)}`);
        expect(f.props.regsokod, 'single areas below z7').toBeUndefined();
        expect(f.props.n_areas).toBeGreaterThanOrEqual(1);
        expect(f.id).toBe(Number(f.props.kommunkod) * 10 + Number(f.props.omradestyp));
      }
      expect(new Set(features.map((f) => f.props.omradestyp))).toEqual(new Set([1, 2, 3, 4, 5]));
      expect(features.find((f) => f.id === GOTEBORG_TYP1)?.props).toMatchObject({ kommunkod: '1480', omradestyp: 1 });
    });

    it('feature-state set on Göteborg’s type-1 polygon (14801) reads back and marks exactly it', async () => {
      const result = await featureState(run.page, GOTEBORG_TYP1, HJALLBO.lonLat);
      expect(result.state).toEqual({ selected: true });
      expect(result.marked.length).toBeGreaterThan(0);
      expect(new Set(result.marked)).toEqual(new Set([GOTEBORG_TYP1]));
      expect(result.cleared).toEqual({});
    });

    it('renders the five områdestyp colours (0.85 over white); screenshot in test-output/', async () => {
      const colours = await screenshotColours(run.page, 'maplibre-goteborg-z5.png');
      const found = typeColourShares(colours);
      console.log(`MapLibre z5 Göteborg: share of pixels per områdestyp colour ${JSON.stringify(found)}; loaded in ${run.seconds.toFixed(1)} s`);
      for (const typ of [1, 2, 3, 4, 5] as const) expect(found[typ], `områdestyp ${typ} (${OMRADESTYP_COLORS[typ]} at ${FILL_OPACITY})`).toBeGreaterThan(MIN_SHARE);
    });
  });

  describe('brott_totalt-2023 (choropleth), Göteborg at z10', () => {
    const STYLE = 'brott_totalt-2023';
    const FIELD = 'brott_totalt_per_1000';
    let run: OpenMap;
    let style: StyleDocument;
    beforeAll(async () => {
      style = (await (await fetch(`${origin}/styles/${STYLE}.json`)).json()) as StyleDocument;
      run = await openMap(STYLE, GOTEBORG, 10);
    });
    afterAll(() => run?.context.close());

    const fills = () => style.layers.filter((l) => l.type === 'fill');
    const classes = () => fills().filter((l) => l.filter !== undefined);

    it('loads with no errors and makes every request to 127.0.0.1', () => expectCleanLoad(run));

    it('queryRenderedFeatures puts every area with a rate in exactly the class whose range holds it', async () => {
      const layers = classes().map((l) => l.id);
      expect(layers.length).toBeGreaterThanOrEqual(3);
      const features = await rendered(run.page, fills().map((l) => l.id));
      expectConsistentIds(features);
      const byId = new Map<unknown, Rendered[]>();
      for (const f of features) {
        expect(f.sourceLayer).toBe(AREA_LAYER);
        expect(Number.isInteger(f.id), `id ${String(f.id)}`).toBe(true);
        byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
      }
      let withValue = 0;
      for (const [id, parts] of byId) {
        const value = parts[0].props[FIELD];
        const inClasses = new Set(parts.filter((f) => layers.includes(f.layer)).map((f) => f.layer));
        if (typeof value !== 'number') {
          expect([...inClasses], `area ${String(id)} without ${FIELD}`).toEqual([]);
          continue;
        }
        withValue++;
        const expected = classes().filter((l) => inRange(l, value)).map((l) => l.id);
        expect(expected, `area ${String(id)}: ${FIELD} ${value} in one class`).toHaveLength(1);
        expect([...inClasses], `area ${String(id)}: ${FIELD} ${value}`).toEqual(expected);
      }
      expect(withValue).toBeGreaterThan(100);
    });

    it('renders the class colours as the style composites them; screenshot in test-output/', async () => {
      const colours = await screenshotColours(run.page, `maplibre-goteborg-${STYLE}-z10.png`);
      // An area with a value is drawn by every fill layer whose filter takes it: the unfiltered no-data base, then its class.
      const base = fills().filter((l) => l.filter === undefined).reduce((rgb, l) => over(rgb, l), WHITE);
      const shares = classes().map((l) => share(colours, over(base, l)));
      console.log(`MapLibre z10 ${STYLE}: share of pixels per class colour ${JSON.stringify(shares)}`);
      expect(classes().map((l) => l.paint['fill-color'])).toEqual(CHOROPLETH_COLORS.slice(0, classes().length));
      expect(shares.filter((s) => s > MIN_SHARE).length).toBeGreaterThanOrEqual(3);
    });
  });
});

/** Opens a new page on the map and waits for its first `idle` (or a map error). */
async function openMap(style: string, center: [number, number], zoom: number): Promise<OpenMap> {
  const started = performance.now();
  const context = await browser!.newContext({ viewport: { width: MAP_WIDTH, height: MAP_HEIGHT }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const log = watchPage(context, page);
  serverLog = [];
  await page.goto(mapPageUrl(origin, `${origin}/styles/${style}.json`, center, zoom));
  await page.waitForFunction(
    () => {
      const s = (window as TestWindow).regsoTest;
      return s !== undefined && (s.idle || s.errors.length > 0);
    },
    undefined,
    { timeout: IDLE_TIMEOUT_MS },
  );
  const mapErrors = await page.evaluate(() => (window as TestWindow).regsoTest!.errors);
  return { page, context, log, served: serverLog, mapErrors, seconds: (performance.now() - started) / 1000 };
}

function expectCleanLoad(run: OpenMap): void {
  expect(run.mapErrors, 'map error events').toEqual([]);
  expect(run.log.consoleErrors, 'console errors').toEqual([]);
  expect(run.log.pageErrors, 'page errors').toEqual([]);
  expect(run.log.failed, 'failed requests').toEqual([]);
  expect(run.log.badResponses, '4xx/5xx responses').toEqual([]);
  const outside = run.log.requests.filter((r) => {
    const u = new URL(r.url);
    return u.protocol !== 'http:' || u.hostname !== '127.0.0.1';
  });
  expect(outside, 'requests not to 127.0.0.1').toEqual([]);
  // The request log must hold what the server saw, worker traffic included: the style, the TileJSON, the tiles.
  const seen = new Set(run.log.requests.map((r) => {
    const u = new URL(r.url);
    return u.pathname + u.search;
  }));
  const tiles = run.served.filter((p) => /^\/tiles\/[^/]+\/\d+\/\d+\/\d+\.(mvt|pbf)/.test(p));
  expect(tiles.length).toBeGreaterThan(0);
  for (const p of run.served) expect(seen, `server saw ${p}`).toContain(p);
  expect(run.served.some((p) => p.startsWith('/styles/'))).toBe(true);
  expect(run.served.some((p) => /^\/tiles\/[^/]+\.json/.test(p))).toBe(true);
}

/** A feature id has the same properties wherever it is rendered: in every tile it is cut into, in every layer. */
function expectConsistentIds(features: Rendered[]): void {
  const first = new Map<unknown, Rendered>();
  for (const f of features) {
    const seen = first.get(f.id);
    if (!seen) first.set(f.id, f);
    else expect(f.props, `feature ${String(f.id)} across tiles and layers`).toEqual(seen.props);
  }
}

async function rendered(page: Page, layers: string[]): Promise<Rendered[]> {
  return page.evaluate(
    (layerIds) =>
      (window as TestWindow).regsoTest!.map.queryRenderedFeatures({ layers: layerIds }).map((f) => ({
        id: f.id,
        layer: f.layer.id,
        source: f.source,
        sourceLayer: f.sourceLayer,
        state: f.state as Record<string, unknown>,
        props: f.properties as Record<string, unknown>,
      })),
    layers,
  );
}

/**
 * Sets {selected: true} on a feature id and returns: the state read back, the regso features rendered at a point,
 * the ids of every rendered feature carrying the state, and the state after removing it again.
 */
async function featureState(page: Page, id: number, lonLat: [number, number]) {
  return page.evaluate(
    ({ id, lonLat, source, sourceLayer }) => {
      const map = (window as TestWindow).regsoTest!.map;
      const target = { source, sourceLayer, id };
      map.setFeatureState(target, { selected: true });
      const state = map.getFeatureState(target);
      const point = map.project(lonLat);
      const atPoint = map.queryRenderedFeatures(point).filter((f) => f.sourceLayer === sourceLayer).map((f) => ({ id: f.id, state: f.state }));
      const marked = map
        .queryRenderedFeatures()
        .filter((f) => f.sourceLayer === sourceLayer && f.state.selected === true)
        .map((f) => f.id);
      map.removeFeatureState(target);
      return { state, atPoint, marked, cleared: map.getFeatureState(target) };
    },
    { id, lonLat, source: SOURCE, sourceLayer: AREA_LAYER },
  );
}

/** Saves a screenshot of the map to test-output/ and returns its colours ("r,g,b" → pixels), decoded by Chromium. */
async function screenshotColours(page: Page, file: string): Promise<Map<string, number>> {
  const png = await page.locator('#map').screenshot({ path: path.join(OUTPUT_DIR, file) });
  const colours = await pngColours(page, png);
  expect(totalPixels(colours)).toBe(MAP_WIDTH * MAP_HEIGHT);
  return colours;
}

function typeColourShares(colours: Map<string, number>): Record<number, number> {
  const found: Record<number, number> = {};
  for (const typ of [1, 2, 3, 4, 5] as const) found[typ] = share(colours, blend(WHITE, rgbOf(OMRADESTYP_COLORS[typ]), FILL_OPACITY));
  return found;
}

function share(colours: Map<string, number>, rgb: RGB): number {
  return colourShare(colours, rgb, COLOUR_TOLERANCE);
}

/** A fill layer (constant colour and opacity) drawn over a colour. */
function over(base: RGB, layer: StyleLayer): RGB {
  return blend(base, rgbOf(String(layer.paint['fill-color'])), Number(layer.paint['fill-opacity'] ?? 1));
}

/** Whether a choropleth class filter ['all', ['>=', get, low], ['<' | '<=', get, high]] takes a value. */
function inRange(layer: StyleLayer, value: number): boolean {
  const [all, lowTest, highTest] = layer.filter as [string, [string, unknown, number], [string, unknown, number]];
  expect(all).toBe('all');
  expect(lowTest[0]).toBe('>=');
  expect(['<', '<=']).toContain(highTest[0]);
  return value >= lowTest[2] && (highTest[0] === '<' ? value < highTest[2] : value <= highTest[2]);
}
