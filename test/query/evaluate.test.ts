/**
 * Evaluating compiled filters over a small set of SYNTHETIC areas (made-up names, figures and squares near real
 * places; not RegSO data): the users' filters, NULL handling, LIKE, å/ä/ö case- and accent-insensitivity,
 * S_INTERSECTS with every literal type, a reprojecting transform, and SQLite as an independent oracle of
 * CQL2's (SQL's) three-valued logic.
 */
import Database from 'better-sqlite3';
import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { box } from '../helpers/geometry.ts';
import { toSweref99tm } from '../../data/crs.ts';
import { parseCql2Json } from '../../data/query/cql2-json.ts';
import { parseCql2Text } from '../../data/query/cql2-text.ts';
import { accenti, casei, compileFilter, likeToRegExp, type CompileOptions, type FilterTarget } from '../../data/query/evaluate.ts';
import { geometriesIntersect, geometryBbox } from '../../data/query/intersects.ts';
import { checkFilter } from '../../data/query/queryables.ts';
import { QUERYABLES } from './fixtures.ts';


interface Area {
  id: string;
  properties: Record<string, unknown>;
  geometry: Polygon | MultiPolygon;
}

/** Synthetic areas: names and numbers are invented; the squares sit near the places they are named after. */
const AREAS: Area[] = [
  {
    id: 'A',
    properties: { regsonamn: 'Hjällbo', kommunnamn: 'Göteborg', omradestyp: 1, befolkning: 4500, brott_totalt_per_1000: 12.5, utsatt: true, kod: 'A_1', uppdaterad: '2024-03-01' },
    geometry: { type: 'Polygon', coordinates: [box(11.95, 57.75, 12.0, 57.8)] },
  },
  {
    id: 'B',
    properties: { regsonamn: 'Hjallbo norra', kommunnamn: 'Göteborg', omradestyp: 2, befolkning: 2100, brott_totalt_per_1000: null, utsatt: false, kod: 'AB1', uppdaterad: '2023-12-31' },
    geometry: { type: 'Polygon', coordinates: [box(12.0, 57.8, 12.05, 57.85)] },
  },
  {
    id: 'C',
    properties: { regsonamn: 'Malmö centrum', kommunnamn: 'Malmö', omradestyp: 5, befolkning: 8000, brott_totalt_per_1000: 3.1, utsatt: null, kod: 'A%1', uppdaterad: null },
    geometry: { type: 'Polygon', coordinates: [box(13.0, 55.6, 13.05, 55.65)] },
  },
  {
    id: 'D', // brott_totalt_per_1000 missing altogether: NULL, like an explicit null
    properties: { regsonamn: 'Åre by', kommunnamn: 'Åre', omradestyp: 3, befolkning: 1500, utsatt: false, kod: 'a_1', uppdaterad: '2024-01-01' },
    geometry: { type: 'Polygon', coordinates: [box(13.0, 63.3, 13.1, 63.4)] },
  },
  {
    id: 'E', // with a hole in the middle
    properties: { regsonamn: 'Örebro Väster', kommunnamn: 'Örebro', omradestyp: 4, befolkning: 5000, brott_totalt_per_1000: 7, utsatt: true, kod: 'E1', uppdaterad: '2024-06-30' },
    geometry: { type: 'Polygon', coordinates: [box(15.1, 59.2, 15.3, 59.4), box(15.18, 59.28, 15.22, 59.32)] },
  },
  {
    id: 'F', // two parts with a gap between them
    properties: { regsonamn: 'Kållered', kommunnamn: 'Mölndal', omradestyp: 2, befolkning: 3000, brott_totalt_per_1000: 0, utsatt: false, kod: 'F1', uppdaterad: '2022-01-01' },
    geometry: { type: 'MultiPolygon', coordinates: [[box(12.0, 57.6, 12.05, 57.65)], [box(12.08, 57.6, 12.1, 57.62)]] },
  },
];

