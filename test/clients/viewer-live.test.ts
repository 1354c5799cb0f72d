/**
 * The viewer following the server's data version over /events, in headless Chromium on the national dataset:
 *
 * - a new data version swapped into the store reaches the page and is drawn without reload: the shown version
 *   changes, the tile source URL carries the new ?v= and tiles are fetched with it;
 * - the server goes away (every connection dropped, the event stream included) and comes back on the same port with
 *   a new version — away as a stopped process (connections refused: the kiosk page) or behind a reverse proxy that
 *   answers 502 meanwhile (the analysts' page): meanwhile the page shows its "Återansluter …" mark over the last
 *   picture (the five områdestyp colours stay on the map) while it keeps trying (failed attempts counted through the
 *   DevTools protocol); afterwards the mark is gone and the new version is shown and drawn, by itself, without a
 *   reload, and nothing but the event stream ever failed.
 * Screenshots go to test-output/viewer-*.png.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.ts';
import { createHandler } from '../../server/app.ts';
import { requireClient } from '../helpers/clients.ts';
import { listenRestartable } from '../helpers/raw-http.ts';
import {
  expectCleanLoad,
  expectTypeColours,
  GOTEBORG_HASH,
  markPage,
  openViewer,
  OUTPUT_DIR,
  TIMEOUT_MS,
  waitIdle,
  wasReloaded,
  type OpenViewer,
  useViewerBench,
  type ViewerBench,
  type ViewerWindow,
} from '../helpers/viewer-page.ts';

const HAS_CHROMIUM = requireClient('chromium', 'Chromium');
const TILE_PATH = /^\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt$/;
/** An outage test waits for several states in turn (each up to TIMEOUT_MS on a loaded machine). */
const OUTAGE_TEST_MS = 180_000;
/** Failed attempts to reach /events the test waits for while the server is away. */
const FAILED_ATTEMPTS = 2;

let bench: ViewerBench;

describe.skipIf(!HAS_CHROMIUM)('the viewer following the data version over /events', () => {
  bench = useViewerBench();

  it('draws a new data version without a reload, with the new ?v= on the tiles', async () => {
    const run = await openViewer(bench.browser, bench.national.url, `/viewer/${GOTEBORG_HASH}`);
    const original = bench.national.store.current.dataset;
    try {
      await markPage(run.page);
      bench.national.store.swap({ ...original, id: 'test-viewer-version' });
      await expectVersionDrawn(run, 'test-viewer-version');
      await expect(run.page.locator('#version').textContent()).resolves.toContain(`(${bench.national.store.current.generation})`);
      await expectCleanLoad(run);
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, 'viewer-new-version.png') });
    } finally {
      bench.national.store.swap(original);
      await run.context.close();
    }
  });

  // Away as a process is away (connections refused), or behind a reverse proxy that answers 502 Bad Gateway meanwhile
  // (EventSource gives up on an HTTP error: the viewer has to open a new one itself). The wall screen's kiosk page and
  // the analysts' page (which also reloads its statistics) take one each.
  const outages = [
    { away: 'refused', page: 'kiosk', path: `/viewer/?kiosk=1&views=${encodeURIComponent('omradestyper:2023:1480')}` },
    { away: 'bad-gateway', page: 'analyst', path: `/viewer/${GOTEBORG_HASH}` },
  ] as const;
  it.each(outages)('the $page page recovers by itself after the server was away ($away), keeping the last picture meanwhile', async ({ away, page, path: viewerPath }) => {
    const app = createHandler(bench.national.store);
    let gateway = false;
    // Its own listener over the same store, so that it can go away and come back on the same port.
    const server = await listenRestartable((req, res) => (gateway ? res.writeHead(502, { 'Content-Type': 'text/plain' }).end('upstream away') : app(req, res)));
    const run = await openViewer(bench.browser, server.url, viewerPath);
    const statsReady = () => (page === 'analyst' ? run.page.locator('#stats[data-state="ready"]').waitFor({ timeout: TIMEOUT_MS }) : Promise.resolve());
    const original: Dataset = bench.national.store.current.dataset;
    const status = run.page.locator('#status');
    const attempts = await failedEventAttempts(run);
    try {
      await statsReady();
      await markPage(run.page);
      expect(await status.isVisible()).toBe(false);

      await server.stop();
      if (away === 'bad-gateway') {
        gateway = true;
        await server.start();
      }
      await status.waitFor({ state: 'visible', timeout: TIMEOUT_MS });
      await expect(status.textContent()).resolves.toBe('Återansluter …');
      // The page keeps trying while the server is away, and the mark stays. Behind the proxy, the second 502 is
      // already the viewer's own retry: EventSource gives up after the first.
      await waitUntil(() => attempts[away] >= FAILED_ATTEMPTS, `${FAILED_ATTEMPTS} attempts to reach /events answered ${away}`);
      expect(await status.isVisible()).toBe(true);
      // Never a blank map: the last picture stays while the server is away.
      const during = await expectTypeColours(run.page, `viewer-${page}-away-${away}-map.png`);
      console.log(`viewer ${page} page while away (${away}): share of map pixels per områdestyp colour ${JSON.stringify(during)}`);
      await run.page.screenshot({ path: path.join(OUTPUT_DIR, `viewer-${page}-away-${away}.png`) });

      bench.national.store.swap({ ...original, id: `test-after-${away}` });
      if (away === 'bad-gateway') gateway = false;
      else await server.start();
      await expectVersionDrawn(run, `test-after-${away}`);
      await status.waitFor({ state: 'hidden', timeout: TIMEOUT_MS });
      await expectTypeColours(run.page, `viewer-${page}-back-${away}-map.png`);
      await statsReady();

      // What failed is the event stream while the server was away, and only that.
      expect(failures(run).filter((p) => p !== '/events'), 'failures other than /events').toEqual([]);
      expect(run.log.pageErrors, 'page errors').toEqual([]);
      expect(await run.page.evaluate(() => (window as ViewerWindow).regsoViewer!.shown.errors), 'map errors').toEqual([]);
    } finally {
      bench.national.store.swap(original);
      await run.context.close();
      await server.stop();
    }
  }, OUTAGE_TEST_MS);
});

