/**
 * Incident sources: point files read row by row and handed to a sink in EPSG:3006 with their year and category.
 * CSV (x/y in EPSG:3006 or lon/lat), GeoJSON points, and Polisen's public events (located by place name only).
 */
import { toSweref99tm } from '../crs.ts';
import { readFeatureFile } from '../readers/features.ts';
import { readCsvHeader, streamCsvFile } from '../readers/csv.ts';
import { readSourceBytes } from '../readers/source-file.ts';
import { fail, type Report } from '../report.ts';
import { sourceCrs } from '../areas.ts';

export type PointSink = (x: number, y: number, year: number, category: string, at: { line?: number; feature?: number }) => void;

export interface CsvIncidentFormat {
  crs: 'EPSG:3006' | 'EPSG:4326';
  columns: { x: string; y: string; date: string; category: string };
}

/** The year of an ISO-like date ("2023-04-05", "2023-04-05T10:00", "2024-01-01 0:40:16 +01:00"), or null. */
export function yearOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]|$)/.exec(date.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) return null;
  return Number(m[1]);
}

export async function readCsvIncidents(file: string, format: CsvIncidentFormat, report: Report, sink: PointSink): Promise<void> {
  const header = await readCsvHeader(file);
  const index = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) fail({ file, line: 1, field: name }, `no column "${name}"; columns are: ${header.join(', ')}`);
    return i;
  };
  const [xi, yi, di, ci] = [index(format.columns.x), index(format.columns.y), index(format.columns.date), index(format.columns.category)];
  const project = format.crs === 'EPSG:4326';
  let errors = 0;
  const bad = (line: number, field: string, message: string): void => {
    if (errors++ < 50) report.error({ file, line, field }, message);
  };
  await streamCsvFile(file, (values, line) => {
    let x = Number(values[xi]);
    let y = Number(values[yi]);
    if (values[xi] === '' || values[yi] === '' || !Number.isFinite(x) || !Number.isFinite(y)) {
      return bad(line, format.columns.x, `expected coordinates, found "${values[xi] ?? ''}", "${values[yi] ?? ''}"`);
    }
    const year = yearOf(values[di] ?? '');
    if (year === null) return bad(line, format.columns.date, `expected a date like 2023-04-05, found "${values[di] ?? ''}"`);
    if (project) [x, y] = toSweref99tm([x, y]);
    sink(x, y, year, values[ci] ?? '', { line });
  });
  if (errors > 50) report.error({ file }, `${errors - 50} more rows with errors`);
}

export async function readGeojsonIncidents(
  file: string,
  declaredCrs: string | undefined,
  properties: { date: string; category: string },
  report: Report,
  sink: PointSink,
): Promise<void> {
  const source = await readFeatureFile(file);
  const crs = sourceCrs(source, declaredCrs, report);
  if (crs === null) return;
  for (const f of source.features) {
    const at = { file, feature: f.index };
    if (f.geometry?.type !== 'Point') {
      report.error({ ...at, field: 'geometry' }, `expected a Point, found ${f.geometry?.type ?? 'no geometry'}`);
      continue;
    }
    const date = String(f.properties[properties.date] ?? '');
    const year = yearOf(date);
    if (year === null) {
      report.error({ ...at, field: properties.date }, `expected a date like 2023-04-05, found "${date}"`);
      continue;
    }
    const [x, y] = crs === 'EPSG:3006' ? f.geometry.coordinates : toSweref99tm(f.geometry.coordinates);
    sink(x, y, year, String(f.properties[properties.category] ?? ''), { feature: f.index });
  }
}

export interface PolisenEvent {
  index: number;
  year: number;
  type: string;
  /** location.name: a kommun ("Nacka") or a län ("Skåne län"). */
  place: string;
}

/** Polisen's events API: `[{id, datetime, type, location: {name, gps: "lat,lon"}}]`; located by name. */
export async function readPolisenEvents(file: string, report: Report): Promise<PolisenEvent[]> {
  let items: unknown;
  try {
    items = JSON.parse(Buffer.from(await readSourceBytes(file)).toString('utf8'));
  } catch (err) {
    fail({ file }, `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(items)) fail({ file }, 'expected a JSON array of events, as /api/events returns');
  const events: PolisenEvent[] = [];
  items.forEach((item: { datetime?: unknown; type?: unknown; location?: { name?: unknown } }, index) => {
    const year = typeof item?.datetime === 'string' ? yearOf(item.datetime) : null;
    const place = item?.location?.name;
    if (year === null) report.error({ file, feature: index, field: 'datetime' }, `expected a date-time like "2024-01-01 0:40:16 +01:00", found ${JSON.stringify(item?.datetime)}`);
    else if (typeof place !== 'string' || typeof item.type !== 'string') report.error({ file, feature: index, field: 'location.name' }, 'expected a type and a location name');
    else events.push({ index, year, type: item.type, place });
  });
  return events;
}