function target(area: Area, geometry: Geometry = area.geometry): FilterTarget {
  return { properties: area.properties, bbox: geometryBbox(geometry), intersects: (g) => geometriesIntersect(geometry, g) };
}

/** The ids of the areas a CQL2 text filter selects, after the queryables check. */
function select(text: string): string {
  const node = parseCql2Text(text);
  checkFilter(node, QUERYABLES);
  const test = compileFilter(node);
  return AREAS.filter((a) => test(target(a)))
    .map((a) => a.id)
    .join('');
}

describe('the users’ filters', () => {
  it.each([
    ["omradestyp IN (1,2) AND kommunnamn = 'Göteborg'", 'AB'],
    ['S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.8))', 'ABF'], // B only touches the box's north edge: boundaries count
    ["CASEI(kommunnamn) = casei('GÖTEBORG')", 'AB'],
    ["ACCENTI(regsonamn) LIKE ACCENTI('Hjallbo%')", 'AB'],
    ['befolkning BETWEEN 2000 AND 5000', 'ABEF'], // both ends included (E has 5000)
    ['NOT (omradestyp = 5)', 'ABDEF'],
    ['brott_totalt_per_1000 IS NULL', 'BD'],
    ['"regsonamn" <> \'x\'', 'ABCDEF'],
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });

  it('the JSON form selects the same', () => {
    const json = { op: 'and', args: [{ op: 'in', args: [{ property: 'omradestyp' }, [1, 2]] }, { op: '=', args: [{ property: 'kommunnamn' }, 'Göteborg'] }] };
    const test = compileFilter(parseCql2Json(json));
    expect(AREAS.filter((a) => test(target(a))).map((a) => a.id)).toEqual(['A', 'B']);
  });
});

describe('NULL is unknown, and unknown is not selected', () => {
  it.each([
    ['brott_totalt_per_1000 = 0', 'F'],
    ['brott_totalt_per_1000 <> 0', 'ACE'],
    ['NOT (brott_totalt_per_1000 = 0)', 'ACE'], // not B and D: NOT unknown is unknown
    ['brott_totalt_per_1000 < 5 OR brott_totalt_per_1000 >= 5', 'ACEF'],
    ['brott_totalt_per_1000 IS NULL OR brott_totalt_per_1000 < 5', 'BCDF'],
    ['brott_totalt_per_1000 IS NOT NULL', 'ACEF'],
    ['utsatt IN (true)', 'AE'],
    ['utsatt NOT IN (true)', 'BDF'], // C's utsatt is null
    ['omradestyp NOT IN (5, brott_totalt_per_1000)', 'AEF'], // as SQL: no match but a NULL item is unknown (B, D)
    ['utsatt = FALSE', 'BDF'],
    ['befolkning BETWEEN 5000 AND 2000', ''], // bounds in the wrong order
    ['befolkning NOT BETWEEN 2000 AND 5000', 'CD'],
    ['true', 'ABCDEF'],
    ['false', ''],
    ['NOT false AND (omradestyp = 1 OR true)', 'ABCDEF'],
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });
});

describe('dates', () => {
  it.each([
    ["uppdaterad >= DATE('2024-01-01')", 'ADE'],
    ["uppdaterad = DATE('2024-01-01')", 'D'],
    ["uppdaterad < TIMESTAMP('2024-01-01T00:00:01Z')", 'BDF'],
    ["uppdaterad <> DATE('2024-01-01')", 'ABEF'], // C has none
    ["uppdaterad IN (DATE('2022-01-01'), DATE('2024-06-30'))", 'EF'],
    ["uppdaterad IN ('2022-01-01', '2024-06-30')", 'EF'], // date strings against a date property
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });
});

