/**
 * Checking a parsed filter against the queryables before evaluation: unknown names, type mismatches, operators
 * on the wrong type, and geometry literals outside the filter CRS.
 */
import { describe, expect, it } from 'vitest';
import { Cql2Error } from '../../data/query/cql2-ast.ts';
import { parseCql2Json } from '../../data/query/cql2-json.ts';
import { parseCql2Text } from '../../data/query/cql2-text.ts';
import { checkFilter, CRS84_FILTER_CRS, type FilterCrs } from '../../data/query/queryables.ts';
import { QUERYABLES } from './fixtures.ts';

const SWEREF99TM: FilterCrs = { range: [-1_200_000, 4_300_000, 2_600_000, 8_500_000], longitudeX: false };

function check(text: string, crs?: FilterCrs): void {
  checkFilter(parseCql2Text(text), QUERYABLES, crs);
}

function errorOf(text: string, crs?: FilterCrs): string {
  try {
    check(text, crs);
  } catch (e) {
    expect(e).toBeInstanceOf(Cql2Error);
    return (e as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

describe('filters that fit the queryables pass', () => {
  it.each([
    "omradestyp IN (1,2) AND kommunnamn = 'Göteborg'",
    'S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.8))',
    'S_INTERSECTS(geom, POINT(7.02 49.92))', // the OGC tests' name for the geometry
    "CASEI(kommunnamn) = casei('GÖTEBORG')",
    "ACCENTI(regsonamn) LIKE ACCENTI('Hjallbo%')",
    "ACCENTI(CASEI(regsonamn)) IN (accenti(casei('Kiev')), accenti(casei('kobenhavn')))",
    'befolkning BETWEEN 2000 AND 5000',
    'brott_totalt_per_1000 >= 2.5 AND omradestyp <> 3.0', // integer and number compare
    'NOT (omradestyp = 5)',
    'brott_totalt_per_1000 IS NULL OR geometry IS NOT NULL',
    "uppdaterad > DATE('2024-01-01') AND uppdaterad < TIMESTAMP('2025-01-01T00:00:00Z')",
    "uppdaterad IN ('2022-04-14', '2022-04-15') OR uppdaterad = '2024-01-01T00:00:00Z'", // date strings cast, as the OGC tests write them
    'utsatt = TRUE OR utsatt IN (false)',
    'true',
    'S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))', // crosses the antimeridian in CRS84
  ])('%s', (text) => {
    expect(() => check(text)).not.toThrow();
  });

  it('the same for CQL2 JSON', () => {
    const json = { op: 'and', args: [{ op: 'in', args: [{ property: 'omradestyp' }, [1, 2]] }, { op: '=', args: [{ property: 'kommunnamn' }, 'Göteborg'] }] };
    expect(() => checkFilter(parseCql2Json(json), QUERYABLES)).not.toThrow();
  });

  it('coordinates in EPSG:3006 pass with its range', () => {
    expect(() => check('S_INTERSECTS(geometry, POINT(319000 6400000))', SWEREF99TM)).not.toThrow();
    expect(() => check('S_INTERSECTS(geometry, POINT(319000 6400000))')).toThrow(Cql2Error);
  });
});

describe('errors', () => {
  it('an unknown queryable lists the queryables', () => {
    expect(errorOf("kommun = 'Göteborg'")).toBe(`unknown queryable "kommun"; queryables are: ${Object.keys(QUERYABLES).join(', ')}`);
    expect(() => checkFilter(parseCql2Text('x = 1'), { a: { type: 'string' }, b: { type: 'number' } })).toThrow('unknown queryable "x"; queryables are: a, b');
  });

  it('unknown names are found anywhere in the tree', () => {
    expect(errorOf("omradestyp = 1 AND (NOT (CASEI(kommun) LIKE 'x%') OR befolkning > 1)")).toMatch(/^unknown queryable "kommun"/);
    expect(errorOf('omradestyp IN (1, nummer)')).toMatch(/^unknown queryable "nummer"/);
    expect(errorOf('S_INTERSECTS(geometri, POINT(1 2))')).toMatch(/^unknown queryable "geometri"/);
  });

  it.each([
    ["kommunnamn = 5", `type mismatch in '=': "kommunnamn" is a string and 5 is a number`],
    ["omradestyp = '1'", `type mismatch in '=': "omradestyp" is a number and '1' is a string`],
    ["5 < kommunnamn", `type mismatch in '<': 5 is a number and "kommunnamn" is a string`],
    ["utsatt = 'ja'", `type mismatch in '=': "utsatt" is a boolean and 'ja' is a string`],
    ["omradestyp IN (1, '2')", `type mismatch in IN: "omradestyp" is a number and '2' is a string`],
    ["uppdaterad = '1 januari 2024'", `type mismatch in '=': "uppdaterad" is a date and '1 januari 2024' is a string`],
    ["kommunnamn > DATE('2024-01-01')", `type mismatch in '>': "kommunnamn" is a string and DATE('2024-01-01') is a date`],
    ["befolkning LIKE '1%'", 'LIKE needs strings: "befolkning" is a number'],
    ["kommunnamn BETWEEN 'A' AND 'B'", 'BETWEEN needs numbers: "kommunnamn" is a string'],
    ["CASEI(befolkning) = 'x'", 'CASEI needs strings: "befolkning" is a number'],
    ["ACCENTI(utsatt) = 'x'", 'ACCENTI needs strings: "utsatt" is a boolean'],
    ["S_INTERSECTS(kommunnamn, POINT(1 2))", 'S_INTERSECTS needs geometries: "kommunnamn" is a string'],
    ["geometry = 'x'", "'=' cannot compare geometries: \"geometry\" is a geometry; use S_INTERSECTS"],
    ["befolkning = POINT(1 2)", "'=' cannot compare geometries: a POINT is a geometry; use S_INTERSECTS"],
  ])('%s', (text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  it('coordinates outside CRS84 fail, as the OGC tests require of POINT(90 180)', () => {
    expect(errorOf('S_INTERSECTS(geometry, POINT(90 180))')).toBe('coordinate (90 180) of a POINT is outside the filter CRS (x -180…180, y -90…90)');
    expect(errorOf('S_INTERSECTS(geom, MULTIPOINT(7.02 49.92, 90 180))')).toBe('coordinate (90 180) of a MULTIPOINT is outside the filter CRS (x -180…180, y -90…90)');
    expect(errorOf('S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(0 0), LINESTRING(0 0, 0 91)))')).toMatch(/^coordinate \(0 91\) of a GEOMETRYCOLLECTION/);
    expect(errorOf('S_INTERSECTS(geom, BBOX(-181, 0, 1, 1))')).toMatch(/^coordinate \(-181 0\) of a BBOX/);
  });

  it('a BBOX upside down fails; west > east fails unless x is a longitude', () => {
    expect(errorOf('S_INTERSECTS(geometry, BBOX(0, 10, 1, 5))')).toBe('BBOX south (10) is greater than north (5)');
    expect(errorOf('S_INTERSECTS(geometry, BBOX(400000, 6000000, 300000, 6100000))', SWEREF99TM)).toBe('BBOX west (400000) is greater than east (300000)');
    expect(() => check('S_INTERSECTS(geometry, BBOX(170, 0, -170, 10))', CRS84_FILTER_CRS)).not.toThrow();
  });

  it('a 6-number BBOX is read as west, south, min z, east, north, max z', () => {
    expect(() => check('S_INTERSECTS(geometry, BBOX(11, 57, -100, 12, 58, 500))')).not.toThrow();
    expect(errorOf('S_INTERSECTS(geometry, BBOX(11, 57, -100, 12, 95, 500))')).toMatch(/^coordinate \(12 95\) of a BBOX/);
  });
});