/** The page shows `version` and has drawn it: the tile source pinned to it, tiles fetched with it, not reloaded. */
async function expectVersionDrawn(run: OpenViewer, version: string): Promise<void> {
  await run.page.locator(`#version[data-version="${version}"]`).waitFor({ state: 'attached', timeout: TIMEOUT_MS });
  await waitIdle(run.page);
  expect(await wasReloaded(run.page), 'page reloaded').toBe(false);
  expect(new URL(await sourceUrl(run.page)).searchParams.get('v')).toBe(version);
  const tiles = run.log.requests.map((r) => new URL(r.url)).filter((u) => TILE_PATH.test(u.pathname));
  expect(tiles.some((u) => u.searchParams.get('v') === version), `tiles fetched with ?v=${version}`).toBe(true);
}

async function sourceUrl(page: Page): Promise<string> {
  return page.evaluate(() => ((window as ViewerWindow).regsoViewer!.map.getStyle().sources.regso as { url: string }).url);
}

/**
 * Counts the page's failed attempts to open /events, refused or answered 502, from the DevTools protocol's network
 * events: Playwright reports neither EventSource's own reconnects nor their failures.
 */
async function failedEventAttempts(run: OpenViewer): Promise<Record<'refused' | 'bad-gateway', number>> {
  const cdp = await run.context.newCDPSession(run.page);
  const streams = new Set<string>();
  const counts = { refused: 0, 'bad-gateway': 0 };
  cdp.on('Network.requestWillBeSent', (e) => {
    if (new URL(e.request.url).pathname === '/events') streams.add(e.requestId);
  });
  cdp.on('Network.loadingFailed', (e) => {
    if (streams.has(e.requestId) && e.errorText === 'net::ERR_CONNECTION_REFUSED') counts.refused += 1;
  });
  cdp.on('Network.responseReceived', (e) => {
    if (streams.has(e.requestId) && e.response.status === 502) counts['bad-gateway'] += 1;
  });
  await cdp.send('Network.enable');
  return counts;
}

/** The paths of every failed request, error response and console error (with its resource) of a page so far. */
function failures(run: OpenViewer): string[] {
  const entries = [...run.log.failed, ...run.log.badResponses, ...run.log.consoleErrors.map((e) => `${e.url} ${e.text}`)];
  return entries.map((entry) => new URL(/https?:\/\/[^\s]*[^\s:]/.exec(entry)?.[0] ?? 'about:blank').pathname);
}

/** Polls a condition of the test's own state (the page's log), up to TIMEOUT_MS. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
