/**
 * CQL2 text parsing: the trees our users' filters give, precedence, literals and escapes, WKT, what QGIS sends,
 * and every syntax error with its message and position.
 */
import { describe, expect, it } from 'vitest';
import type { Cql2Expression, Cql2Node } from '../../data/query/cql2-ast.ts';
import { Cql2Error } from '../../data/query/cql2-ast.ts';
import { parseCql2Text } from '../../data/query/cql2-text.ts';

const prop = (name: string): Cql2Expression => ({ kind: 'property', name });
const num = (value: number): Cql2Expression => ({ kind: 'number', value });
const str = (value: string): Cql2Expression => ({ kind: 'string', value });
const eq = (name: string, value: Cql2Expression): Cql2Node => ({ kind: 'comparison', op: '=', args: [prop(name), value] });

describe('the users’ filters', () => {
  it.each<[string, Cql2Node]>([
    [
      "omradestyp IN (1,2) AND kommunnamn = 'Göteborg'",
      { kind: 'and', args: [{ kind: 'in', value: prop('omradestyp'), list: [num(1), num(2)] }, eq('kommunnamn', str('Göteborg'))] },
    ],
    ['S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.8))', { kind: 's_intersects', args: [prop('geometry'), { kind: 'bbox', bbox: [11.9, 57.6, 12.1, 57.8] }] }],
    [
      "CASEI(kommunnamn) = casei('GÖTEBORG')",
      { kind: 'comparison', op: '=', args: [{ kind: 'casei', arg: prop('kommunnamn') }, { kind: 'casei', arg: str('GÖTEBORG') }] },
    ],
    ["ACCENTI(regsonamn) LIKE ACCENTI('Hjallbo%')", { kind: 'like', args: [{ kind: 'accenti', arg: prop('regsonamn') }, { kind: 'accenti', arg: str('Hjallbo%') }] }],
    ['befolkning BETWEEN 2000 AND 5000', { kind: 'between', args: [prop('befolkning'), num(2000), num(5000)] }],
    ['NOT (omradestyp = 5)', { kind: 'not', arg: eq('omradestyp', num(5)) }],
    ['brott_totalt_per_1000 IS NULL', { kind: 'isNull', arg: prop('brott_totalt_per_1000') }],
    ['"regsonamn" <> \'x\'', { kind: 'comparison', op: '<>', args: [prop('regsonamn'), str('x')] }],
  ])('%s', (text, tree) => {
    expect(parseCql2Text(text)).toEqual(tree);
  });
});

describe('precedence: NOT binds tighter than AND, AND tighter than OR', () => {
  const a = eq('a', num(1));
  const b = eq('b', num(2));
  const c = eq('c', num(3));

  it('a OR b AND NOT c = a OR (b AND (NOT c))', () => {
    expect(parseCql2Text('a = 1 OR b = 2 AND NOT c = 3')).toEqual({ kind: 'or', args: [a, { kind: 'and', args: [b, { kind: 'not', arg: c }] }] });
  });

  it('NOT a AND b = (NOT a) AND b', () => {
    expect(parseCql2Text('NOT a = 1 AND b = 2')).toEqual({ kind: 'and', args: [{ kind: 'not', arg: a }, b] });
  });

  it('a AND b OR c = (a AND b) OR c', () => {
    expect(parseCql2Text('a = 1 AND b = 2 OR c = 3')).toEqual({ kind: 'or', args: [{ kind: 'and', args: [a, b] }, c] });
  });

  it('parentheses override it', () => {
    expect(parseCql2Text('a = 1 AND (b = 2 OR c = 3)')).toEqual({ kind: 'and', args: [a, { kind: 'or', args: [b, c] }] });
    expect(parseCql2Text('NOT (a = 1 AND b = 2)')).toEqual({ kind: 'not', arg: { kind: 'and', args: [a, b] } });
  });

  it('a chain of the same operator is one node; parenthesised groups stay nested', () => {
    expect(parseCql2Text('a = 1 AND b = 2 AND c = 3')).toEqual({ kind: 'and', args: [a, b, c] });
    expect(parseCql2Text('(a = 1 AND b = 2) AND c = 3')).toEqual({ kind: 'and', args: [{ kind: 'and', args: [a, b] }, c] });
  });

  it('100 levels of nesting are fine', () => {
    expect(parseCql2Text('('.repeat(100) + 'a = 1' + ')'.repeat(100))).toEqual(a);
    let tree: Cql2Node = a;
    for (let k = 0; k < 100; k++) tree = { kind: 'not', arg: tree };
    expect(parseCql2Text('NOT '.repeat(100) + 'a = 1')).toEqual(tree);
  });

  it('keywords are case-insensitive, property names are not', () => {
    expect(parseCql2Text('Befolkning between 1 and 2 or not x is null')).toEqual({
      kind: 'or',
      args: [
        { kind: 'between', args: [prop('Befolkning'), num(1), num(2)] },
        { kind: 'not', arg: { kind: 'isNull', arg: prop('x') } },
      ],
    });
  });
});

