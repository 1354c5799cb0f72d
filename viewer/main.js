/**
 * The map viewer: områdestyp or a metric choropleth per year from the server's styles, kommun outlines, Polisen's
 * utsatta områden, legend, search, hover and click, the statistics panel, URL state, and kiosk mode. It follows the
 * data version over /events and redraws in place when it changes; it never reloads the page.
 *
 * `window.regsoViewer` exposes the map and the shown version (for the browser tests and for operators' consoles).
 */
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { apiUrl, getJson } from './http.js';
import { formatNumber, lang, pick, setLanguage, t } from './i18n.js';
import { followVersion } from './live.js';
import { AREA_LAYER, bboxOf, legendEntries, loadStyle, mappedField, SOURCE } from './map-style.js';
import { loadMetrics, loadStatsByType } from './stats-api.js';
import { renderStats, renderStatsNotice } from './stats-panel.js';
import { readState, TYPES_THEME, writeState } from './url-state.js';

const $ = (id) => document.getElementById(id);
const SEARCH_DELAY_MS = 250;
const SEARCH_LIMIT = 10;

const state = readState();
setLanguage(state.lang);

/** What the server told us: palette, dataset summary, metrics, kommuner; the version shown; the style drawn. */
const server = { palette: null, dataset: null, metrics: [], kommuner: [] };
const shown = { version: null, generation: null, style: null, field: null, away: false, errors: [] };
/** Ids that carry the `highlight` feature-state now. */
const highlighted = new Set();
let hoveredId = null;
let map;

/** One update at a time, in order (a version event during a view change waits for it). */
let queue = Promise.resolve();
function enqueue(task) {
  queue = queue.then(task).catch((err) => {
    showStatus('reconnecting');
    shown.away = true;
    console.warn('viewer update failed, retried when the server answers again', err);
  });
  return queue;
}

await start();