describe('LIKE', () => {
  it.each([
    ["kod LIKE 'A_1'", 'ABC'], // AB1 too: _ is any one character
    ["kod LIKE 'A\\_1'", 'A'], // \_ is a literal underscore
    ["kod LIKE 'A\\%1'", 'C'],
    ["kod LIKE 'a%'", 'D'], // case-sensitive without CASEI
    ["CASEI(kod) LIKE casei('a%')", 'ABCD'],
    ["kod LIKE '%'", 'ABCDEF'],
    ["kod LIKE '%%'", 'ABCDEF'],
    ["kod LIKE ''", ''],
    ["kod NOT LIKE '%1'", ''],
    ["regsonamn LIKE '%o_%'", 'BE'], // an o with at least one character after it (not Hjällbo's final o)
    ["regsonamn LIKE 'Hjallbo%'", 'B'],
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });

  it('regex characters in a pattern are literal', () => {
    expect(likeToRegExp('a.c').test('abc')).toBe(false);
    expect(likeToRegExp('(a+)?[x]').test('(a+)?[x]')).toBe(true);
    expect(likeToRegExp('x_z').test('x\nz')).toBe(true); // _ matches any one character, a newline too
    expect(likeToRegExp('ö_').test('öå')).toBe(true);
  });
});

describe('case- and accent-insensitive comparison with å, ä, ö', () => {
  it('the functions themselves', () => {
    expect(accenti('ÅÄÖ åäö')).toBe('AAO aao');
    expect(accenti('Malmö')).toBe(accenti('Malmo'));
    expect(accenti('København')).toBe(accenti('Kobenhavn')); // ø has no decomposition: folded explicitly
    expect(accenti('é'.normalize('NFD'))).toBe('e'); // a decomposed input too
    expect(accenti('Malmö')).not.toBe(accenti('Malma'));
    expect(casei('ÅÄÖ')).toBe('åäö');
    expect(casei('GÖTEBORG')).toBe(casei('göteborg'));
    expect(casei('STRASSE')).toBe(casei('straße')); // full case folding: ß → ss
    expect(casei('Åre')).not.toBe(casei('Are'));
  });

  it.each([
    ["ACCENTI('Malmo') = ACCENTI('Malmö')", 'ABCDEF'], // literal against literal: true for every area
    ["ACCENTI(kommunnamn) = ACCENTI('Malmo')", 'C'],
    ["ACCENTI(kommunnamn) = 'Malmo'", 'C'],
    ["kommunnamn = 'Malmo'", ''],
    ["CASEI(regsonamn) = casei('ÖREBRO VÄSTER')", 'E'],
    ["regsonamn = 'ÖREBRO VÄSTER'", ''],
    ["CASEI(regsonamn) = casei('OREBRO VASTER')", ''], // case-insensitive is not accent-insensitive
    ["ACCENTI(CASEI(regsonamn)) = accenti(casei('OREBRO VASTER'))", 'E'],
    ["ACCENTI(CASEI(regsonamn)) LIKE accenti(casei('ÅRE%'))", 'D'],
    ["CASEI(regsonamn) LIKE 'åre%'", 'D'],
    ["regsonamn LIKE 'Are%'", ''],
    ["ACCENTI(kommunnamn) IN ('Goteborg', 'Molndal')", 'ABF'],
    ["ACCENTI(CASEI(kommunnamn)) IN (accenti(casei('GÖTEBORG')), accenti(casei('ÅRE')))", 'ABD'],
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });
});