describe('negated predicates take the shape of CQL2 JSON (a not around the predicate)', () => {
  it.each<[string, Cql2Node]>([
    ["n NOT LIKE 'B_r%'", { kind: 'not', arg: { kind: 'like', args: [prop('n'), str('B_r%')] } }],
    ['n NOT BETWEEN 1 AND 3', { kind: 'not', arg: { kind: 'between', args: [prop('n'), num(1), num(3)] } }],
    ['n NOT IN (1)', { kind: 'not', arg: { kind: 'in', value: prop('n'), list: [num(1)] } }],
    ['n IS NOT NULL', { kind: 'not', arg: { kind: 'isNull', arg: prop('n') } }],
  ])('%s', (text, tree) => {
    expect(parseCql2Text(text)).toEqual(tree);
  });
});

describe('literals', () => {
  const value = (text: string) => {
    const node = parseCql2Text(`x = ${text}`);
    if (node.kind !== 'comparison') throw new Error('not a comparison');
    return node.args[1];
  };

  it('strings: doubled quotes, backslash escapes, unknown escapes kept for LIKE', () => {
    expect(value("'it''s'")).toEqual(str("it's"));
    expect(value("'it\\'s'")).toEqual(str("it's"));
    expect(value("'a\\\\b'")).toEqual(str('a\\b'));
    expect(value("'\\a\\b\\t\\n\\v\\f\\r'")).toEqual(str('\x07\b\t\n\v\f\r'));
    expect(value("'50\\%'")).toEqual(str('50\\%'));
    expect(value("''")).toEqual(str(''));
    expect(value("'Östra Göinge'")).toEqual(str('Östra Göinge'));
  });

  it('numbers: signed, decimal, exponent', () => {
    expect(value('-1.5')).toEqual(num(-1.5));
    expect(value('+2')).toEqual(num(2));
    expect(value('.5')).toEqual(num(0.5));
    expect(value('3.')).toEqual(num(3));
    expect(value('1e+06')).toEqual(num(1e6));
    expect(value('2.5E-3')).toEqual(num(0.0025));
  });

  it('booleans, as values and as a whole filter', () => {
    expect(value('TRUE')).toEqual({ kind: 'boolean', value: true });
    expect(value('false')).toEqual({ kind: 'boolean', value: false });
    expect(parseCql2Text('true')).toEqual({ kind: 'boolean', value: true });
    expect(parseCql2Text('FALSE OR x = 1')).toEqual({ kind: 'or', args: [{ kind: 'boolean', value: false }, eq('x', num(1))] });
  });

  it('dates and timestamps, with or without fractional seconds', () => {
    expect(value("DATE('2023-01-01')")).toEqual({ kind: 'date', value: '2023-01-01' });
    expect(value("timestamp('2022-04-16T10:13:19Z')")).toEqual({ kind: 'timestamp', value: '2022-04-16T10:13:19Z' });
    expect(value("TIMESTAMP('2023-01-01T00:00:00.000Z')")).toEqual({ kind: 'timestamp', value: '2023-01-01T00:00:00.000Z' });
  });

  it('property names: quoted ones may hold anything, "" is a quote; unquoted ones may hold å ä ö, digits, : and .', () => {
    expect(value('"a b"')).toEqual(prop('a b'));
    expect(value('"say ""hi"""')).toEqual(prop('say "hi"'));
    expect(parseCql2Text('"date" IS NULL')).toEqual({ kind: 'isNull', arg: prop('date') });
    expect(parseCql2Text('lansnamn_år2023 = 1')).toEqual(eq('lansnamn_år2023', num(1)));
    expect(parseCql2Text('ns:a.b = 1')).toEqual(eq('ns:a.b', num(1)));
    expect(parseCql2Text('POINT = 1')).toEqual(eq('POINT', num(1))); // a geometry keyword without '(' is a name
  });
});

