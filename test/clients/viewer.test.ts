/**
 * The viewer (/viewer/) in Debian's headless Chromium (playwright-core) on the national dataset, served in-process
 * (test/helpers/bench.national.ts): the page, MapLibre, styles, tiles, features and /events from one server on 127.0.0.1.
 *
 * - loads with no console or page error, no map error, no failed or 4xx request and no request to any other host;
 * - a screenshot of the map (legend and controls masked) holds the five områdestyp colours of tiles/style/palette.ts
 *   as drawn (fill-opacity 0.85 over the map's white);
 * - a click on Hjällbo östra (its pole of inaccessibility, computed here with polylabel) opens a popup with its code
 *   and the name of its type in 2023 (from the dataset's own tables);
 * - switching the year recolours an area whose type changed between 2022 and 2023 (found in the dataset);
 * - pressing a type in the legend marks exactly that type's areas with feature-state;
 * - the statistics panel draws the metric by områdestyp as /stats gives it (bar lengths in proportion to the rates),
 *   and a type pressed there marks its areas;
 * - Swedish by default, English by the switch (legend, labels, panel, marks, the map's own controls), kept in the URL
 *   and restored from it;
 * - keyboard only: Tab reaches every control in reading order, each with a visible focus outline and an accessible
 *   name; the year, utsatta områden, type buttons, language, kommun and search all work from the keyboard;
 * - kiosk mode hides the controls, cycles its views (short interval), and is readable at 3 m on a 1920 × 1080 wall.
 * Following the data version over /events: viewer-live.test.ts. Screenshots go to test-output/viewer-*.png.
 */
import path from 'node:path';
import polylabel from 'polylabel';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.ts';
import { OMRADESTYP_NAMES } from '../../tiles/style/palette.ts';
import { requireClient } from '../helpers/clients.ts';
import { pngColours, type RGB } from '../helpers/colours.ts';
import {
  expectCleanLoad,
  expectColour,
  expectTypeColours,
  GOTEBORG,
  GOTEBORG_HASH,
  markPage,
  openViewer as openViewerAt,
  OUTPUT_DIR,
  TIMEOUT_MS,
  TYPES,
  typeColour,
  waitIdle,
  waitViewer,
  wasReloaded,
  type OpenViewer,
  useViewerBench,
  type ViewerBench,
  type Typ,
  type ViewerWindow,
} from '../helpers/viewer-page.ts';

const HAS_CHROMIUM = requireClient('chromium', 'Chromium');
/** A wall screen: read at 3 m, the title needs 40 px and the legend 24 px at least. */
const WALL = { width: 1920, height: 1080 };
const WALL_TITLE_PX = 40;
const WALL_LEGEND_PX = 24;
/** Tab presses to go once round the page (about 20 stops). */
const MAX_TABS = 60;

let bench: ViewerBench;

function openViewer(pathAndQuery: string, viewport?: { width: number; height: number }): Promise<OpenViewer> {
  return openViewerAt(bench.browser, bench.national.url, pathAndQuery, viewport);
}

