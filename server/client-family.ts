/**
 * Which kind of client sent a request, from its User-Agent (and Referer/Origin for ArcGIS Online, which runs in a
 * browser): for logs, to see which of the supported clients use the server. Order matters: ArcGIS and QGIS put
 * "Mozilla/5.0" in front like browsers do.
 */
export const CLIENT_FAMILIES = ['qgis', 'arcgis-pro', 'arcgis-online', 'arcgis-runtime', 'gdal', 'browser', 'curl', 'other'] as const;

export type ClientFamily = (typeof CLIENT_FAMILIES)[number];

const RULES: [RegExp, ClientFamily][] = [
  [/\bQGIS\//, 'qgis'],
  [/\bArcGIS ?Pro\b/i, 'arcgis-pro'],
  [/\bArcGIS(?:Runtime|MapsSDK)-/i, 'arcgis-runtime'],
  [/\bGDAL\//, 'gdal'],
  [/^curl\//, 'curl'],
];

/** A page on ArcGIS Online or an ArcGIS Enterprise portal hosted by Esri (maps.arcgis.com, *.arcgis.com). */
const ARCGIS_ONLINE = /^https?:\/\/(?:[\w-]+\.)*arcgis\.com(?:[:/]|$)/i;

export function clientFamily(userAgent: string | undefined, referer?: string, origin?: string): ClientFamily {
  if (!userAgent) return 'other';
  for (const [pattern, family] of RULES) if (pattern.test(userAgent)) return family;
  if (/^Mozilla\/5\.0 \(/.test(userAgent)) return ARCGIS_ONLINE.test(referer ?? '') || ARCGIS_ONLINE.test(origin ?? '') ? 'arcgis-online' : 'browser';
  return 'other';
}
