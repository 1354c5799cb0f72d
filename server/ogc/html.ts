/**
 * HTML pages for people with a browser: the landing page, conformance, the API, the collections, a collection, a
 * page of features and one feature. Plain HTML with inline CSS and an inline SVG sketch of the features: no
 * JavaScript, nothing fetched from anywhere, every link relative to this server.
 */
import type { Geometry, Position } from 'geojson';
import type { CollectionModel, FeatureRecord, PropertyValue } from '../../data/features/collections.ts';
import { outputProperties } from '../../data/features/select.ts';
import { NO_DATA_COLOR, OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import type { CollectionDocument } from './collections.ts';
import type { LandingDocument } from './landing.ts';
import type { Link } from './links.ts';
import type { LinkBase } from './links.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The pages' only stylesheet, inline; the Content-Security-Policy allows exactly it by hash (server/security-headers.ts). */
export const PAGE_CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:.6rem 1.2rem}header a{color:#fff}
nav ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}nav li+li:before{content:"/";margin-right:.4rem;opacity:.7}
main{padding:1rem 1.2rem;max-width:1400px}h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;background:#fff;font-size:13px}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}td.null{color:#888;text-align:center}
.scroll{overflow:auto;max-height:75vh;border:1px solid #ddd}.meta{color:#555}.formats a{margin-right:.8rem}
.pager a{margin-right:1rem;font-weight:600}svg.map{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}
svg.map path{fill-rule:evenodd;stroke:#404040;stroke-width:.6;vector-effect:non-scaling-stroke}svg.map a:hover path{stroke:#000;stroke-width:2}
code{background:#eef2f6;padding:0 .2rem}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}
footer{padding:0 1.2rem 1rem}
`;

export interface Page {
  title: string;
  /** Breadcrumbs, from the landing page; the last one is this page. */
  crumbs: { label: string; href?: string }[];
  body: string;
  attribution?: string;
}

/** Makes a link of this server relative to it (path only), so no page names a host. */
export function local(base: LinkBase, url: string): string {
  return url.startsWith(base.url) ? url.slice(base.url.length) || '/' : url;
}

export function renderPage(p: Page): string {
  const crumbs = p.crumbs.map((c) => `<li>${c.href ? `<a href="${escapeHtml(c.href)}">${escapeHtml(c.label)}</a>` : escapeHtml(c.label)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(p.title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><nav aria-label="breadcrumbs"><ol>${crumbs}</ol></nav></header>
<main>
<h1>${escapeHtml(p.title)}</h1>
${p.body}
</main>
<footer class="meta">${p.attribution ? escapeHtml(p.attribution) : ''}</footer>
</body>
</html>
`;
}

function a(href: string, text: string, attrs = ''): string {
  return `<a href="${escapeHtml(href)}"${attrs}>${escapeHtml(text)}</a>`;
}

function linkList(base: LinkBase, links: readonly Link[]): string {
  return `<ul>${links.map((l) => `<li>${a(local(base, l.href), l.title ?? l.rel)} <span class="meta">(${escapeHtml(l.rel)}${l.type ? `, ${escapeHtml(l.type)}` : ''})</span></li>`).join('')}</ul>`;
}

const HOME = { label: 'Home', href: '/?f=html' };
const COLLECTIONS = { label: 'Collections', href: '/collections?f=html' };

// ---------------------------------------------------------------------------------------------------------------
// Capabilities

export function landingHtml(doc: LandingDocument, collections: readonly CollectionModel[], base: LinkBase): string {
  const list = collections.map((c) => `<li>${a(`/collections/${encodeURIComponent(c.id)}?f=html`, c.title)} <span class="meta">(${escapeHtml(c.id)}, ${c.itemCount} features)</span></li>`).join('');
  return renderPage({
    title: doc.title,
    crumbs: [{ label: 'Home' }],
    body: `<p>${escapeHtml(doc.description)}</p>
<h2>Collections</h2><ul>${list}</ul>
<h2>Links</h2>${linkList(base, doc.links.filter((l) => !l.rel.startsWith('http')))}`,
    attribution: doc.attribution,
  });
}

export function conformanceHtml(conformsTo: readonly string[]): string {
  return renderPage({
    title: 'Conformance',
    crumbs: [HOME, { label: 'Conformance' }],
    body: `<p>The conformance classes this API implements:</p><ul>${conformsTo.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('')}</ul>`,
  });
}

export function apiHtml(api: Record<string, any>): string {
  const rows: string[] = [];
  const resolve = (p: any) => (p.$ref ? api.components.parameters[p.$ref.split('/').pop()] : p);
  for (const [path, item] of Object.entries<any>(api.paths)) {
    const op = item.get;
    const params = (op.parameters ?? []).map(resolve);
    const paramList = params
      .map((p: any) => `<li><code>${escapeHtml(p.name)}</code> <span class="meta">(${escapeHtml(p.in)}${p.schema?.type ? `, ${escapeHtml(p.schema.type)}` : ''}${p.schema?.default !== undefined ? `, default ${escapeHtml(String(p.schema.default))}` : ''}${p.schema?.maximum !== undefined ? `, maximum ${escapeHtml(String(p.schema.maximum))}` : ''})</span> ${escapeHtml(p.description ?? '')}</li>`)
      .join('');
    rows.push(`<h2><code>GET ${escapeHtml(path)}</code></h2><p>${escapeHtml(op.summary ?? '')}</p>${paramList ? `<ul>${paramList}</ul>` : ''}`);
  }
  return renderPage({
    title: 'API',
    crumbs: [HOME, { label: 'API' }],
    body: `<p>${escapeHtml(api.info.description)} The definition as OpenAPI 3.0: ${a('/api?f=json', '/api?f=json')}.</p>${rows.join('\n')}`,
  });
}

export function collectionsHtml(collections: readonly CollectionModel[]): string {
  const rows = collections
    .map((c) => `<tr><td>${a(`/collections/${encodeURIComponent(c.id)}?f=html`, c.id)}</td><td>${escapeHtml(c.title)}</td><td class="num">${c.itemCount}</td><td>${escapeHtml(c.description)}</td></tr>`)
    .join('');
  return renderPage({
    title: 'Collections',
    crumbs: [HOME, { label: 'Collections' }],
    body: `<table><thead><tr><th>id</th><th>title</th><th>features</th><th>description</th></tr></thead><tbody>${rows}</tbody></table>`,
  });
}

export function collectionHtml(c: CollectionModel, doc: CollectionDocument, base: LinkBase): string {
  const path = `/collections/${encodeURIComponent(c.id)}`;
  const [w, s, e, n] = doc.extent.spatial.bbox[0];
  const temporal = doc.extent.temporal ? `<dt>Time</dt><dd>${escapeHtml(doc.extent.temporal.interval[0].join(' – '))} (years ${c.years!.join(', ')})</dd>` : '';
  const props = c.properties.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.type)}</td><td>${escapeHtml(p.title)}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`).join('');
  const years = c.years ? `<p>By year: ${c.years.map((y) => a(`${path}/items?f=html&datetime=${y}`, String(y))).join(' · ')}</p>` : '';
  return renderPage({
    title: c.title,
    crumbs: [HOME, COLLECTIONS, { label: c.id }],
    body: `<p>${escapeHtml(c.description)}</p>
<p class="formats">Features: ${a(`${path}/items?f=html`, 'HTML')} ${a(`${path}/items?f=json`, 'GeoJSON')} ${a(`${path}/items?f=fgb`, 'FlatGeobuf')} ${a(`${path}/items?f=csv`, 'CSV')} · ${a(`${path}/queryables?f=html`, 'Queryables')}</p>
${years}
<dl><dt>id</dt><dd><code>${escapeHtml(c.id)}</code></dd><dt>Features</dt><dd>${c.itemCount}</dd>
<dt>Extent (CRS84)</dt><dd>${[w, s, e, n].map((v) => v.toFixed(5)).join(', ')}</dd>${temporal}
<dt>CRS</dt><dd>${doc.crs.map((u) => `<code>${escapeHtml(u)}</code>`).join('<br>')}</dd><dt>Storage CRS</dt><dd><code>${escapeHtml(doc.storageCrs)}</code></dd>
<dt>Attribution</dt><dd>${escapeHtml(c.attribution)}</dd></dl>
<h2>Properties</h2><table><thead><tr><th>name</th><th>type</th><th>title</th><th>description</th></tr></thead><tbody>${props}</tbody></table>
<h2>Links</h2>${linkList(base, doc.links.filter((l) => !l.rel.startsWith('http') && l.href.startsWith(base.url)))}`,
    attribution: c.attribution,
  });
}

export function queryablesHtml(c: CollectionModel, doc: { properties: Record<string, any> }): string {
  const rows = Object.entries(doc.properties)
    .map(([name, q]) => `<tr><td><code>${escapeHtml(name)}</code></td><td>${escapeHtml(q.type ?? q.format ?? '')}</td><td>${escapeHtml(q.title ?? '')}</td><td>${escapeHtml(q.description ?? '')}</td></tr>`)
    .join('');
  return renderPage({
    title: `Queryables of ${c.id}`,
    crumbs: [HOME, COLLECTIONS, { label: c.id, href: `/collections/${encodeURIComponent(c.id)}?f=html` }, { label: 'Queryables' }],
    body: `<p>Names for <code>filter</code> (CQL2 text or JSON), <code>sortby</code> and <code>name=value</code> filters. Example: ${a(
      `/collections/${encodeURIComponent(c.id)}/items?f=html&filter=${encodeURIComponent(exampleFilter(c))}`,
      exampleFilter(c),
    )}</p>
<table><thead><tr><th>name</th><th>type</th><th>title</th><th>description</th></tr></thead><tbody>${rows}</tbody></table>`,
    attribution: c.attribution,
  });
}

function exampleFilter(c: CollectionModel): string {
  if (c.properties.some((p) => p.name === 'omradestyp')) return 'omradestyp IN (1,2)';
  const p = c.properties.find((q) => q.type === 'string');
  return p ? `${p.name} LIKE '%a%'` : 'TRUE';
}

// ---------------------------------------------------------------------------------------------------------------
// Features

export interface ItemsPageInfo {
  numberMatched: number;
  year: number | null;
  offset: number;
  links: Link[];
  properties: readonly string[] | null;
}

function valueCell(v: PropertyValue | undefined): string {
  if (v === null || v === undefined) return '<td class="null" title="no value, or suppressed by disclosure control">–</td>';
  return typeof v === 'number' ? `<td class="num">${v}</td>` : `<td>${escapeHtml(String(v))}</td>`;
}

export function itemsHtml(c: CollectionModel, features: readonly FeatureRecord[], info: ItemsPageInfo, base: LinkBase): string {
  const path = `/collections/${encodeURIComponent(c.id)}`;
  const columns = info.properties ?? c.properties.map((p) => p.name);
  const rows = features
    .map((f) => {
      const props = outputProperties(f, columns);
      return `<tr><td>${a(`${path}/items/${encodeURIComponent(f.id)}?f=html${info.year !== null ? `&datetime=${info.year}` : ''}`, f.id)}</td>${columns.map((k) => valueCell(props[k])).join('')}</tr>`;
    })
    .join('\n');
  const rel = (r: string) => info.links.find((l) => l.rel === r && l.type === 'text/html');
  const prev = rel('prev');
  const next = rel('next');
  const formats = info.links.filter((l) => l.rel === 'alternate').map((l) => a(local(base, l.href), l.title ?? l.type ?? 'alternate'));
  const years = c.years ? `<p>Year: ${c.years.map((y) => (y === info.year ? `<strong>${y}</strong>` : a(`${path}/items?f=html&datetime=${y}`, String(y)))).join(' · ')}</p>` : '';
  const shown = features.length === 0 ? 'none' : `${info.offset + 1}–${info.offset + features.length}`;
  return renderPage({
    title: `${c.title}: features`,
    crumbs: [HOME, COLLECTIONS, { label: c.id, href: `${path}?f=html` }, { label: 'Features' }],
    body: `<p class="meta">${info.numberMatched} matching features; showing ${shown}${info.year !== null ? `; properties of ${info.year}` : ''}.</p>
${years}
<p class="pager">${prev ? a(local(base, prev.href), '← Previous page', ' rel="prev"') : ''}${next ? a(local(base, next.href), 'Next page →', ' rel="next"') : ''}</p>
<p class="formats">This page as: ${formats.join(' ')}</p>
${sketch(c, features, (f) => `${path}/items/${encodeURIComponent(f.id)}?f=html${info.year !== null ? `&datetime=${info.year}` : ''}`)}
<div class="scroll"><table><thead><tr><th>id</th>${columns.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table></div>
<p class="meta">– : no value, or a figure suppressed by disclosure control.</p>`,
    attribution: c.attribution,
  });
}

export function featureHtml(c: CollectionModel, f: FeatureRecord, links: readonly Link[], properties: readonly string[] | null, base: LinkBase): string {
  const path = `/collections/${encodeURIComponent(c.id)}`;
  const specs = new Map(c.properties.map((p) => [p.name, p]));
  const props = outputProperties(f, properties);
  const rows = Object.entries(props)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th>${valueCell(v)}<td class="meta">${escapeHtml(specs.get(k)?.title ?? '')}</td></tr>`)
    .join('');
  const formats = links.filter((l) => l.rel === 'alternate').map((l) => a(local(base, l.href), l.title ?? l.type ?? 'alternate'));
  return renderPage({
    title: `${c.title}: ${f.id}`,
    crumbs: [HOME, COLLECTIONS, { label: c.id, href: `${path}?f=html` }, { label: 'Features', href: `${path}/items?f=html` }, { label: f.id }],
    body: `<p class="formats">This feature as: ${formats.join(' ')}</p>
${sketch(c, [f], () => null)}
<table><tbody>${rows}</tbody></table>
<p class="meta">– : no value, or a figure suppressed by disclosure control.</p>`,
    attribution: c.attribution,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// SVG sketch, drawn in SWEREF 99 TM (true proportions in Sweden), north up

const WIDTH = 800;

function sketch(c: CollectionModel, features: readonly FeatureRecord[], linkOf: (f: FeatureRecord) => string | null): string {
  if (features.length === 0) return '';
  const [minx, miny, maxx, maxy] = features.reduce<[number, number, number, number]>(
    (b, f) => {
      const fb = f.geometry.bbox.sweref99tm;
      return [Math.min(b[0], fb[0]), Math.min(b[1], fb[1]), Math.max(b[2], fb[2]), Math.max(b[3], fb[3])];
    },
    [Infinity, Infinity, -Infinity, -Infinity],
  );
  const span = Math.max(maxx - minx, maxy - miny, 1);
  const k = WIDTH / span;
  const height = Math.max(Math.round((maxy - miny) * k), 40);
  const width = Math.max(Math.round((maxx - minx) * k), 40);
  const px = (p: Position): [number, number] => [Math.round((p[0] - minx) * k * 10) / 10, Math.round((maxy - p[1]) * k * 10) / 10];
  const shapes = features
    .map((f) => {
      const d = pathData(f.geometry.sweref99tm, px);
      const typ = f.properties.omradestyp;
      const isLine = /LineString/.test(f.geometry.sweref99tm.type);
      const fill = isLine ? 'none' : c.properties.some((p) => p.name === 'omradestyp') ? (typeof typ === 'number' && typ in OMRADESTYP_COLORS ? OMRADESTYP_COLORS[typ as 1] : NO_DATA_COLOR) : '#9ecae1';
      const name = String(f.properties.regsonamn ?? f.properties.namn ?? f.properties.kommunnamn ?? '');
      const shape = `<path d="${d}" fill="${fill}" fill-opacity="0.8"><title>${escapeHtml(`${f.id}${name ? ` ${name}` : ''}`)}</title></path>`;
      const link = linkOf(f);
      return link ? `<a href="${escapeHtml(link)}">${shape}</a>` : shape;
    })
    .join('');
  return `<svg class="map" viewBox="-4 -4 ${width + 8} ${height + 8}" width="${width + 8}" height="${height + 8}" role="img" aria-label="Sketch of the features (SWEREF 99 TM, north up)">${shapes}</svg>`;
}

/** SVG path data; positions closer than half a unit to the previous one are dropped (they would not show). */
function pathData(g: Geometry, px: (p: Position) => [number, number]): string {
  const ring = (coords: Position[], close: boolean): string => {
    let out = '';
    let last: [number, number] | null = null;
    for (const p of coords) {
      const q = px(p);
      if (last && Math.abs(q[0] - last[0]) < 0.5 && Math.abs(q[1] - last[1]) < 0.5) continue;
      out += `${last ? 'L' : 'M'}${q[0]} ${q[1]}`;
      last = q;
    }
    return out + (close ? 'Z' : '');
  };
  const dot = (p: Position) => {
    const [x, y] = px(p);
    return `M${x - 3} ${y}a3 3 0 1 0 6 0a3 3 0 1 0 -6 0`;
  };
  switch (g.type) {
    case 'Point':
      return dot(g.coordinates);
    case 'MultiPoint':
      return g.coordinates.map(dot).join('');
    case 'LineString':
      return ring(g.coordinates, false);
    case 'MultiLineString':
      return g.coordinates.map((l) => ring(l, false)).join('');
    case 'Polygon':
      return g.coordinates.map((r) => ring(r, true)).join('');
    case 'MultiPolygon':
      return g.coordinates.flatMap((poly) => poly.map((r) => ring(r, true))).join('');
    case 'GeometryCollection':
      return g.geometries.map((child) => pathData(child, px)).join('');
  }
}
