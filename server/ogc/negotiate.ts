/**
 * Which representation a request gets: the `f` parameter if given (an unknown value is a 400), else the best match
 * of the Accept header among the resource's formats (q-values, most specific range first), else the resource's
 * default (the first format offered). Browsers ask for text/html first and get HTML; GDAL, QGIS and ArcGIS ask for
 * JSON types and get JSON.
 */
import type { Context } from 'koa';
import { MEDIA_TYPE } from '../../data/features/constants.ts';
import { QueryError } from '../../data/features/errors.ts';

export type Format = 'json' | 'html' | 'fgb' | 'csv';

/** Media types each format answers to, per kind of resource; the first is the one it is served as. */
export const FEATURE_FORMATS: Record<Format, readonly string[]> = {
  json: [MEDIA_TYPE.geojson, MEDIA_TYPE.json],
  fgb: [MEDIA_TYPE.flatgeobuf],
  html: [MEDIA_TYPE.html, 'application/xhtml+xml'],
  csv: [MEDIA_TYPE.csv],
};

export const DOCUMENT_FORMATS: Partial<Record<Format, readonly string[]>> = {
  json: [MEDIA_TYPE.json],
  html: [MEDIA_TYPE.html, 'application/xhtml+xml'],
};

/** `f` values and the format each names. */
const F_VALUES: Record<string, Format> = { json: 'json', geojson: 'json', fgb: 'fgb', flatgeobuf: 'fgb', html: 'html', csv: 'csv' };

/** The `f` values a resource with these formats accepts (for /api). */
export function fValues(formats: readonly Format[]): string[] {
  return Object.entries(F_VALUES)
    .filter(([, format]) => formats.includes(format))
    .map(([value]) => value);
}

interface AcceptRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): AcceptRange[] {
  const ranges: AcceptRange[] = [];
  for (const part of header.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const [type, subtype] = range.trim().split('/');
    if (!type || !subtype) continue;
    const qParam = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const q = qParam === undefined ? 1 : Number(qParam);
    ranges.push({ type, subtype, q: Number.isFinite(q) ? q : 0 });
  }
  return ranges;
}

/** The q of a media type under the Accept ranges: from the most specific matching range; 0 if none matches. */
function qualityOf(mediaType: string, ranges: AcceptRange[]): number {
  const [type, subtype] = mediaType.split(';')[0].trim().toLowerCase().split('/');
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return best < 0 ? 0 : q;
}

export function negotiate(ctx: Context, formats: Partial<Record<Format, readonly string[]>>): Format {
  const offered = Object.keys(formats) as Format[];
  const f = ctx.query.f;
  if (f !== undefined) {
    const format = typeof f === 'string' ? F_VALUES[f.toLowerCase()] : undefined;
    if (!format || !offered.includes(format)) throw new QueryError(`invalid f: "${f}"; this resource is available as f=${fValues(offered).join(', f=')}`, 400, 'f');
    return format;
  }
  const accept = ctx.get('Accept');
  if (!accept) return offered[0];
  const ranges = parseAccept(accept);
  let chosen = offered[0];
  let bestQ = 0;
  for (const format of offered) {
    const q = Math.max(...formats[format]!.map((m) => qualityOf(m, ranges)));
    if (q > bestQ) {
      bestQ = q;
      chosen = format;
    }
  }
  return chosen;
}