describe('geometry literals (WKT)', () => {
  const geometryOf = (wkt: string) => {
    const node = parseCql2Text(`S_INTERSECTS(geom, ${wkt})`);
    if (node.kind !== 's_intersects') throw new Error('not S_INTERSECTS');
    return node.args[1];
  };

  it('every type, with Z and both MULTIPOINT spellings', () => {
    expect(geometryOf('POINT(7.02 49.92)')).toEqual({ kind: 'geometry', geometry: { type: 'Point', coordinates: [7.02, 49.92] } });
    expect(geometryOf('POINT Z (1 2 3)')).toEqual({ kind: 'geometry', geometry: { type: 'Point', coordinates: [1, 2, 3] } });
    expect(geometryOf('LINESTRING(-180 -45, 0 -45)')).toEqual({ kind: 'geometry', geometry: { type: 'LineString', coordinates: [[-180, -45], [0, -45]] } });
    expect(geometryOf('POLYGON((0 0, 10 0, 10 10, 0 0), (1 1, 2 1, 2 2, 1 1))')).toEqual({
      kind: 'geometry',
      geometry: { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]] },
    });
    const multipoint = { kind: 'geometry', geometry: { type: 'MultiPoint', coordinates: [[7.02, 49.92], [90, 180]] } };
    expect(geometryOf('MULTIPOINT(7.02 49.92, 90 180)')).toEqual(multipoint);
    expect(geometryOf('MULTIPOINT((7.02 49.92), (90 180))')).toEqual(multipoint);
    expect(geometryOf('MULTILINESTRING((-180 -45, 0 -45), (0 45, 180 45))')).toEqual({
      kind: 'geometry',
      geometry: { type: 'MultiLineString', coordinates: [[[-180, -45], [0, -45]], [[0, 45], [180, 45]]] },
    });
    expect(geometryOf('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))')).toEqual({
      kind: 'geometry',
      geometry: { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]] },
    });
    expect(geometryOf('GEOMETRYCOLLECTION(POINT(7.02 49.92), POLYGON((0 0, 10 0, 10 10, 0 10, 0 0)))')).toEqual({
      kind: 'geometry',
      geometry: {
        type: 'GeometryCollection',
        geometries: [
          { type: 'Point', coordinates: [7.02, 49.92] },
          { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] },
        ],
      },
    });
  });

  it('BBOX with 4 or 6 numbers; the geometry may come first', () => {
    expect(geometryOf('bbox(-180,-90,180,90)')).toEqual({ kind: 'bbox', bbox: [-180, -90, 180, 90] });
    expect(geometryOf('BBOX(0, 40, -10, 10, 50, 100)')).toEqual({ kind: 'bbox', bbox: [0, 40, -10, 10, 50, 100] });
    expect(parseCql2Text('S_INTERSECTS(POINT(1 2), geometry)')).toEqual({
      kind: 's_intersects',
      args: [{ kind: 'geometry', geometry: { type: 'Point', coordinates: [1, 2] } }, prop('geometry')],
    });
  });
});

