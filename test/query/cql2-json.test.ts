/**
 * CQL2 JSON parsing: equivalent text and JSON filters give the same tree, and every error names its JSON path.
 */
import { describe, expect, it } from 'vitest';
import { Cql2Error } from '../../data/query/cql2-ast.ts';
import { parseCql2Json } from '../../data/query/cql2-json.ts';
import { parseCql2Text } from '../../data/query/cql2-text.ts';

describe('text and JSON give the same tree', () => {
  it.each<[string, unknown]>([
    [
      "omradestyp IN (1,2) AND kommunnamn = 'Göteborg'",
      { op: 'and', args: [{ op: 'in', args: [{ property: 'omradestyp' }, [1, 2]] }, { op: '=', args: [{ property: 'kommunnamn' }, 'Göteborg'] }] },
    ],
    ['S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.8))', { op: 's_intersects', args: [{ property: 'geometry' }, { bbox: [11.9, 57.6, 12.1, 57.8] }] }],
    ["CASEI(kommunnamn) = casei('GÖTEBORG')", { op: '=', args: [{ op: 'casei', args: [{ property: 'kommunnamn' }] }, { op: 'casei', args: ['GÖTEBORG'] }] }],
    ["ACCENTI(regsonamn) LIKE ACCENTI('Hjallbo%')", { op: 'like', args: [{ op: 'accenti', args: [{ property: 'regsonamn' }] }, { op: 'accenti', args: ['Hjallbo%'] }] }],
    ['befolkning BETWEEN 2000 AND 5000', { op: 'between', args: [{ property: 'befolkning' }, 2000, 5000] }],
    ['NOT (omradestyp = 5)', { op: 'not', args: [{ op: '=', args: [{ property: 'omradestyp' }, 5] }] }],
    ['brott_totalt_per_1000 IS NULL', { op: 'isNull', args: [{ property: 'brott_totalt_per_1000' }] }],
    ['brott_totalt_per_1000 IS NOT NULL', { op: 'not', args: [{ op: 'isNull', args: [{ property: 'brott_totalt_per_1000' }] }] }],
    ['"regsonamn" <> \'x\'', { op: '<>', args: [{ property: 'regsonamn' }, 'x'] }],
    ["name NOT LIKE 'B_r%'", { op: 'not', args: [{ op: 'like', args: [{ property: 'name' }, 'B_r%'] }] }],
    ['a = 1 OR b = 2 AND NOT c = 3', {
      op: 'or',
      args: [
        { op: '=', args: [{ property: 'a' }, 1] },
        { op: 'and', args: [{ op: '=', args: [{ property: 'b' }, 2] }, { op: 'not', args: [{ op: '=', args: [{ property: 'c' }, 3] }] }] },
      ],
    }],
    ['flag = TRUE', { op: '=', args: [{ property: 'flag' }, true] }],
    ['true', true],
    ["\"date\" >= DATE('2022-04-16')", { op: '>=', args: [{ property: 'date' }, { date: '2022-04-16' }] }],
    ["start < TIMESTAMP('2022-04-16T10:13:19Z')", { op: '<', args: [{ property: 'start' }, { timestamp: '2022-04-16T10:13:19Z' }] }],
    ['S_INTERSECTS(geom, POINT(7.02 49.92))', { op: 's_intersects', args: [{ property: 'geom' }, { type: 'Point', coordinates: [7.02, 49.92] }] }],
    [
      'S_INTERSECTS(geom, POLYGON((0 0, 10 0, 10 10, 0 10, 0 0)))',
      { op: 's_intersects', args: [{ property: 'geom' }, { type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]] }] },
    ],
    [
      'S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(7.02 49.92), LINESTRING(0 0, 1 1)))',
      {
        op: 'S_INTERSECTS',
        args: [
          { property: 'geom' },
          { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [7.02, 49.92] }, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }] },
        ],
      },
    ],
    [
      'S_INTERSECTS(geom, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0))))',
      { op: 's_intersects', args: [{ property: 'geom' }, { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]], bbox: [0, 0, 1, 1] }] },
    ],
  ])('%s', (text, json) => {
    expect(parseCql2Json(json)).toEqual(parseCql2Text(text));
  });

  it('100 levels of nesting are fine', () => {
    expect(parseCql2Json(deeplyNested(100))).toEqual(parseCql2Text('NOT '.repeat(100) + 'true'));
  });

  it('JSON text (as a filter query parameter carries it) parses like the value', () => {
    const json = '{"op":"and","args":[{"op":"in","args":[{"property":"omradestyp"},[1,2]]},{"op":"=","args":[{"property":"kommunnamn"},"Göteborg"]}]}';
    expect(parseCql2Json(json)).toEqual(parseCql2Text("omradestyp IN (1,2) AND kommunnamn = 'Göteborg'"));
  });
});

function deeplyNested(levels: number): unknown {
  let filter: unknown = true;
  for (let k = 0; k < levels; k++) filter = { op: 'not', args: [filter] };
  return filter;
}

