/**
 * HTML pages of the Esri services for people with a browser (ArcGIS Server's `f=html`): what to paste into ArcGIS
 * Pro, ArcGIS Online and QGIS, the layers, the years and the tiling scheme. Plain HTML, no JavaScript.
 */
import { OMRADESTYP_COLORS, OMRADESTYP_NAMES } from '../../tiles/style/palette.ts';
import { DPI, TILE_PIXELS, lods, spatialReference, type EsriService } from '../../tiles/esri/services.ts';
import type { VectorLayer } from '../../tiles/tilejson.ts';
import { escapeHtml, renderPage } from '../ogc/html.ts';

export const SERVICES_PATH = '/arcgis/rest/services';

export function servicePath(service: EsriService): string {
  return `${SERVICES_PATH}/${encodeURIComponent(service.name)}/VectorTileServer`;
}

const SERVICES_CRUMB = { label: 'Services', href: `${SERVICES_PATH}?f=html` };

function a(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

function code(text: string): string {
  return `<code>${escapeHtml(text)}</code>`;
}

function summary(service: EsriService): string {
  return `Områdestyper ${service.tileset.year}${service.tileset.alias ? ' (the latest year)' : ''}, tile grid ${service.grid.id} (EPSG:${service.grid.epsg})`;
}

export function directoryHtml(services: readonly EsriService[], attribution: string): string {
  const rows = services.map((s) => `<tr><td>${a(`${servicePath(s)}?f=html`, s.name)}</td><td>VectorTileServer</td><td>${escapeHtml(summary(s))}</td></tr>`).join('');
  return renderPage({
    title: 'ArcGIS REST services',
    crumbs: [{ label: 'Services' }],
    body: `<p>Esri vector tile services for ArcGIS Pro, ArcGIS Online and QGIS. As JSON: ${a(`${SERVICES_PATH}?f=pjson`, `${SERVICES_PATH}?f=pjson`)}.</p>
<table><thead><tr><th>service</th><th>type</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>`,
    attribution,
  });
}

export function serviceHtml(service: EsriService, siblings: readonly EsriService[], layers: readonly VectorLayer[], base: string, attribution: string): string {
  const url = `${base}${servicePath(service)}`;
  const styleUrl = `${url}/resources/styles/root.json`;
  const [ox, oy] = service.grid.origin;
  const sr = spatialReference(service.grid);
  const legend = ([1, 2, 3, 4, 5] as const)
    .map((t) => `<li><span style="display:inline-block;width:1.2em;height:.9em;background:${OMRADESTYP_COLORS[t]};border:1px solid #999"></span> ${t} ${escapeHtml(OMRADESTYP_NAMES[t].sv)}</li>`)
    .join('');
  const layerRows = layers.map((l) => `<tr><td>${code(l.id)}</td><td class="num">${l.minzoom}–${l.maxzoom}</td><td>${escapeHtml(l.description)}</td></tr>`).join('');
  const lodRows = lods(service.grid).map((l) => `<tr><td class="num">${l.level}</td><td class="num">${l.resolution}</td><td class="num">1:${Math.round(l.scale).toLocaleString('en')}</td></tr>`).join('');
  const others = siblings.map((s) => `<li>${s.name === service.name ? `<strong>${escapeHtml(s.name)}</strong>` : a(`${servicePath(s)}?f=html`, s.name)} — ${escapeHtml(summary(s))}</li>`).join('');
  return renderPage({
    title: `${service.name} (VectorTileServer)`,
    crumbs: [SERVICES_CRUMB, { label: service.name }],
    body: `<p>${escapeHtml(summary(service))}. ${a(`${servicePath(service)}?f=pjson`, 'JSON')} · ${a(`${servicePath(service)}/resources/styles/root.json`, 'style (root.json)')}</p>
<h2>Add it</h2>
<dl>
<dt>ArcGIS Pro</dt><dd><em>Map → Add Data → Data From Path</em>, paste ${code(url)}</dd>
<dt>ArcGIS Online</dt><dd>Map Viewer: <em>Add → Add layer from URL</em>, paste ${code(url)}</dd>
<dt>QGIS</dt><dd><em>Browser → Vector Tiles → New ArcGIS Vector Tile Service Connection</em>: Service URL ${code(url)}, Style URL ${code(styleUrl)} (optional: QGIS loads the service's default style by itself)</dd>
</dl>
<h2>Områdestyp</h2><ul style="list-style:none;padding:0">${legend}</ul>
<h2>Layers</h2>
<table><thead><tr><th>layer</th><th>levels</th><th>what</th></tr></thead><tbody>${layerRows}</tbody></table>
<h2>Years and grids</h2><ul>${others}</ul>
<h2>Tiling scheme</h2>
<p>${escapeHtml(service.grid.title)}: EPSG:${service.grid.epsg} (wkid ${sr.wkid}), origin ${ox}, ${oy}, ${TILE_PIXELS} × ${TILE_PIXELS} px tiles at ${DPI} dpi. Tiles: ${code(`${url}/tile/{z}/{y}/{x}.pbf`)} (row before column).</p>
<table><thead><tr><th>level</th><th>resolution</th><th>scale</th></tr></thead><tbody>${lodRows}</tbody></table>`,
    attribution,
  });
}