describe('what QGIS 3.x sends (its CQL2 text compiler parenthesises everything)', () => {
  it.each<[string, Cql2Node]>([
    ['(("omradestyp" = 1) AND ("kommunnamn" = \'Göteborg\'))', { kind: 'and', args: [eq('omradestyp', num(1)), eq('kommunnamn', str('Göteborg'))] }],
    ['(NOT ("brott_totalt_per_1000" IS NULL))', { kind: 'not', arg: { kind: 'isNull', arg: prop('brott_totalt_per_1000') } }],
    ['omradestyp NOT IN (1,2)', { kind: 'not', arg: { kind: 'in', value: prop('omradestyp'), list: [num(1), num(2)] } }],
    ['(CASEI("kommunnamn") LIKE CASEI(\'göt%\'))', { kind: 'like', args: [{ kind: 'casei', arg: prop('kommunnamn') }, { kind: 'casei', arg: str('göt%') }] }],
    ['S_INTERSECTS(geometry,BBOX(11.9,57.6,12.1,57.8))', { kind: 's_intersects', args: [prop('geometry'), { kind: 'bbox', bbox: [11.9, 57.6, 12.1, 57.8] }] }],
    ['("v" >= TIMESTAMP(\'2023-01-01T00:00:00.000Z\'))', { kind: 'comparison', op: '>=', args: [prop('v'), { kind: 'timestamp', value: '2023-01-01T00:00:00.000Z' }] }],
    ['("flag" = TRUE)', eq('flag', { kind: 'boolean', value: true })],
  ])('%s', (text, tree) => {
    expect(parseCql2Text(text)).toEqual(tree);
  });
});