async function start() {
  const [palette, dataset] = await Promise.all([getJson('viewer/palette.json'), getJson('dataset')]);
  server.palette = palette;
  await loadDataset(dataset);
  state.region = null;
  server.kommuner = await loadKommuner();
  const kiosk = state.kiosk;
  if (kiosk) {
    document.body.classList.add('kiosk');
    if (state.views.length > 0) useView(state.views[0]);
  }
  const style = await loadStyle(state.theme, currentYear(), shown.version, palette);
  map = new maplibregl.Map({
    container: 'map',
    style: prepareStyle(style),
    bounds: regionBounds(kiosk ? state.region : state.kommun ? { kommun: state.kommun } : null),
    fitBoundsOptions: { padding: 20 },
    hash: kiosk ? false : 'map',
    attributionControl: false,
    fadeDuration: 0,
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  window.regsoViewer = { map, shown, state };
  map.on('error', (e) => {
    // Tile or TileJSON loads fail while the server is away: redrawn when /events reconnects.
    shown.away = true;
    shown.errors.push(String(e.error?.message ?? e.error ?? e.type));
  });
  if (!kiosk) {
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    wireControls();
    wireMapEvents();
  }
  localiseMap();
  map.on('idle', applyHighlight);
  afterStyle(style);
  renderTexts();
  followVersion({ onVersion: (v) => enqueue(() => onVersion(v)), onStatus: showStatus });
  if (kiosk) startKiosk();
  else void enqueue(refreshStats);
}

async function loadDataset(dataset) {
  server.dataset = dataset;
  server.metrics = await loadMetrics();
  shown.version = dataset.id;
  state.theme = knownTheme(state.theme);
}

/** A theme the server draws: a metric of the list, else the områdestyp map. */
function knownTheme(theme) {
  return server.metrics.some((m) => m.id === theme) ? theme : TYPES_THEME;
}

/** The kommuner (code, name, bbox) for the kommun list and for fitting: the OGC collection of the kommun layer. */
async function loadKommuner() {
  const layer = server.dataset.kommunLayer;
  if (!layer) return [];
  const q = new URLSearchParams({ limit: '1000', properties: [layer.codeField, layer.nameField].filter(Boolean).join(',') });
  const fc = await getJson(`collections/${encodeURIComponent(layer.layer)}/items?${q}`);
  return (fc?.features ?? [])
    .map((f) => ({ code: String(layer.codeField ? f.properties[layer.codeField] : f.id), name: String(f.properties[layer.nameField] ?? f.id), bbox: bboxOf(f.geometry) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
}

// ---- view: theme × year × region ----------------------------------------------------------------------------

function themeYears() {
  const metric = server.metrics.find((m) => m.id === state.theme);
  return metric ? server.dataset.years.filter((y) => metric.years.includes(y)) : server.dataset.years;
}

function currentYear() {
  const years = themeYears();
  return years.includes(state.year) ? state.year : years[years.length - 1];
}

/** The style as drawn: switchable overlays (utsatta områden) shown or hidden as the state says. */
function prepareStyle(style) {
  for (const layer of style.layers) {
    if (layer.metadata?.switchable) layer.layout = { ...layer.layout, visibility: state.utsatta ? 'visible' : 'none' };
  }
  return style;
}

/** Loads the style of the state's theme and year for the shown version and draws it (diffed: no blank frame). */
async function showView() {
  const style = await loadStyle(state.theme, currentYear(), shown.version, server.palette);
  map.setStyle(prepareStyle(style));
  clearHighlight();
  afterStyle(style);
}

function afterStyle(style) {
  shown.style = style;
  shown.field = mappedField(style);
  $('attribution').textContent = style.sources[SOURCE].attribution ?? '';
  renderTitle();
  renderLegend();
  renderSynthetic();
  renderVersion();
  if (!state.kiosk) {
    renderThemeAndYear();
    writeState(state);
  }
}

function regionBounds(region) {
  if (region && 'bbox' in region) return region.bbox;
  const kommun = region && server.kommuner.find((k) => k.code === region.kommun);
  if (kommun) return kommun.bbox;
  return server.kommuner.reduce((b, k) => [Math.min(b[0], k.bbox[0]), Math.min(b[1], k.bbox[1]), Math.max(b[2], k.bbox[2]), Math.max(b[3], k.bbox[3])], [180, 90, -180, -90]);
}

function fitRegion(region) {
  map.fitBounds(regionBounds(region), { padding: 20, animate: !state.kiosk });
}

// ---- data versions ------------------------------------------------------------------------------------------

async function onVersion(version) {
  shown.generation = version.generation;
  if (version.id !== shown.version) {
    await loadDataset(await getJson('dataset'));
    await showView();
    if (!state.kiosk) await refreshStats();
  } else if (shown.away) {
    // Back after an outage with the same data: reload the tiles that failed meanwhile.
    map.refreshTiles(SOURCE);
    if (!state.kiosk) await refreshStats();
  }
  shown.away = false;
  // A version event comes over a live stream, and drawing it worked: clear a mark a failed update may have left.
  showStatus('live');
  renderVersion();
}

function showStatus(status) {
  const el = $('status');
  el.hidden = status === 'live';
  el.textContent = t('reconnecting');
  if (status === 'reconnecting') shown.away = true;
}

// ---- kiosk --------------------------------------------------------------------------------------------------

/** Shows the views one after the other, each for `interval` seconds; the first is drawn at start. */
function startKiosk() {
  const views = state.views.length > 0 ? state.views : [{ theme: state.theme, year: state.year, region: state.kommun ? { kommun: state.kommun } : null }];
  let index = 0;
  document.body.dataset.view = '0';
  const next = () =>
    enqueue(async () => {
      index = (index + 1) % views.length;
      useView(views[index]);
      document.body.dataset.view = String(index);
      await showView();
      fitRegion(state.region);
    }).then(() => setTimeout(next, state.interval * 1000));
  setTimeout(next, state.interval * 1000);
}

function useView(view) {
  state.theme = knownTheme(view.theme);
  state.year = view.year;
  state.region = view.region;
}

// ---- controls -----------------------------------------------------------------------------------------------

function wireControls() {
  $('theme').addEventListener('change', (e) => {
    state.theme = e.target.value;
    void enqueue(async () => {
      await showView();
      await refreshStats();
    });
  });
  $('year').addEventListener('change', (e) => {
    state.year = Number(e.target.value);
    void enqueue(async () => {
      await showView();
      await refreshStats();
    });
  });
  $('kommun').addEventListener('change', (e) => {
    state.kommun = e.target.value || null;
    fitRegion(state.kommun ? { kommun: state.kommun } : null);
    renderTitle();
    writeState(state);
  });
  $('utsatta').checked = state.utsatta;
  $('utsatta').addEventListener('change', (e) => {
    state.utsatta = e.target.checked;
    for (const layer of shown.style.layers.filter((l) => l.metadata?.switchable)) map.setLayoutProperty(layer.id, 'visibility', state.utsatta ? 'visible' : 'none');
    renderLegend();
    writeState(state);
  });
  $('lang').addEventListener('click', () => {
    state.lang = lang() === 'sv' ? 'en' : 'sv';
    setLanguage(state.lang);
    renderTexts();
    localiseMap();
    afterStyle(shown.style);
    void enqueue(refreshStats);
  });
  wireSearch();
}

function wireSearch() {
  const input = $('search');
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void search(input.value.trim()), SEARCH_DELAY_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') $('search-results').querySelector('button')?.focus();
  });
}

/** Areas whose name (case and accent insensitive) or code holds the text: CQL2 on the OGC API, with the geometry to fit. */
async function search(text) {
  const list = $('search-results');
  if (text.length < 2) return list.replaceChildren();
  const like = `'%${text.replace(/[%_'\\]/g, '')}%'`;
  const q = new URLSearchParams({
    filter: `ACCENTI(CASEI(regsonamn)) LIKE ACCENTI(CASEI(${like})) OR CASEI(regsokod) LIKE CASEI(${like})`,
    limit: String(SEARCH_LIMIT),
    datetime: String(currentYear()),
    sortby: 'regsonamn',
  });
  const fc = await getJson(`collections/regso/items?${q}`);
  // Answers can come back out of order: one for text no longer in the box is dropped (its successor is on its way).
  if ($('search').value.trim() !== text) return;
  const features = fc?.features ?? [];
  if (features.length === 0) return list.replaceChildren(Object.assign(document.createElement('li'), { textContent: t('searchNone') }));
  list.replaceChildren(
    ...features.map((f) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `${f.properties.regsonamn} (${f.properties.regsokod}), ${f.properties.kommunnamn}`;
      button.addEventListener('click', () => {
        const box = bboxOf(f.geometry);
        map.fitBounds(box, { padding: 40, maxZoom: 13 });
        openPopup([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], f.properties);
      });
      const li = document.createElement('li');
      li.append(button);
      return li;
    }),
  );
}

// ---- map interaction ----------------------------------------------------------------------------------------

function fillLayerIds() {
  return shown.style.layers.filter((l) => l.type === 'fill').map((l) => l.id);
}

function areaAt(point) {
  return map.queryRenderedFeatures(point, { layers: fillLayerIds() }).find((f) => f.sourceLayer === AREA_LAYER) ?? null;
}

function wireMapEvents() {
  const hover = $('hover');
  map.on('mousemove', (e) => {
    const feature = areaAt(e.point);
    setHover(feature?.id ?? null);
    map.getCanvas().style.cursor = feature ? 'pointer' : '';
    hover.hidden = !feature;
    if (feature) {
      hover.textContent = feature.properties.regsonamn ?? `${feature.properties.kommunnamn} · ${t('type')} ${feature.properties.omradestyp}`;
      hover.style.left = `${e.point.x + 14}px`;
      hover.style.top = `${e.point.y + 14}px`;
    }
  });
  map.getCanvas().addEventListener('mouseleave', () => {
    setHover(null);
    hover.hidden = true;
  });
  map.on('click', (e) => {
    const feature = areaAt(e.point);
    if (feature) openPopup(e.lngLat, feature.properties);
  });
}

function setHover(id) {
  if (id === hoveredId) return;
  if (hoveredId !== null) map.setFeatureState({ source: SOURCE, sourceLayer: AREA_LAYER, id: hoveredId }, { hover: false });
  hoveredId = id;
  if (id !== null) map.setFeatureState({ source: SOURCE, sourceLayer: AREA_LAYER, id }, { hover: true });
}

let popup = null;

/** The area's name, code, kommun, type and figures (a dissolved polygon at low zoom: kommun, type, number of areas). */
function openPopup(lngLat, p) {
  const root = document.createElement('div');
  root.className = 'popup';
  const h = document.createElement('h2');
  h.textContent = p.regsonamn ?? p.kommunnamn;
  const rows = [];
  if (p.regsokod) rows.push([t('code'), p.regsokod], [t('kommun'), p.kommunnamn]);
  else rows.push([t('nAreas'), formatNumber(p.n_areas, 0)]);
  const typ = Number(p.omradestyp);
  rows.push([t('type'), `${typ} – ${pick(server.palette.omradestyp[typ]?.name)}`]);
  if (typeof p.befolkning === 'number') rows.push([t('population'), formatNumber(p.befolkning, 0)]);
  const metric = server.metrics.find((m) => m.id === state.theme);
  if (metric && metric.id !== 'befolkning') {
    const count = p[metric.id];
    const rate = shown.field && shown.field !== metric.id ? p[shown.field] : undefined;
    const value = typeof count === 'number' ? `${formatNumber(count, 0)}${typeof rate === 'number' ? ` (${formatNumber(rate)} ${t('perThousand')})` : ''}` : t('noValue');
    rows.push([pick(metric.label), value]);
  }
  const dl = document.createElement('dl');
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
  root.append(h, dl);
  popup?.remove();
  popup = new maplibregl.Popup({ maxWidth: '340px', closeButton: true }).setLngLat(lngLat).setDOMContent(root).addTo(map);
  localiseMap();
}

/**
 * MapLibre names its canvas, zoom buttons and popup close button in English, once, when it makes them: named here in
 * the viewer's language instead, again after every language switch.
 */
function localiseMap() {
  const within = map.getContainer();
  within.querySelector('.maplibregl-canvas')?.setAttribute('aria-label', t('map'));
  for (const [control, key] of [['zoom-in', 'zoomIn'], ['zoom-out', 'zoomOut']]) {
    const button = within.querySelector(`.maplibregl-ctrl-${control}`);
    button?.setAttribute('aria-label', t(key));
    button?.setAttribute('title', t(key));
  }
  within.querySelector('.maplibregl-popup-close-button')?.setAttribute('aria-label', t('close'));
}

// ---- highlight of one områdestyp (feature-state on the regso source) ----------------------------------------

function selectType(typ) {
  state.typ = state.typ === typ ? null : typ;
  clearHighlight();
  applyHighlight();
  renderLegend();
  void enqueue(refreshStats);
  writeState(state);
}

function clearHighlight() {
  if (map.getSource(SOURCE)) for (const id of highlighted) map.removeFeatureState({ source: SOURCE, sourceLayer: AREA_LAYER, id }, 'highlight');
  highlighted.clear();
}

/**
 * Marks the areas of the chosen type in the tiles loaded so far; run on every `idle`, so tiles loaded later (after a
 * pan or zoom) are marked too. Works at every zoom: below z7 the marked features are the dissolved type polygons.
 */
function applyHighlight() {
  if (state.typ === null || !map.getSource(SOURCE)) return;
  for (const f of map.querySourceFeatures(SOURCE, { sourceLayer: AREA_LAYER, filter: ['==', ['get', 'omradestyp'], state.typ] })) {
    if (f.id === undefined || highlighted.has(f.id)) continue;
    highlighted.add(f.id);
    map.setFeatureState({ source: SOURCE, sourceLayer: AREA_LAYER, id: f.id }, { highlight: true });
  }
}

// ---- statistics panel ---------------------------------------------------------------------------------------

/** The panel's metric: the mapped one if /stats takes it, else (e.g. on the områdestyp map) the first that it takes. */
function statsMetric() {
  return server.metrics.find((m) => m.id === state.theme && m.stats) ?? server.metrics.find((m) => m.stats) ?? null;
}

async function refreshStats() {
  const root = $('stats');
  const metric = statsMetric();
  if (!metric) return renderStatsNotice(root, t('statsMissing'));
  let rows;
  try {
    rows = await loadStatsByType(metric.id, metric.years.filter((y) => server.dataset.years.includes(y)));
  } catch (err) {
    console.warn('statistics failed', err);
    root.dataset.state = 'failed';
    return renderStatsNotice(root, t('statsFailed'));
  }
  if (rows === null) {
    root.dataset.state = 'missing';
    return renderStatsNotice(root, t('statsMissing'));
  }
  root.dataset.state = 'ready';
  keepingFocus(root, () => renderStats(root, { metric, year: currentYear(), rows, palette: server.palette, highlight: state.typ, onSelectType: selectType }));
}

/**
 * Redraws a part of the page that holds type buttons (legend, statistics panel). If one of them had the focus, its
 * successor gets it: pressing a type from the keyboard redraws the part, and the user keeps their place.
 */
function keepingFocus(root, render) {
  const typ = root.contains(document.activeElement) ? document.activeElement.dataset.typ : undefined;
  render();
  if (typ !== undefined) root.querySelector(`button[data-typ="${typ}"]`)?.focus();
}

// ---- texts, legend, marks -----------------------------------------------------------------------------------

function renderTexts() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  // The switch speaks the other language: its lang tells screen readers so.
  $('lang').textContent = t('language');
  $('lang').setAttribute('aria-label', t('languageLabel'));
  $('lang').lang = lang() === 'sv' ? 'en' : 'sv';
  $('map').setAttribute('aria-label', t('map'));
  $('legend').setAttribute('aria-label', t('legend'));
  $('controls').setAttribute('aria-label', t('controls'));
  $('search').placeholder = 'Hjällbo, 1480R050';
  const kommun = $('kommun');
  kommun.replaceChildren(new Option(t('allSweden'), ''), ...server.kommuner.map((k) => new Option(`${k.name} (${k.code})`, k.code)));
  kommun.value = state.kommun ?? '';
}

function themeLabel() {
  const metric = server.metrics.find((m) => m.id === state.theme);
  return metric ? pick(metric.label) : t('themeTypes');
}

function renderThemeAndYear() {
  const theme = $('theme');
  theme.replaceChildren(new Option(t('themeTypes'), TYPES_THEME), ...server.metrics.map((m) => new Option(pick(m.label), m.id)));
  theme.value = state.theme;
  const year = $('year');
  year.replaceChildren(...themeYears().map((y) => new Option(String(y), String(y))));
  year.value = String(currentYear());
}

function renderTitle() {
  const region = state.kiosk ? state.region : state.kommun ? { kommun: state.kommun } : null;
  const place = region && 'kommun' in region ? server.kommuner.find((k) => k.code === region.kommun)?.name : null;
  const title = [`${themeLabel()} ${currentYear()}`, place].filter(Boolean).join(' · ');
  $('title').textContent = title;
  document.title = `${title} – ${t('title')}`;
}

function renderSynthetic() {
  const metric = server.metrics.find((m) => m.id === state.theme);
  const d = server.dataset;
  const synthetic = Boolean(metric?.synthetic) || (d.areas?.byGeomSource?.synthetic ?? 0) > 0;
  const mark = $('synthetic');
  mark.hidden = !synthetic;
  mark.textContent = t('synthetic');
  mark.title = t('syntheticTitle');
}

function renderVersion() {
  const el = $('version');
  el.dataset.version = shown.version;
  el.textContent = `${t('version')} ${shown.version}${shown.generation ? ` (${shown.generation})` : ''}`;
}

function swatch(entry) {
  const s = document.createElement('span');
  s.className = entry.type === 'line' ? 'swatch line' : 'swatch';
  s.style[entry.type === 'line' ? 'borderTopColor' : 'backgroundColor'] = entry.color;
  return s;
}

function renderLegend() {
  const root = $('legend');
  const heading = document.createElement('h2');
  heading.textContent = shown.field && shown.field.endsWith('_per_1000') ? `${themeLabel()}, ${t('perThousand')}` : themeLabel();
  const list = document.createElement('ul');
  for (const entry of legendEntries(shown.style)) {
    if (entry.switchable && !state.utsatta) continue;
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.textContent = pick(entry.label);
    if (entry.omradestyp !== null && !state.kiosk) {
      // The områdestyp entries are buttons: pressing one highlights that type's areas.
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-pressed', String(state.typ === entry.omradestyp));
      button.dataset.typ = String(entry.omradestyp);
      button.append(swatch(entry), label);
      button.addEventListener('click', () => selectType(entry.omradestyp));
      li.append(button);
    } else li.append(swatch(entry), label);
    list.append(li);
  }
  keepingFocus(root, () => root.replaceChildren(heading, list));
}
