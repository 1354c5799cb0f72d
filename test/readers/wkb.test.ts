import { describe, expect, it } from 'vitest';
import { parseGpkgGeometry } from '../../data/readers/geopackage.ts';
import { parseWkb, WkbError } from '../../data/readers/wkb.ts';

// Builders for hand-made WKB, so that byte orders and type codes GDAL does not write can be tested too.
const u32 = (n: number, little = true): number[] => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, little);
  return [...b];
};
const f64 = (...values: number[]): number[] =>
  values.flatMap((v) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    return [...b];
  });
const f64be = (...values: number[]): number[] =>
  values.flatMap((v) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    return [...b];
  });
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

describe('parseWkb', () => {
  it('reads big-endian WKB', () => {
    const point = bytes([0], u32(1, false), f64be(320000.5, 6405000.25));
    expect(parseWkb(point)).toEqual({ type: 'Point', coordinates: [320000.5, 6405000.25] });
  });

  it('reads parts whose byte order differs from their container', () => {
    const bigPolygon = [[0], u32(3, false), u32(1, false), u32(4, false), f64be(0, 0, 1, 0, 1, 1, 0, 0)].flat();
    const multi = bytes([1], u32(6), u32(1), bigPolygon);
    expect(parseWkb(multi)).toEqual({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] });
  });

  it('drops Z flagged the old OGC way (high bit), and M and ZM the ISO way', () => {
    const line25d = bytes([1], u32(0x80000002), u32(2), f64(1, 2, 99, 3, 4, 99));
    expect(parseWkb(line25d)).toEqual({ type: 'LineString', coordinates: [[1, 2], [3, 4]] });
    const pointM = bytes([1], u32(2001), f64(5, 6, 7));
    expect(parseWkb(pointM)).toEqual({ type: 'Point', coordinates: [5, 6] });
    const pointZM = bytes([1], u32(0xc0000001), f64(5, 6, 7, 8));
    expect(parseWkb(pointZM)).toEqual({ type: 'Point', coordinates: [5, 6] });
  });

  it('reads an empty point (NaN coordinates) and empty collections', () => {
    expect(parseWkb(bytes([1], u32(1), f64(NaN, NaN)))).toEqual({ type: 'Point', coordinates: [] });
    expect(parseWkb(bytes([1], u32(3), u32(0)))).toEqual({ type: 'Polygon', coordinates: [] });
    expect(parseWkb(bytes([1], u32(7), u32(0)))).toEqual({ type: 'GeometryCollection', geometries: [] });
  });

  it.each([
    ['a truncated geometry', bytes([1], u32(2), u32(3), f64(1, 2, 3, 4)), /^truncated WKB: needs more than its 41 bytes$/],
    ['a bad byte order marker', bytes([7], u32(1), f64(1, 2)), /^byte order marker 7 at byte 0: expected 0 or 1$/],
    ['a curve type', bytes([1], u32(8), u32(0)), /^unsupported WKB geometry type 8$/],
    ['an EWKB SRID', bytes([1], u32(0x20000001), u32(3006), f64(1, 2)), /embedded SRID/],
    ['a MultiPoint holding a LineString', bytes([1], u32(4), u32(1), [1], u32(2), u32(0)), /^a MultiPoint contains a LineString$/],
    ['bytes after the geometry', bytes([1], u32(1), f64(1, 2), [0, 0]), /^2 unexpected bytes after the Point$/],
  ])('rejects %s', (_, wkb, message) => {
    expect(() => parseWkb(wkb)).toThrow(WkbError);
    expect(() => parseWkb(wkb)).toThrow(message);
  });
});

describe('parseGpkgGeometry', () => {
  const point = [[1], u32(1), f64(320000, 6405000)].flat();
  const header = (flags: number) => [0x47, 0x50, 0, flags, ...u32(3006)];

  it('skips the envelope the flags announce', () => {
    expect(parseGpkgGeometry(bytes(header(0b0000_0001), point))).toEqual({ type: 'Point', coordinates: [320000, 6405000] });
    expect(parseGpkgGeometry(bytes(header(0b0000_0011), f64(1, 2, 3, 4), point)).type).toBe('Point'); // xy: 32 bytes
    expect(parseGpkgGeometry(bytes(header(0b0000_1001), f64(1, 2, 3, 4, 5, 6, 7, 8), point)).type).toBe('Point'); // xyzm: 64
  });

  it.each([
    ['no GP magic', bytes([0x47, 0x51, 0, 1], u32(0), point), /no "GP" magic/],
    ['a later version', bytes([0x47, 0x50, 1, 1], u32(0), point), /version 1: expected 0/],
    ['an extended geometry', bytes(header(0b0010_0001), point), /extended/],
    ['an invalid envelope code', bytes(header(0b0000_1011), point), /invalid envelope code 5/],
  ])('rejects %s', (_, blob, message) => {
    expect(() => parseGpkgGeometry(blob)).toThrow(WkbError);
    expect(() => parseGpkgGeometry(blob)).toThrow(message);
  });
});
