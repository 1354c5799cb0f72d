/**
 * `/collections/{collectionId}/items` and `/collections/{collectionId}/items/{featureId}`: parse the query, select
 * (data/features), then encode in the negotiated format. Every items response carries `Content-Crs` (geometry
 * formats), `OGC-NumberMatched`/`OGC-NumberReturned`, and a `Link` header with self, next and prev of its own
 * media type — the only way FlatGeobuf and CSV pages can tell QGIS where the next page is.
 */
import type { Context } from 'koa';
import type { CollectionModel } from '../../data/features/collections.ts';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { contentCrsHeader } from '../../data/features/crs.ts';
import { QueryError } from '../../data/features/errors.ts';
import { parseFeatureQuery, parseItemsQuery } from '../../data/features/query.ts';
import { requestYear, selectFeatures } from '../../data/features/select.ts';
import { collectionPath } from './collections.ts';
import { csvTable } from './csv.ts';
import { flatgeobufStream } from './flatgeobuf.ts';
import { geoJsonCollectionStream, geoJsonFeature } from './geojson.ts';
import { featureHtml, itemsHtml } from './html.ts';
import { FORMAT_MEDIA_TYPE, FORMAT_TITLE, href, segment, withParams, type Link, type UrlContext } from './links.ts';
import { FEATURE_FORMATS, negotiate, type Format } from './negotiate.ts';
import { send, sendJson } from './send.ts';

const FORMATS: Format[] = ['json', 'fgb', 'html', 'csv'];
const F_OF: Record<Format, string> = { json: 'json', fgb: 'fgb', html: 'html', csv: 'csv' };

function timeStamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Link header value: `<url>; rel="…"; type="…"`, comma-separated. */
function linkHeader(links: readonly Link[]): string {
  return links.map((l) => `<${l.href}>; rel="${l.rel}"${l.type ? `; type="${l.type}"` : ''}`).join(', ');
}

function fileName(c: CollectionModel, year: number | null, ext: string): string {
  return `${c.id}${year !== null ? `-${year}` : ''}.${ext}`;
}

export function itemsResponse(ctx: Context, c: CollectionModel, urls: UrlContext): void {
  const format = negotiate(ctx, FEATURE_FORMATS);
  const q = parseItemsQuery(c, ctx.query);
  const selection = selectFeatures(c, q);
  const path = `${collectionPath(c)}/items`;
  const returned = selection.features.length;

  // Links keep every parameter of the request; paging ones set offset and the effective (clamped) limit.
  const page = (offset: number | undefined, f: Format) =>
    href(urls.base, path, withParams(urls.query, { f: F_OF[f], ...(offset === undefined ? {} : { offset: String(offset), limit: String(q.limit) }) }));
  const typed = (rel: string, offset: number | undefined, f: Format, title: string): Link => ({ href: page(offset, f), rel, type: FORMAT_MEDIA_TYPE[f], title });
  const hasNext = q.offset + returned < selection.numberMatched;
  const hasPrev = q.offset > 0;
  const links: Link[] = [typed('self', undefined, format, 'This page')];
  for (const f of FORMATS) if (f !== format) links.push(typed('alternate', undefined, f, `This page as ${FORMAT_TITLE[f]}`));
  for (const f of [format, ...FORMATS.filter((x) => x !== format)]) {
    if (hasNext) links.push(typed('next', q.offset + q.limit, f, `Next page (${FORMAT_TITLE[f]})`));
    if (hasPrev) links.push(typed('prev', Math.max(0, q.offset - q.limit), f, `Previous page (${FORMAT_TITLE[f]})`));
  }
  links.push({ href: href(urls.base, collectionPath(c), { f: 'json' }), rel: 'collection', type: MEDIA_TYPE.json, title: c.title });

  ctx.set('OGC-NumberMatched', String(selection.numberMatched));
  ctx.set('OGC-NumberReturned', String(returned));
  ctx.set('Link', linkHeader(links.filter((l) => ['self', 'next', 'prev'].includes(l.rel) && l.type === FORMAT_MEDIA_TYPE[format])));
  if (format !== 'csv') ctx.set('Content-Crs', contentCrsHeader(q.crs));

  switch (format) {
    case 'json':
      return send(ctx, MEDIA_TYPE.geojson, geoJsonCollectionStream({ numberMatched: selection.numberMatched, numberReturned: returned, timeStamp: timeStamp(), links }, selection.features, q.crs, q.properties));
    case 'fgb':
      ctx.set('Content-Disposition', `inline; filename="${fileName(c, selection.year, 'fgb')}"`);
      return send(ctx, MEDIA_TYPE.flatgeobuf, flatgeobufStream(c, selection.features, q.crs, q.properties));
    case 'csv':
      ctx.set('Content-Disposition', `attachment; filename="${fileName(c, selection.year, 'csv')}"`);
      return send(ctx, `${MEDIA_TYPE.csv}; charset=utf-8; header=present`, csvTable(c, selection.features, q.properties));
    case 'html':
      return send(ctx, `${MEDIA_TYPE.html}; charset=utf-8`, itemsHtml(c, selection.features, { numberMatched: selection.numberMatched, year: selection.year, offset: q.offset, links, properties: q.properties }, urls.base));
  }
}

export function featureResponse(ctx: Context, c: CollectionModel, featureId: string, urls: UrlContext): void {
  const format = negotiate(ctx, FEATURE_FORMATS);
  const q = parseFeatureQuery(c, ctx.query);
  const year = requestYear(c, q.datetime);
  if (year === undefined) throw new QueryError(`${c.id} has no data for datetime "${ctx.query.datetime}"; years with data: ${c.years!.join(', ')}`, 404);
  const feature = c.feature(featureId, year);
  if (!feature) throw new QueryError(`no feature "${featureId}" in ${c.id}`, 404);
  const path = `${collectionPath(c)}/items/${segment(feature.id)}`;
  const link = (rel: string, f: Format, title: string): Link => ({ href: href(urls.base, path, withParams(urls.query, { f: F_OF[f] })), rel, type: FORMAT_MEDIA_TYPE[f], title });
  const links: Link[] = [link('self', format, 'This feature')];
  for (const f of FORMATS) if (f !== format) links.push(link('alternate', f, `This feature as ${FORMAT_TITLE[f]}`));
  links.push({ href: href(urls.base, collectionPath(c), { f: 'json' }), rel: 'collection', type: MEDIA_TYPE.json, title: c.title });
  ctx.set('Link', linkHeader(links.filter((l) => l.rel === 'self')));
  if (format !== 'csv') ctx.set('Content-Crs', contentCrsHeader(q.crs));

  switch (format) {
    case 'json':
      return sendJson(ctx, MEDIA_TYPE.geojson, geoJsonFeature(feature, q.crs, q.properties, links));
    case 'fgb':
      ctx.set('Content-Disposition', `inline; filename="${c.id}-${feature.id}.fgb"`);
      return send(ctx, MEDIA_TYPE.flatgeobuf, flatgeobufStream(c, [feature], q.crs, q.properties));
    case 'csv':
      ctx.set('Content-Disposition', `attachment; filename="${c.id}-${feature.id}.csv"`);
      return send(ctx, `${MEDIA_TYPE.csv}; charset=utf-8; header=present`, csvTable(c, [feature], q.properties));
    case 'html':
      return send(ctx, `${MEDIA_TYPE.html}; charset=utf-8`, featureHtml(c, feature, links, q.properties, urls.base));
  }
}