describe.skipIf(!HAS_CHROMIUM)('the viewer in headless Chromium on the national dataset', () => {
  bench = useViewerBench();

  describe('områdestyper 2023 over Göteborg', () => {
    let run: OpenViewer;
    beforeAll(async () => {
      run = await openViewer(`/viewer/${GOTEBORG_HASH}`);
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
      await expect(run.page.locator('#version').getAttribute('data-version')).resolves.toBe(bench.national.dataset.id);
    });

    it('draws the five områdestyp colours of the palette; screenshot in test-output/', async () => {
      const found = await expectTypeColours(run.page, 'viewer-omradestyper-2023-goteborg.png');
      console.log(`viewer z10 Göteborg: share of map pixels per områdestyp colour ${JSON.stringify(found)}`);
    });

    it('a click on Hjällbo östra (1480R050) shows its name, code and type', async () => {
      const code = '1480R050';
      const [lon, lat] = labelPoint(bench.national.dataset, code);
      await jumpTo(run.page, lon, lat, 13);
      await clickAt(run.page, lon, lat);
      const popup = run.page.locator('.maplibregl-popup-content');
      await popup.waitFor({ timeout: TIMEOUT_MS });
      const text = (await popup.textContent()) ?? '';
      const typ = bench.national.dataset.areaTypes.get(2023)!.get(code) as Typ;
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
      const area = await expectYearRecolours(run.page, () => run.page.selectOption('#year', '2022').then(() => undefined));
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-year-2022.png') });
      // The URL restores the state: a new page on it shows 2022 again.
      const again = await openViewer(new URL(run.page.url()).pathname + new URL(run.page.url()).search + new URL(run.page.url()).hash);
      try {
        await expect(again.page.locator('#year').inputValue()).resolves.toBe('2022');
        expectColour(await colourAt(again.page, area.lon, area.lat), typeColour(area.typ2022), 'restored from the URL');
      } finally {
        await again.context.close();
      }
      await run.page.selectOption('#year', '2023');
      await waitYear(run.page, 2023);
    });
  });

  describe.skipIf(!HAS_CHROMIUM)('statistics panel', () => {
    it('shows the metric by områdestyp as /stats gives it, and a type pressed marks its areas', async () => {
      const stats = await (await fetch(`${bench.national.url}/stats?metric=brott_totalt&year=2023`)).json();
      const rates = new Map<number, number>(stats.rows.filter((r: { group: string }) => /^[1-5]$/.test(r.group)).map((r: { group: string; rate: number }) => [Number(r.group), r.rate]));
      const run = await openViewer(`/viewer/?metric=brott_totalt&year=2023${GOTEBORG_HASH}`);
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

  describe('languages', () => {
    it('Swedish by default; the switch turns it English, the URL keeps lang=en and a reload restores it', async () => {
      const run = await openViewer(`/viewer/${GOTEBORG_HASH}`);
      try {
        await expectLanguage(run.page, 'sv');
        await markPage(run.page);
        await run.page.locator('#lang').click();
        await expectLanguage(run.page, 'en');
        expect(await wasReloaded(run.page), 'reloaded by the switch').toBe(false);
        expect(new URL(run.page.url()).searchParams.get('lang')).toBe('en');
        await run.page.reload();
        await waitViewer(run.page);
        await expectLanguage(run.page, 'en');
        await run.page.locator('#lang').click();
        await expectLanguage(run.page, 'sv');
        expect(new URL(run.page.url()).searchParams.has('lang')).toBe(false);
        await expectCleanLoad(run);
      } finally {
        await run.context.close();
      }
    });
  });

  describe('keyboard only', () => {
    let run: OpenViewer;
    let cdp: CDPSession;
    beforeAll(async () => {
      run = await openViewer(`/viewer/${GOTEBORG_HASH}`);
      await run.page.locator('#stats[data-state="ready"]').waitFor({ timeout: TIMEOUT_MS });
      cdp = await run.context.newCDPSession(run.page);
    });
    afterAll(() => run?.context.close());

    it('Tab reaches every control in reading order, each with a visible focus outline and an accessible name', async () => {
      const stops: FocusStop[] = [];
      for (let i = 0; i < MAX_TABS; i++) {
        await run.page.keyboard.press('Tab');
        const stop = await focusStop(run.page, cdp);
        if (stop === null || stop.key === stops[0]?.key) break;
        stops.push(stop);
      }
      // Header, then the sidebar top to bottom, the map and its zoom buttons, the legend, the statistics panel.
      const order = ['lang', 'theme', 'year', 'kommun', 'search', 'utsatta', 'map', 'zoom-in', 'zoom-out', ...TYPES.map((t) => `legend-${t}`), ...TYPES.map((t) => `stats-${t}`)];
      expect(stops.map((s) => s.key)).toEqual(order);
      for (const stop of stops) {
        expect(stop.focusVisible, `${stop.key} matches :focus-visible`).toBe(true);
        expect(stop.outlineStyle, `${stop.key}: outline style`).not.toBe('none');
        expect(parseFloat(stop.outlineWidth), `${stop.key}: outline width`).toBeGreaterThanOrEqual(2);
        expect(stop.name, `${stop.key}: accessible name`).not.toBe('');
      }
      // The names Chromium computes (from <label>, aria-label or the content), in the page's language.
      const names = Object.fromEntries(stops.map((s) => [s.key, s.name]));
      expect(names).toMatchObject({ lang: 'Switch to English', theme: 'Karta', year: 'År', kommun: 'Kommun', search: 'Sök område (namn eller kod)', utsatta: 'Polisens utsatta områden', ...UI.sv.mapControls });
      for (const typ of TYPES) {
        expect(names[`legend-${typ}`]).toBe(OMRADESTYP_NAMES[typ].sv);
        expect(names[`stats-${typ}`]).toContain(`${typ}, ${OMRADESTYP_NAMES[typ].sv}:`);
      }
    });

    it('the arrow keys on the year list recolour an area whose type changed between 2022 and 2023', async () => {
      await tabTo(run.page, 'year');
      await expectYearRecolours(run.page, () => run.page.keyboard.press('ArrowUp'));
      expect(await focusedKey(run.page)).toBe('year');
      await run.page.keyboard.press('ArrowDown');
      await waitYear(run.page, 2023);
    });

    it('Space switches Polisens utsatta områden on and off', async () => {
      await tabTo(run.page, 'utsatta');
      for (const on of [true, false]) {
        await run.page.keyboard.press('Space');
        await expect(run.page.locator('#utsatta').isChecked()).resolves.toBe(on);
        expect(new URL(run.page.url()).searchParams.get('utsatta')).toBe(on ? '1' : null);
        const visibility = await run.page.evaluate(() => {
          const { map } = (window as ViewerWindow).regsoViewer!;
          return map.getStyle().layers.filter((l) => (l.metadata as { switchable?: boolean } | undefined)?.switchable).map((l) => map.getLayoutProperty(l.id, 'visibility'));
        });
        expect(visibility.length).toBeGreaterThan(0);
        for (const v of visibility) expect(v).toBe(on ? 'visible' : 'none');
      }
    });

    it('Enter and Space press the type buttons of the legend and the panel, and the focus stays on the button', async () => {
      for (const [key, press] of [['legend-3', 'Enter'], ['stats-2', 'Space']] as const) {
        const typ = key.split('-')[1];
        await tabTo(run.page, key);
        for (const pressed of [true, false]) {
          await run.page.keyboard.press(press);
          // Both the legend and the panel are redrawn with the new state (the panel after its /stats request).
          for (const where of ['legend', 'stats']) {
            await run.page.locator(`#${where} button[data-typ="${typ}"][aria-pressed="${pressed}"]`).waitFor({ timeout: TIMEOUT_MS });
          }
          expect(new URL(run.page.url()).searchParams.get('typ')).toBe(pressed ? typ : null);
          const stop = await focusStop(run.page, cdp);
          expect(stop?.key, `focus after ${press} on ${key}`).toBe(key);
          expect(stop?.focusVisible, `focus outline after ${press} on ${key}`).toBe(true);
        }
      }
    });

    it('Enter on the language switch turns the page English and back, the focus staying on the switch', async () => {
      await tabTo(run.page, 'lang');
      await run.page.keyboard.press('Enter');
      await expectLanguage(run.page, 'en');
      expect(await focusedKey(run.page)).toBe('lang');
      await run.page.keyboard.press('Enter');
      await expectLanguage(run.page, 'sv');
    });

    it('the arrow keys on the kommun list fit the map to a kommun', async () => {
      await tabTo(run.page, 'kommun');
      await run.page.keyboard.press('ArrowDown');
      const code = await run.page.locator('#kommun').inputValue();
      expect(code).toMatch(/^\d{4}$/);
      expect(new URL(run.page.url()).searchParams.get('kommun')).toBe(code);
      await waitIdle(run.page);
      const centre = await run.page.evaluate(() => (window as ViewerWindow).regsoViewer!.map.getCenter().toArray());
      const box = bboxOfKommun(bench.national.dataset, code);
      expect(centre[0]).toBeGreaterThan(box[0]);
      expect(centre[0]).toBeLessThan(box[2]);
      expect(centre[1]).toBeGreaterThan(box[1]);
      expect(centre[1]).toBeLessThan(box[3]);
      const name = bench.national.dataset.areas.find((a) => a.kommunkod === code)!.kommunnamn;
      await expect(run.page.locator('#title').textContent()).resolves.toContain(name);
      await run.page.keyboard.press('ArrowUp');
      expect(new URL(run.page.url()).searchParams.has('kommun')).toBe(false);
    });

    it('typing in the search box, then ↓ and Enter on a result, opens the area', async () => {
      await tabTo(run.page, 'search');
      await run.page.keyboard.type('Hjällbo');
      // The list shows the answer for the whole text (every result holds it), not one for the first letters.
      await run.page.waitForFunction(
        (text) => {
          const results = [...document.querySelectorAll('#search-results button')];
          return results.length > 0 && results.every((b) => b.textContent!.includes(text));
        },
        'Hjällbo',
        { timeout: TIMEOUT_MS },
      );
      await run.page.keyboard.press('ArrowDown');
      expect(await focusedKey(run.page)).toBe('search-result');
      await run.page.keyboard.press('Enter');
      const popup = run.page.locator('.maplibregl-popup-content');
      await popup.waitFor({ timeout: TIMEOUT_MS });
      await expect(popup.textContent()).resolves.toContain('Hjällbo');
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-keyboard-search.png') });
      await expectCleanLoad(run);
    });
  });

  describe('kiosk', () => {
    it('hides the controls and cycles through its views', async () => {
      const views = 'omradestyper:2023:1480;brott_totalt:2022:0180';
      const run = await openViewer(`/viewer/?kiosk=1&interval=3&views=${encodeURIComponent(views)}`);
      try {
        await expect(run.page.locator('#controls').isVisible()).resolves.toBe(false);
        await expect(run.page.locator('#stats').isVisible()).resolves.toBe(false);
        const kommunName = (code: string) => bench.national.dataset.areas.find((a) => a.kommunkod === code)!.kommunnamn;
        const brott = bench.national.dataset.catalog.find((m) => m.id === 'brott_totalt')!.label.sv;
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
        const stockholm = bboxOfKommun(bench.national.dataset, '0180');
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

    it('is readable at 3 m on a 1920 × 1080 wall: title ≥ 40 px, legend and marks ≥ 24 px', async () => {
      const run = await openViewer(`/viewer/?kiosk=1&views=${encodeURIComponent('omradestyper:2023:1480')}`, WALL);
      try {
        const sizes = await run.page.evaluate(() => {
          const px = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
          // Every element of the legend that holds text of its own: the heading and each entry's label.
          const texts = [...document.querySelectorAll('#legend *')].filter((el) => [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== ''));
          return { title: px(document.querySelector('#title')!), synthetic: px(document.querySelector('#synthetic')!), legend: texts.map((el) => ({ text: el.textContent!, px: px(el) })) };
        });
        console.log(`viewer kiosk at 1920 × 1080: title ${sizes.title} px, legend ${sizes.legend.map((e) => e.px).join('/')} px, synthetic mark ${sizes.synthetic} px`);
        expect(sizes.title).toBeGreaterThanOrEqual(WALL_TITLE_PX);
        expect(sizes.synthetic).toBeGreaterThanOrEqual(WALL_LEGEND_PX);
        expect(sizes.legend.map((e) => e.text)).toEqual(expect.arrayContaining(TYPES.map((t) => OMRADESTYP_NAMES[t].sv)));
        for (const entry of sizes.legend) expect(entry.px, entry.text).toBeGreaterThanOrEqual(WALL_LEGEND_PX);
        await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-kiosk-wall.png') });
        await expectCleanLoad(run);
      } finally {
        await run.context.close();
      }
    });
  });
});

/** The viewer's texts as the issue asks for them, per language (the type names come from data/area-types.ts). */
const UI = {
  sv: {
    labels: { year: 'År', kommun: 'Kommun' },
    title: 'Områdestyper 2023',
    allSweden: 'Hela Sverige',
    synthetic: 'Syntetiska data',
    stats: 'Statistik per områdestyp',
    perThousand: 'per 1 000 invånare',
    switchTo: 'English',
    mapControls: { map: 'Karta', 'zoom-in': 'Zooma in', 'zoom-out': 'Zooma ut' },
  },
  en: {
    labels: { year: 'Year', kommun: 'Municipality' },
    title: 'Area types 2023',
    allSweden: 'All of Sweden',
    synthetic: 'Synthetic data',
    stats: 'Statistics by area type',
    perThousand: 'per 1,000 inhabitants',
    switchTo: 'Svenska',
    mapControls: { map: 'Map', 'zoom-in': 'Zoom in', 'zoom-out': 'Zoom out' },
  },
};

/** Checks the page's texts are all in one language: labels, title, legend, panel, marks, metric names, map controls. */
async function expectLanguage(page: Page, lang: 'sv' | 'en'): Promise<void> {
  const ui = UI[lang];
  // The panel is redrawn after its /stats request: wait for it.
  await page.waitForFunction((heading) => document.querySelector('#stats h2')?.textContent === heading, ui.stats, { timeout: TIMEOUT_MS });
  const shown = await page.evaluate(() => {
    const text = (selector: string) => document.querySelector(selector)?.textContent ?? null;
    const label = (selector: string) => document.querySelector(selector)?.getAttribute('aria-label') ?? null;
    return {
      lang: document.documentElement.lang,
      labels: { year: text('label[for="year"]'), kommun: text('label[for="kommun"]') },
      title: text('#title'),
      allSweden: text('#kommun option[value=""]'),
      synthetic: text('#synthetic'),
      statsMetric: text('#stats .stats-metric'),
      switchTo: text('#lang'),
      legend: [...document.querySelectorAll('#legend button[data-typ]')].map((b) => b.textContent),
      brott: text('#theme option[value="brott_totalt"]'),
      mapControls: { map: label('.maplibregl-canvas'), 'zoom-in': label('.maplibregl-ctrl-zoom-in'), 'zoom-out': label('.maplibregl-ctrl-zoom-out') },
    };
  });
  expect(shown).toMatchObject({ lang, labels: ui.labels, title: ui.title, allSweden: ui.allSweden, synthetic: ui.synthetic, switchTo: ui.switchTo, mapControls: ui.mapControls });
  expect(shown.legend).toEqual(TYPES.map((t) => OMRADESTYP_NAMES[t][lang]));
  expect(shown.statsMetric).toContain(ui.perThousand);
  expect(shown.brott).toBe(bench.national.dataset.catalog.find((m) => m.id === 'brott_totalt')!.label[lang]);
}

/** Where the keyboard focus is: a control's id, `map`, `zoom-in`/`zoom-out`, `legend-{typ}`, `stats-{typ}`, `search-result`; null on the body. */
function focusedKey(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const zoom = [...el.classList].find((c) => c.startsWith('maplibregl-ctrl-zoom-'));
    const group = el.closest('#legend, #stats, #search-results');
    if (el.classList.contains('maplibregl-canvas')) return 'map';
    if (zoom) return zoom.replace('maplibregl-ctrl-', '');
    if (group?.id === 'search-results') return 'search-result';
    if (group) return `${group.id}-${el.dataset.typ}`;
    return el.id || el.outerHTML.slice(0, 80);
  });
}

interface FocusStop {
  key: string;
  /** The accessible name Chromium computes. */
  name: string;
  outlineStyle: string;
  outlineWidth: string;
  focusVisible: boolean;
}

/** The focused control, its focus outline and its accessible name (from Chromium's accessibility tree); null on the body. */
async function focusStop(page: Page, cdp: CDPSession): Promise<FocusStop | null> {
  const key = await focusedKey(page);
  if (key === null) return null;
  const style = await page.evaluate(() => {
    const el = document.activeElement!;
    const { outlineStyle, outlineWidth } = getComputedStyle(el);
    return { outlineStyle, outlineWidth, focusVisible: el.matches(':focus-visible') };
  });
  const { result } = await cdp.send('Runtime.evaluate', { expression: 'document.activeElement' });
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { objectId: result.objectId, fetchRelatives: false });
  return { key, name: String(nodes[0]?.name?.value ?? ''), ...style };
}

/** Presses Tab until the control `key` has the focus. */
async function tabTo(page: Page, key: string): Promise<void> {
  for (let i = 0; i < MAX_TABS; i++) {
    if ((await focusedKey(page)) === key) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${key}`);
}

/** Waits until the map draws a year's style, and a frame with its tiles. */
async function waitYear(page: Page, year: number): Promise<void> {
  await page.waitForFunction((y) => ((window as ViewerWindow).regsoViewer!.map.getStyle().metadata as Record<string, unknown> | undefined)?.['regso-tiles:year'] === y, year, { timeout: TIMEOUT_MS });
  await waitIdle(page);
}

/**
 * Shows an area whose områdestyp changed between 2022 and 2023 in 2023, switches to 2022 with `switchYear`, and checks
 * that the area is recoloured and that the year list and the URL say 2022. Returns the area (the page stays on 2022).
 */
async function expectYearRecolours(page: Page, switchYear: () => Promise<void>): Promise<ReturnType<typeof changedArea> & { lon: number; lat: number }> {
  const area = changedArea(bench.national.dataset);
  const [lon, lat] = labelPoint(bench.national.dataset, area.regsokod);
  await jumpTo(page, lon, lat, 13);
  expectColour(await colourAt(page, lon, lat), typeColour(area.typ2023), `${area.regsokod}: type ${area.typ2023} in 2023`);
  await switchYear();
  await waitYear(page, 2022);
  await expect(page.locator('#year').inputValue()).resolves.toBe('2022');
  expectColour(await colourAt(page, lon, lat), typeColour(area.typ2022), `${area.regsokod}: type ${area.typ2022} in 2022`);
  expect(new URL(page.url()).searchParams.get('year')).toBe('2022');
  return { ...area, lon, lat };
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
