/**
 * The statistics panel: a metric by områdestyp for the chosen year — one button per type with its rate per 1,000 as
 * a bar and the 95 % interval as a whisker (inline SVG) — and the trend of each type over the years. Pressing a type
 * highlights its areas on the map. Suppressed cells show a dash with the reason, never a bar.
 */
import { formatNumber, pick, t } from './i18n.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const BAR_W = 160;
const BAR_H = 18;
const TREND_W = 280;
const TREND_H = 140;
const PAD = 28;

function svg(tag, attrs, children = []) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const child of children) el.append(child);
  return el;
}

function html(tag, attrs = {}, children = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') el.textContent = v;
    else el.setAttribute(k, String(v));
  }
  for (const child of children) el.append(child);
  return el;
}

/**
 * @param {HTMLElement} root
 * @param {{ metric: import('./stats-api.js').Metric, year: number, rows: import('./stats-api.js').StatsRow[],
 *   palette: any, highlight: number | null, onSelectType: (typ: number) => void }} model
 */
export function renderStats(root, model) {
  const { metric, year, rows, palette, highlight } = model;
  const current = rows.filter((r) => r.year === year && r.group >= 1 && r.group <= 5).sort((a, b) => a.group - b.group);
  const max = Math.max(1e-9, ...current.map((r) => r.high ?? r.rate ?? 0));
  const list = html('ul', { class: 'stats-bars' });
  for (const row of current) {
    const colour = palette.omradestyp[row.group].color;
    const name = pick(palette.omradestyp[row.group].name);
    const bar = svg('svg', { width: BAR_W, height: BAR_H, viewBox: `0 0 ${BAR_W} ${BAR_H}`, 'aria-hidden': 'true' });
    if (row.rate !== null) {
      bar.append(svg('rect', { x: 0, y: 3, width: (row.rate / max) * BAR_W, height: BAR_H - 6, fill: colour, stroke: palette.kommunLine, 'stroke-width': 1 }));
      if (row.low !== null && row.high !== null) {
        const [x0, x1] = [(row.low / max) * BAR_W, (row.high / max) * BAR_W];
        bar.append(svg('path', { d: `M${x0} ${BAR_H / 2}H${x1}M${x0} 2V${BAR_H - 2}M${x1} 2V${BAR_H - 2}`, stroke: palette.highlight, 'stroke-width': 1.5, fill: 'none' }));
      }
    }
    const value = row.rate === null ? `– (${row.reason ?? t('suppressed')})` : formatNumber(row.rate);
    const interval = row.low !== null && row.high !== null ? `${t('interval')} ${formatNumber(row.low)}–${formatNumber(row.high)}` : '';
    const button = html('button', { type: 'button', class: 'stats-type', 'aria-pressed': String(highlight === row.group), 'data-typ': row.group, title: [name, interval].filter(Boolean).join(' · ') }, [
      html('span', { class: 'stats-typ', text: String(row.group) }),
      bar,
      html('span', { class: 'stats-value', text: value }),
    ]);
    button.setAttribute('aria-label', `${t('type')} ${row.group}, ${name}: ${value} ${t('perThousand')}${interval ? `, ${interval}` : ''}${row.areas !== null ? `, ${row.areas} ${t('areas')}` : ''}`);
    button.addEventListener('click', () => model.onSelectType(row.group));
    list.append(html('li', {}, [button]));
  }
  root.replaceChildren(
    html('h2', { text: t('stats') }),
    html('p', { class: 'stats-metric', text: `${pick(metric.label)}, ${t('perThousand')}, ${year}` }),
    list,
    html('p', { class: 'hint', text: t('statsHint') }),
    html('h3', { text: t('trend') }),
    trendChart(rows, palette),
  );
}

/** One line per områdestyp over the years, dark-cased so the pale type-3 colour reads on white. */
function trendChart(rows, palette) {
  const years = [...new Set(rows.map((r) => r.year))].sort((a, b) => a - b);
  const valued = rows.filter((r) => r.rate !== null);
  const max = Math.max(1e-9, ...valued.map((r) => r.rate));
  const x = (year) => PAD + (years.length === 1 ? (TREND_W - 2 * PAD) / 2 : ((year - years[0]) / (years[years.length - 1] - years[0])) * (TREND_W - 2 * PAD));
  const y = (v) => TREND_H - PAD + 8 - (v / max) * (TREND_H - PAD - 8);
  const chart = svg('svg', { class: 'trend', width: TREND_W, height: TREND_H, viewBox: `0 0 ${TREND_W} ${TREND_H}`, role: 'img', 'aria-label': t('trend') });
  chart.append(svg('path', { d: `M${PAD} ${y(0)}H${TREND_W - PAD}`, stroke: palette.kommunLine, fill: 'none' }));
  for (const year of years) {
    const label = svg('text', { x: x(year), y: TREND_H - 6, 'text-anchor': 'middle', class: 'axis' });
    label.textContent = String(year);
    chart.append(label);
  }
  for (const typ of [1, 2, 3, 4, 5]) {
    const points = valued.filter((r) => r.group === typ).sort((a, b) => a.year - b.year).map((r) => `${x(r.year)},${y(r.rate)}`);
    if (points.length === 0) continue;
    const colour = palette.omradestyp[typ].color;
    chart.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: palette.kommunLine, 'stroke-width': 5 }));
    chart.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: colour, 'stroke-width': 3 }));
    for (const p of points) {
      const [cx, cy] = p.split(',');
      chart.append(svg('circle', { cx, cy, r: 4, fill: colour, stroke: palette.kommunLine }));
    }
  }
  return chart;
}

/** The panel when the server has no statistics (or they failed): a notice, the rest of the viewer unaffected. */
export function renderStatsNotice(root, text) {
  root.replaceChildren(html('h2', { text: t('stats') }), html('p', { class: 'notice', role: 'status', text }));
}