describe('S_INTERSECTS', () => {
  it.each([
    ['S_INTERSECTS(geometry, POINT(15.15 59.25))', 'E'], // in E's ring
    ['S_INTERSECTS(geometry, POINT(15.2 59.3))', ''], // in E's hole
    ['S_INTERSECTS(geom, POINT(12.07 57.61))', ''], // between F's two parts, inside F's bbox
    ['S_INTERSECTS(geometry, BBOX(12.085, 57.605, 12.09, 57.61))', 'F'], // inside F's second part
    ['S_INTERSECTS(geometry, BBOX(15.19, 59.29, 15.21, 59.31))', ''], // inside E's hole
    ['S_INTERSECTS(geometry, BBOX(15.0, 59.29, 15.21, 59.31))', 'E'], // crosses E's outer edge and into the hole
    ['S_INTERSECTS(geometry, LINESTRING(11.9 57.77, 12.02 57.82))', 'AB'],
    ['S_INTERSECTS(geometry, LINESTRING(15.19 59.3, 15.21 59.3))', ''], // inside the hole
    ['S_INTERSECTS(geometry, POLYGON((12.9 55.5, 13.2 55.5, 13.2 55.7, 12.9 55.7, 12.9 55.5)))', 'C'], // contains C
    ['S_INTERSECTS(geometry, POLYGON((13.01 55.61, 13.02 55.61, 13.02 55.62, 13.01 55.61)))', 'C'], // inside C
    ['S_INTERSECTS(geometry, MULTIPOINT((13.02 55.62), (0 0)))', 'C'],
    ['S_INTERSECTS(geometry, MULTILINESTRING((12.9 63.35, 13.2 63.35), (0 0, 1 1)))', 'D'],
    ['S_INTERSECTS(geometry, MULTIPOLYGON(((13.05 63.35, 13.06 63.35, 13.06 63.36, 13.05 63.35)), ((11.96 57.76, 11.97 57.76, 11.97 57.77, 11.96 57.76))))', 'AD'],
    ['S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(13.02 55.62), LINESTRING(13.05 63.0, 13.05 63.5)))', 'CD'],
    ['S_INTERSECTS(geometry, BBOX(179, 0, 12.02, 90))', 'ABF'], // west > east: crosses the antimeridian
    ['S_INTERSECTS(POINT(12 57), POINT(12 57))', 'ABCDEF'],
    ['S_INTERSECTS(POINT(12 57), POINT(12 58))', ''],
    ['S_INTERSECTS(geometry, BBOX(-180, -90, 180, 90)) AND NOT S_INTERSECTS(geometry, BBOX(11, 55, 13.02, 60))', 'DE'],
  ])('%s → %s', (text, expected) => {
    expect(select(text)).toBe(expected);
  });

  it('checks boxes first and only calls the exact test when they overlap', () => {
    const calls: string[] = [];
    const test = compileFilter(parseCql2Text('S_INTERSECTS(geometry, POINT(15.15 59.25))'));
    for (const a of AREAS) test({ ...target(a), intersects: (g) => (calls.push(a.id), geometriesIntersect(a.geometry, g)) });
    expect(calls).toEqual(['E']);
  });

  it('a feature inside a BBOX literal needs no exact test', () => {
    const test = compileFilter(parseCql2Text('S_INTERSECTS(geometry, BBOX(12.9, 55.5, 13.2, 55.7))'));
    const c = AREAS.find((a) => a.id === 'C')!;
    expect(test({ ...target(c), intersects: () => false })).toBe(true);
    // …while a partial overlap is decided by the exact test.
    const partial = compileFilter(parseCql2Text('S_INTERSECTS(geometry, BBOX(13.04, 55.5, 13.2, 55.7))'));
    expect(partial({ ...target(c), intersects: () => false })).toBe(false);
  });

  it('a transform brings literals into the features’ CRS (CRS84 filter, EPSG:3006 features)', () => {
    const project = (g: Geometry): Geometry => mapPositions(g, (p) => toSweref99tm(p));
    const options: CompileOptions = { transformGeometry: project };
    const filters = [
      'S_INTERSECTS(geometry, POINT(15.15 59.25))',
      'S_INTERSECTS(geometry, POINT(15.2 59.3))',
      'S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.79))',
      'S_INTERSECTS(geometry, BBOX(15.19, 59.29, 15.21, 59.31))',
      'S_INTERSECTS(geometry, LINESTRING(11.9 57.77, 12.02 57.82))',
      'S_INTERSECTS(geometry, POLYGON((12.9 55.5, 13.2 55.5, 13.2 55.7, 12.9 55.7, 12.9 55.5)))',
    ];
    const expected = ['E', '', 'AF', '', 'AB', 'C'];
    const projected = AREAS.map((a) => ({ area: a, geometry: project(a.geometry) }));
    const results = filters.map((text) => {
      const test = compileFilter(parseCql2Text(text), options);
      return projected.filter(({ area, geometry }) => test(target(area, geometry))).map(({ area }) => area.id).join('');
    });
    expect(results).toEqual(expected);
  });

  it('other geometry property names can be configured', () => {
    const test = compileFilter(parseCql2Text('S_INTERSECTS(geom_3006, POINT(15.15 59.25))'), { geometryProperties: ['geom_3006'] });
    expect(AREAS.filter((a) => test(target(a))).map((a) => a.id)).toEqual(['E']);
    const unknown = compileFilter(parseCql2Text('S_INTERSECTS(geometry, POINT(15.15 59.25))'), { geometryProperties: ['geom_3006'] });
    expect(AREAS.filter((a) => unknown(target(a)))).toEqual([]);
  });
});

