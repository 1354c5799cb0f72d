/**
 * The viewer's state in its URL, so a view can be bookmarked or put on a wall screen: query parameters for what is
 * shown, MapLibre's `#map=zoom/lat/lon` hash for the position. See README, "Viewer".
 */

export const TYPES_THEME = 'omradestyper';
export const DEFAULT_INTERVAL_S = 30;

/**
 * @typedef {{ kommun: string } | { bbox: [number, number, number, number] } | null} Region
 * @typedef {{ theme: string, year: number | null, region: Region }} View
 */

/** Reads the state from location.search. Unknown or malformed values fall back to the defaults. */
export function readState(search = location.search) {
  const q = new URLSearchParams(search);
  const year = Number(q.get('year'));
  const typ = Number(q.get('typ'));
  const interval = Number(q.get('interval'));
  return {
    theme: q.get('metric') || TYPES_THEME,
    year: Number.isInteger(year) && year > 0 ? year : null,
    lang: q.get('lang') === 'en' ? 'en' : 'sv',
    utsatta: q.get('utsatta') === '1',
    typ: typ >= 1 && typ <= 5 && Number.isInteger(typ) ? typ : null,
    kommun: /^\d{4}$/.test(q.get('kommun') ?? '') ? q.get('kommun') : null,
    kiosk: q.get('kiosk') === '1',
    views: parseViews(q.get('views') ?? ''),
    interval: interval >= 1 ? interval : DEFAULT_INTERVAL_S,
  };
}

/** Writes the analyst's state into the query (keeps the hash: MapLibre owns it). */
export function writeState(state) {
  const q = new URLSearchParams();
  if (state.theme !== TYPES_THEME) q.set('metric', state.theme);
  if (state.year !== null) q.set('year', String(state.year));
  if (state.lang !== 'sv') q.set('lang', state.lang);
  if (state.utsatta) q.set('utsatta', '1');
  if (state.typ !== null) q.set('typ', String(state.typ));
  if (state.kommun !== null) q.set('kommun', state.kommun);
  const search = q.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

/**
 * Kiosk views: `theme:year:region` separated by `;` — theme `omradestyper` or a metric id; year optional (the
 * latest); region optional: a kommun code (`1480`) or a box `west,south,east,north` in degrees.
 * @returns {View[]}
 */
export function parseViews(text) {
  return text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [theme, year, region] = part.split(':');
      return { theme: theme || TYPES_THEME, year: /^\d{4}$/.test(year ?? '') ? Number(year) : null, region: parseRegion(region ?? '') };
    });
}

function parseRegion(text) {
  if (/^\d{4}$/.test(text)) return { kommun: text };
  const box = text.split(',').map(Number);
  if (box.length === 4 && box.every(Number.isFinite) && box[0] < box[2] && box[1] < box[3]) return { bbox: box };
  return null;
}
