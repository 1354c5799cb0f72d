/** The Koa-free core of OGC API – Features (data/features): datetime, CRS handling, sorting. */
import { describe, expect, it } from 'vitest';
import { toWebMercator } from '../../data/crs.ts';
import type { FeatureRecord } from '../../data/features/collections.ts';
import { CONFORMANCE_CLASSES, CRS_URI } from '../../data/features/constants.ts';
import { bboxToStoredForm, contentCrsHeader, geometryIn, looksEastingFirst, parseCrsUri, toStoredForm } from '../../data/features/crs.ts';
import { parseDatetime, selectYear, temporalExtent } from '../../data/features/datetime.ts';
import { QueryError } from '../../data/features/errors.ts';
import { sortFeatures } from '../../data/features/select.ts';

describe('datetime', () => {
  const at = (s: string) => Date.parse(s);

  it('reads instants and intervals with open ends', () => {
    expect(parseDatetime('2022')).toEqual({ start: at('2022-01-01T00:00:00Z'), end: at('2023-01-01T00:00:00Z') - 1 });
    expect(parseDatetime('2022-02')).toEqual({ start: at('2022-02-01T00:00:00Z'), end: at('2022-03-01T00:00:00Z') - 1 });
    expect(parseDatetime('2022-02-03')).toEqual({ start: at('2022-02-03T00:00:00Z'), end: at('2022-02-04T00:00:00Z') - 1 });
    expect(parseDatetime('2022-02-03T10:00:00+01:00')).toEqual({ start: at('2022-02-03T09:00:00Z'), end: at('2022-02-03T09:00:00Z') });
    expect(parseDatetime('2022-02-03T10:00:00.5Z').start).toBe(at('2022-02-03T10:00:00.500Z'));
    expect(parseDatetime('../2022')).toEqual({ start: -Infinity, end: at('2023-01-01T00:00:00Z') - 1 });
    expect(parseDatetime('2022/')).toEqual({ start: at('2022-01-01T00:00:00Z'), end: Infinity });
  });

  it('refuses what is not RFC 3339 (or a year or month) with a QueryError naming datetime', () => {
    for (const bad of ['22', '2022-1-1', '2022-02-29', '2022-02-03T10:00:00', '2022-02-03 10:00:00Z', 'now', '2023/2022']) {
      expect(() => parseDatetime(bad), bad).toThrow(QueryError);
      try {
        parseDatetime(bad);
      } catch (e) {
        expect((e as QueryError).parameter).toBe('datetime');
      }
    }
  });

  it('chooses the latest year with data that the value touches', () => {
    expect(selectYear([2022, 2023], null)).toBe(2023);
    expect(selectYear([2022, 2023], parseDatetime('2022-12-31T23:59:59Z'))).toBe(2022);
    expect(selectYear([2022, 2023], parseDatetime('2020/2022-01-01'))).toBe(2022);
    expect(selectYear([2022, 2023], parseDatetime('2024'))).toBeNull();
    expect(temporalExtent([2022, 2023])).toEqual(['2022-01-01T00:00:00Z', '2023-12-31T23:59:59Z']);
  });
});

describe('CRS', () => {
  it('knows the three CRS URIs (and safe CURIEs), and writes Content-Crs in angle brackets', () => {
    expect(parseCrsUri('http://www.opengis.net/def/crs/OGC/1.3/CRS84')).toBe('CRS84');
    expect(parseCrsUri('http://www.opengis.net/def/crs/EPSG/0/3006')).toBe('EPSG:3006');
    expect(parseCrsUri('[EPSG:3857]')).toBe('EPSG:3857');
    expect(parseCrsUri('http://www.opengis.net/def/crs/EPSG/0/4326')).toBeNull();
    expect(parseCrsUri('EPSG:3006')).toBeNull();
    expect(contentCrsHeader('EPSG:3006')).toBe(`<${CRS_URI['EPSG:3006']}>`);
  });

  it('writes EPSG:3006 northing first from the stored easting/northing, and reads it back', () => {
    const stored = { sweref99tm: { type: 'Point' as const, coordinates: [660_000.123, 6_600_000.456] }, wgs84: { type: 'Point' as const, coordinates: [17.9, 59.5] } };
    const out = geometryIn('EPSG:3006', stored);
    expect(out).toEqual({ type: 'Point', coordinates: [6_600_000.456, 660_000.123] });
    expect(toStoredForm('EPSG:3006', out)).toEqual(stored.sweref99tm);
    expect(geometryIn('CRS84', stored)).toBe(stored.wgs84);
    const [x, y] = (geometryIn('EPSG:3857', stored) as any).coordinates;
    const [ex, ey] = toWebMercator([17.9, 59.5]);
    expect(Math.abs(x - ex)).toBeLessThan(0.001);
    expect(Math.abs(y - ey)).toBeLessThan(0.001);
  });

  it('brings boxes to the stored form and tells a 3006 box written easting first', () => {
    expect(bboxToStoredForm('EPSG:3006', [6_600_000, 660_000, 6_601_000, 661_000])).toEqual([660_000, 6_600_000, 661_000, 6_601_000]);
    const [w, s] = bboxToStoredForm('EPSG:3857', [...toWebMercator([17.9, 59.5]), ...toWebMercator([18, 59.6])] as any);
    expect(w).toBeCloseTo(17.9, 9);
    expect(s).toBeCloseTo(59.5, 9);
    expect(looksEastingFirst([660_000, 6_600_000, 661_000, 6_601_000])).toBe(true);
    expect(looksEastingFirst([6_600_000, 660_000, 6_601_000, 661_000])).toBe(false);
    // A huge box (a zoomed-out client) is never taken for swapped.
    expect(looksEastingFirst([-10_000_000, -10_000_000, 20_000_000, 20_000_000])).toBe(false);
  });
});

describe('conformance', () => {
  it('lists each class once', () => {
    expect(new Set(CONFORMANCE_CLASSES).size).toBe(CONFORMANCE_CLASSES.length);
  });
});

describe('sorting', () => {
  const record = (id: string, props: Record<string, string | number | null>): FeatureRecord => ({ id, idValue: id, properties: props, geometry: null as any });

  it('orders strings the Swedish way, numbers numerically, NULL last either way, ties stable', () => {
    const fs = [record('a', { namn: 'Östra', n: 10 }), record('b', { namn: 'Zeta', n: null }), record('c', { namn: 'Åby', n: 9 }), record('d', { namn: 'ärla', n: 10 }), record('e', { namn: 'Alby', n: 100 })];
    const byName = [...fs];
    sortFeatures(byName, [{ property: 'namn', descending: false }]);
    expect(byName.map((f) => f.properties.namn)).toEqual(['Alby', 'Zeta', 'Åby', 'ärla', 'Östra']);
    const byN = [...fs];
    sortFeatures(byN, [{ property: 'n', descending: false }]);
    expect(byN.map((f) => f.id)).toEqual(['c', 'a', 'd', 'e', 'b']);
    sortFeatures(byN, [{ property: 'n', descending: true }]);
    expect(byN.map((f) => f.id)).toEqual(['e', 'a', 'd', 'c', 'b']);
  });
});
