/**
 * The `datetime` parameter and the year it selects. A value is an instant or an interval (`start/end`, either end
 * open as `..` or empty), each end an RFC 3339 date-time (`2022-06-01T12:00:00Z`, with Z or an offset) or date
 * (`2022-06-01`) — or, as a convenience, a month (`2022-06`) or a year (`2022`), which stand for all of it. One end
 * of an interval may be an ISO 8601 duration instead (`2022-06-01/P2D`, `P1M/2022-06-30`): the OGC conformance suite
 * (ets-ogcapi-features10, FeaturesTime) sends a start and a duration and expects a 200.
 *
 * A temporal collection (`regso`) carries the properties of one year per feature: the one chosen is the latest
 * year with data that the instant or interval touches; a value that touches none selects no features.
 */
import { isCql2Date } from '../query/cql2-ast.ts';
import { QueryError } from './errors.ts';

/** Milliseconds since the epoch, both ends included; ±Infinity for an open end. */
export interface TimeInterval {
  start: number;
  end: number;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The span an end of the value stands for, or an error message. */
function parseInstant(s: string): TimeInterval | string {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(s))) {
    const y = Number(m[1]);
    return { start: utc(y, 0, 1), end: utc(y + 1, 0, 1) - 1 };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12) return `"${s}" is not a month`;
    return { start: utc(y, mo - 1, 1), end: utc(y, mo, 1) - 1 };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    if (!isCql2Date(s)) return `"${s}" is not a calendar date`;
    const start = Date.parse(`${s}T00:00:00Z`);
    return { start, end: start + 86_400_000 - 1 };
  }
  if ((m = DATE_TIME.exec(s))) {
    const [, date, hh, mm, ss] = m;
    if (!isCql2Date(date) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) return `"${s}" is not a valid date-time`;
    const t = Date.parse(s.toUpperCase());
    if (Number.isNaN(t)) return `"${s}" is not a valid date-time`;
    return { start: t, end: t };
  }
  return `"${s}" is not a date-time (2022-06-01T12:00:00Z), a date (2022-06-01), a month (2022-06) or a year (2022)`;
}

/** An ISO 8601 duration: years, months, weeks, days, then after T hours, minutes, seconds (at least one part). */
const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** The instant `ms` moved by a duration (calendar arithmetic in UTC), forwards (sign 1) or backwards (-1); null if not a duration. */
function addDuration(ms: number, duration: string, sign: 1 | -1): number | null {
  const m = DURATION.exec(duration);
  if (!m) return null;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const t = new Date(ms);
  t.setUTCFullYear(t.getUTCFullYear() + sign * y, t.getUTCMonth() + sign * mo, t.getUTCDate() + sign * (7 * w + d));
  return t.getTime() + sign * ((h * 60 + mi) * 60 + s) * 1000;
}

function utc(y: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(y, month, day); // not Date.UTC, which reads years 0–99 as 1900–1999
  return d.getTime();
}

/** Parses a `datetime` value; throws QueryError (400) naming the parameter. */
export function parseDatetime(value: string): TimeInterval {
  const fail = (message: string): never => {
    throw new QueryError(`invalid datetime: ${message}`, 400, 'datetime');
  };
  const parts = value.split('/');
  if (parts.length > 2) fail(`"${value}" has more than one "/"`);
  if (parts.length === 1) {
    if (value === '..' || value === '') fail('an open end needs an interval, such as 2022/..');
    const span = parseInstant(value);
    return typeof span === 'string' ? fail(span) : span;
  }
  const isDuration = parts.map((p) => p.startsWith('P'));
  if (isDuration[0] && isDuration[1]) fail(`"${value}" gives two durations; give a start or an end too`);
  const ends = parts.map((p, i) => {
    if (isDuration[i]) return null;
    if (p === '..' || p === '') return isDuration[1 - i] ? fail(`a duration needs a start or an end, not an open end ("${value}")`) : null;
    const span = parseInstant(p);
    return typeof span === 'string' ? fail(span) : span;
  });
  const move = (ms: number, sign: 1 | -1) => addDuration(ms, parts[sign === 1 ? 1 : 0], sign) ?? fail(`"${parts[sign === 1 ? 1 : 0]}" is not an ISO 8601 duration (such as P2D or PT12H)`);
  // start/duration covers [start, start + duration); duration/end covers (end − duration, end].
  const start = ends[0] ? ends[0].start : isDuration[0] ? move(ends[1]!.end + 1, -1) : -Infinity;
  const end = ends[1] ? ends[1].end : isDuration[1] ? Math.max(start, move(start, 1) - 1) : Infinity;
  if (start > end) fail(`the interval "${value}" ends before it starts`);
  return { start, end };
}

/** The calendar year as an interval in UTC. */
export function yearInterval(year: number): TimeInterval {
  return { start: utc(year, 0, 1), end: utc(year + 1, 0, 1) - 1 };
}

/**
 * The year whose properties a temporal collection serves: the latest of `years` that the interval touches (the
 * latest of all without one); null if it touches none.
 */
export function selectYear(years: readonly number[], interval: TimeInterval | null): number | null {
  for (let i = years.length - 1; i >= 0; i--) {
    const y = yearInterval(years[i]);
    if (interval === null || (y.start <= interval.end && y.end >= interval.start)) return years[i];
  }
  return null;
}

/** The collection's temporal extent in RFC 3339, as `extent.temporal.interval` writes it. */
export function temporalExtent(years: readonly number[]): [string, string] {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [iso(yearInterval(years[0]).start), iso(yearInterval(years[years.length - 1]).end)];
}