/**
 * SQLite implements SQL's three-valued logic, which CQL2 adopts; these predicates are valid SQL as written, so
 * SQLite can judge random combinations of them, in the shapes of the OGC test suite's "logical" tests.
 */
describe('three-valued logic agrees with SQLite on random combinations (synthetic rows)', () => {
  const PREDICATES = [
    'pop = 5',
    'pop <> 5',
    'pop < 5',
    'pop >= 5',
    'pop IS NULL',
    'pop IS NOT NULL',
    "name = 'Åre'",
    "name > 'Malmö'",
    "name <= 'Göteborg'",
    "name LIKE 'G%'",
    "name NOT LIKE '_ö%'",
    'pop BETWEEN 2 AND 7',
    'pop NOT BETWEEN 2 AND 7',
    'pop IN (1, 5, 9)',
    'pop NOT IN (1, 5, 9)',
    "name IN ('Åre', 'Malmö')",
    'flag = TRUE',
    'flag <> FALSE',
    'flag IS NULL',
  ];
  const SHAPES = [
    (p: string[]) => `(NOT (${p[1]}) AND ${p[0]}) OR (${p[2]} AND ${p[3]}) OR NOT (${p[0]} OR ${p[3]})`,
    (p: string[]) => `((NOT ${p[0]} AND ${p[1]}) OR (${p[2]} AND NOT ${p[3]}) OR NOT (${p[0]} AND ${p[3]}))`,
  ];

  it('600 filters over 40 rows with NULLs in every column', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const names = ['Göteborg', 'Gävle', 'Malmö', 'Åre', 'Örebro', 'Kållered', 'Hjällbo', null];
    const rows = Array.from({ length: 40 }, (_, id) => ({
      id,
      name: pick(names),
      pop: random() < 0.2 ? null : Math.floor(random() * 11),
      flag: pick([true, false, null]),
    }));

    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER, name TEXT, pop REAL, flag INTEGER)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
    for (const r of rows) insert.run(r.id, r.name, r.pop, r.flag === null ? null : Number(r.flag));

    let nonTrivial = 0;
    for (let k = 0; k < 600; k++) {
      const filter = pick(SHAPES)([pick(PREDICATES), pick(PREDICATES), pick(PREDICATES), pick(PREDICATES)]);
      const expected = (db.prepare(`SELECT id FROM t WHERE ${filter} ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
      const test = compileFilter(parseCql2Text(filter));
      const actual = rows.filter((r) => test({ properties: r, bbox: [0, 0, 0, 0], intersects: () => false })).map((r) => r.id);
      expect(actual, filter).toEqual(expected);
      if (expected.length > 0 && expected.length < rows.length) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(300);
    db.close();
  });
});

function mapPositions(g: Geometry, f: (p: Position) => Position): Geometry {
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: f(g.coordinates) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: g.coordinates.map(f) };
    case 'LineString':
      return { type: 'LineString', coordinates: g.coordinates.map(f) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map((l) => l.map(f)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: g.coordinates.map((r) => r.map(f)) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map((r) => r.map(f))) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: g.geometries.map((m) => mapPositions(m, f)) };
  }
}