describe('errors name the JSON path', () => {
  it.each<[unknown, string, string]>([
    [undefined, '$', 'the filter is empty'],
    [{}, '$', 'the filter is empty'],
    ['  ', '$', 'the filter is empty'],
    ['{"op":', '$', 'the filter is not valid JSON'],
    [42, '$', 'expected a predicate (an object with "op" and "args", or true/false), found 42'],
    [{ op: 'and', args: [true] }, '$.args', 'expected at least 2 arguments, found 1'],
    [{ op: '=', args: [{ property: 'a' }] }, '$.args', 'expected 2 arguments, found 1'],
    [{ op: 'not', args: [true, false] }, '$.args', 'expected 1 argument, found 2'],
    [{ op: '=', args: { a: 1 } }, '$.args', 'expected the array of arguments of "=", found {"a":1}'],
    [{ op: 'foo', args: [] }, '$.op', 'unknown function "foo"; supported operators: and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, s_intersects, casei, accenti'],
    [{ op: 's_within', args: [] }, '$.op', '"s_within" is not supported by this server; supported operators: and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, s_intersects, casei, accenti'],
    [{ op: 'and', args: [true, { op: '=', args: [{ property: 'a' }, { op: 'upper', args: ['x'] }] }] }, '$.args[1].args[1].op', 'unknown function "upper"'],
    [{ op: 'and', args: [true, { op: '=', args: [{ property: 'a' }, null] }] }, '$.args[1].args[1]', 'null is not a value in CQL2'],
    [{ op: '=', args: [{ property: '' }, 1] }, '$.args[0].property', 'expected a property name, found ""'],
    [{ op: '=', args: [{ property: 'a', extra: 1 }, 1] }, '$.args[0].extra', 'unexpected member "extra" (expected "property")'],
    [{ op: '=', args: [{ property: 'a' }, 1], note: 'x' }, '$.note', 'unexpected member "note" (expected "op", "args")'],
    [{ op: 'in', args: [{ property: 'a' }, 1] }, '$.args[1]', 'expected the array of values of "in", found 1'],
    [{ op: 'in', args: [{ property: 'a' }, []] }, '$.args[1]', 'the "in" list is empty'],
    [{ op: 'in', args: [{ property: 'a' }, [1, [2]]] }, '$.args[1][1]', 'an array is not a value here'],
    [{ op: 'like', args: [{ property: 'a' }, { property: 'b' }] }, '$.args[1]', 'the like pattern must be a string (optionally inside casei or accenti), found {"property":"b"}'],
    [{ op: 'casei', args: ['a'] }, '$.op', '"casei" gives a value, not a predicate'],
    [{ op: '=', args: [{ op: 'casei', args: ['a', 'b'] }, 'a'] }, '$.args[0].args', 'expected 1 argument, found 2'],
    [{ op: '=', args: [{ op: 'and', args: [true, true] }, true] }, '$.args[0].op', '"and" is a predicate, not a value'],
    [{ op: '=', args: [{ property: 'd' }, { date: '2022-13-01' }] }, '$.args[1].date', 'expected a valid YYYY-MM-DD string, found "2022-13-01"'],
    [{ op: '=', args: [{ property: 'd' }, { timestamp: '2022-01-01T00:00:00' }] }, '$.args[1].timestamp', 'expected a valid YYYY-MM-DDTHH:MM:SS[.sss]Z string'],
    [{ op: '=', args: [{ property: 'd' }, { interval: ['..', '2020-01-01'] }] }, '$.args[1]', 'intervals are not supported by this server'],
    [{ op: 's_intersects', args: [{ property: 'g' }, 'POINT(1 2)'] }, '$.args[1]', 's_intersects compares geometries'],
    [{ op: 's_intersects', args: [{ property: 'g' }, { bbox: [1, 2, 3] }] }, '$.args[1].bbox', 'expected 4 or 6 numbers, found [1,2,3]'],
    [{ op: 's_intersects', args: [{ property: 'g' }, { type: 'Point', coordinates: [1] }] }, '$.args[1].coordinates', 'expected a position of 2 or 3 numbers, found [1]'],
    [{ op: 's_intersects', args: [{ property: 'g' }, { type: 'Circle', coordinates: [1, 2] }] }, '$.args[1].type', 'expected a GeoJSON geometry type'],
    [
      { op: 's_intersects', args: [{ property: 'g' }, { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }] },
      '$.args[1].coordinates[0]',
      'a polygon ring must end at its first position',
    ],
    [{ op: 's_intersects', args: [{ property: 'g' }, { type: 'LineString', coordinates: [[0, 0]] }] }, '$.args[1].coordinates', 'a LineString needs at least 2 positions'],
    [{ op: 's_intersects', args: [{ property: 'g' }, { type: 'MultiPoint', coordinates: [[0, 0], [1, 'x']] }] }, '$.args[1].coordinates[1]', 'expected a position of 2 or 3 numbers'],
    [deeplyNested(1000), '$', 'the filter nests deeper than 206 JSON levels'],
  ])('%j → %s', (json, path, detail) => {
    let error: unknown;
    try {
      parseCql2Json(json);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Cql2Error);
    expect((error as Cql2Error).path).toBe(path);
    expect((error as Cql2Error).message).toContain(`CQL2 JSON error at ${path}: ${detail}`);
  });
});