describe('syntax errors name the problem and its position', () => {
  it.each([
    // empty
    ['', 1, 'the filter is empty'],
    ['   ', 1, 'the filter is empty'],
    // unbalanced parentheses
    ['(a = 1', 7, "expected ')' to close the '(' at position 1, found the end of the filter"],
    ['((a = 1) OR (b = 2)', 20, "expected ')' to close the '(' at position 1, found the end of the filter"],
    ['a = 1)', 6, "unexpected ')' without a matching '('"],
    // unterminated string / quoted name
    ["a = 'abc", 5, 'unterminated string: the quote at position 5 is never closed'],
    ["a = 'it''s", 5, 'unterminated string: the quote at position 5 is never closed'],
    ['"abc = 1', 1, 'unterminated property name: the double quote at position 1 is never closed'],
    // unknown / unsupported functions
    ['foo(a) = 1', 1, "unknown function 'foo'; supported functions: CASEI, ACCENTI, S_INTERSECTS, DATE, TIMESTAMP, BBOX and the WKT geometries"],
    ['S_WITHIN(geometry, POINT(1 2))', 1, 'S_WITHIN is not supported by this server; supported functions: CASEI, ACCENTI, S_INTERSECTS, DATE, TIMESTAMP, BBOX and the WKT geometries'],
    ["T_AFTER(d, DATE('2020-01-01'))", 1, 'T_AFTER is not supported by this server; supported functions: CASEI, ACCENTI, S_INTERSECTS, DATE, TIMESTAMP, BBOX and the WKT geometries'],
    // wrong argument counts
    ["CASEI(a, b) = 'x'", 1, 'CASEI takes 1 argument, found 2'],
    ["x = ACCENTI()", 5, 'ACCENTI takes 1 argument, found 0'],
    ['S_INTERSECTS(geometry)', 1, 'S_INTERSECTS takes 2 arguments, found 1'],
    ['S_INTERSECTS(geometry, BBOX(1, 2, 3))', 24, 'BBOX takes 4 or 6 numbers, found 3'],
    ["x = DATE('2020-01-01', 'x')", 5, 'DATE takes 1 argument, found 2'],
    // trailing garbage
    ['a = 1 b', 7, "expected AND, OR or the end of the filter after a complete predicate, found 'b'"],
    ["a = 1 'x'", 7, "expected AND, OR or the end of the filter after a complete predicate, found the string 'x'"],
    // the IN list
    ["omradestyp IN (1, 2 AND kommunnamn = 'x'", 21, "expected ')' after the IN list, found 'AND'"],
    ['omradestyp IN ()', 16, 'the IN list is empty'],
    ['omradestyp IN 1', 15, "expected '(' after IN, found '1'"],
    // malformed predicates
    ['a', 2, 'expected a comparison (=, <>, <, >, <=, >=), LIKE, BETWEEN, IN or IS NULL, found the end of the filter'],
    ['a = ', 5, 'expected a property name or a literal after \'=\', found the end of the filter'],
    ['a = AND', 5, "expected a property name or a literal after '=', found 'AND'"],
    ['a != 1', 3, "unexpected character '!' (CQL2 writes 'not equal' as <>)"],
    ['a = b + 1', 7, "unexpected character '+' (arithmetic is not supported)"],
    ['a = NULL', 5, 'NULL is not a value in CQL2: test for it with IS NULL or IS NOT NULL'],
    ['a IS 5', 6, "expected NULL or NOT NULL after IS, found '5'"],
    ['a NOT = 1', 7, "expected LIKE, BETWEEN or IN after NOT, found '='"],
    ['a BETWEEN 1 OR 2', 13, "expected AND between the two bounds of BETWEEN, found 'OR'"],
    ['a LIKE b', 8, 'the LIKE pattern must be a string literal (optionally inside CASEI or ACCENTI), found \'b\''],
    ['AND = 1', 1, "expected a property name or a literal at the start of a predicate, found 'AND'"],
    ['"" = 1', 1, 'empty property name ""'],
    // literals
    ["x = DATE('2022-02-30')", 10, "DATE takes a valid 'YYYY-MM-DD' string, found the string '2022-02-30'"],
    ["x = TIMESTAMP('2022-02-03 10:00:00')", 15, "TIMESTAMP takes a valid 'YYYY-MM-DDTHH:MM:SS[.sss]Z' string, found the string '2022-02-03 10:00:00'"],
    ['S_INTERSECTS(geometry, POINT(1))', 31, "expected a coordinate (a number), found ')'"],
    ['S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 0)))', 32, 'a polygon ring needs at least 4 positions'],
    ['S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))', 32, 'a polygon ring must end at its first position'],
    ['S_INTERSECTS(geometry, LINESTRING(0 0))', 34, 'a LINESTRING needs at least 2 positions'],
    ['S_INTERSECTS(geometry, POINT EMPTY)', 30, 'empty geometries are not supported'],
    ["S_INTERSECTS(geometry, 'x')", 24, "S_INTERSECTS compares geometries: expected a property or a geometry literal, found the string 'x'"],
    ['S_INTERSECTS(geometry, POINT(1 2)) = TRUE', 36, "expected AND, OR or the end of the filter after a complete predicate, found '='"],
    // nesting beyond the limit (a URL could otherwise overflow the stack)
    ['NOT '.repeat(101) + 'a = 1', 401, 'the filter nests deeper than 100 levels'],
    ['('.repeat(101) + 'a = 1' + ')'.repeat(101), 101, 'the filter nests deeper than 100 levels'],
  ])('%j → at %i: %s', (text, position, detail) => {
    let error: unknown;
    try {
      parseCql2Text(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Cql2Error);
    expect((error as Cql2Error).message).toBe(`CQL2 syntax error at position ${position}: ${detail}`);
    expect((error as Cql2Error).position).toBe(position);
  });
});
