/**
 * CSV of the attribute table (RFC 4180: comma, CRLF, double quotes): UTF-8 with a byte order mark so that
 * spreadsheet programs read å, ä and ö right; column `id`, then the properties; numbers with a decimal point;
 * null as an empty field. The geometry is left out: this is the table, the geometry formats are GeoJSON and
 * FlatGeobuf.
 */
import type { CollectionModel, FeatureRecord, PropertyValue } from '../../data/features/collections.ts';
import { outputProperties } from '../../data/features/select.ts';

/** One CSV field: empty for null, quoted when it holds the separator, a quote or a line break. */
export function csvField(v: PropertyValue | undefined, separator = ','): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return s.includes(separator) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvTable(collection: CollectionModel, features: readonly FeatureRecord[], properties: readonly string[] | null): string {
  const chosen = properties ?? collection.properties.map((p) => p.name);
  const columns = chosen.includes('id') ? chosen : ['id', ...chosen];
  const lines = [columns.map((v) => csvField(v)).join(',')];
  for (const f of features) {
    const props: Record<string, PropertyValue> = { id: f.idValue, ...outputProperties(f, chosen) };
    lines.push(columns.map((c) => csvField(props[c])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
