/**
 * CQL2 JSON (OGC 21-065, cql2.json schema) → the same AST as CQL2 text. Validated by hand rather than with a JSON
 * Schema validator, so that an error names the JSON path of the offending member (`$.args[1].args[0]`) and says
 * what was expected there, not which of twelve `oneOf` branches failed.
 *
 * Operator names are matched case-insensitively ("S_INTERSECTS" as well as "s_intersects"), as keywords are in
 * CQL2 text. Members other than the ones the schema defines are an error, so typos do not pass silently.
 */
import type { Geometry, Position } from 'geojson';
import { Cql2Error, COMPARISON_OPS, MAX_NESTING, isCql2Date, isCql2Timestamp, type ComparisonOp, type Cql2Expression, type Cql2Node } from './cql2-ast.ts';

type Json = unknown;

/**
 * Parse a CQL2 JSON filter: the parsed value, or its JSON text (as a `filter` query parameter carries it).
 * Throws Cql2Error with a `path` on any error.
 */
export function parseCql2Json(json: Json): Cql2Node {
  const value = typeof json === 'string' ? parseJsonText(json) : json;
  if (value === undefined || value === null || (isObject(value) && Object.keys(value).length === 0)) throw jsonError('$', 'the filter is empty');
  checkNesting(value);
  return predicate(value, '$');
}

/**
 * JSON levels a filter may use: two per CQL2 level (an object, then its args array), as CQL2 text's MAX_NESTING
 * allows, plus the deepest literal (a multipolygon's coordinates). Checked iteratively, before the recursive parse.
 */
const MAX_JSON_DEPTH = 2 * MAX_NESTING + 6;

function checkNesting(root: Json): void {
  const stack: [Json, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) throw jsonError('$', `the filter nests deeper than ${MAX_JSON_DEPTH} JSON levels`);
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

function parseJsonText(text: string): Json {
  if (text.trim() === '') throw jsonError('$', 'the filter is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw jsonError('$', `the filter is not valid JSON (${(e as Error).message})`);
  }
}

const SPATIAL_UNSUPPORTED = ['s_contains', 's_crosses', 's_disjoint', 's_equals', 's_overlaps', 's_touches', 's_within'];
const OTHER_UNSUPPORTED = /^(t_[a-z]+|a_(equals|contains|containedby|overlaps)|[-+*/^%]|div)$/;
const SUPPORTED_OPS = 'and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, s_intersects, casei, accenti';

// ---------------------------------------------------------------------------------------------------------------
// Predicates

function predicate(v: Json, path: string): Cql2Node {
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  if (!isObject(v) || !('op' in v)) throw jsonError(path, `expected a predicate (an object with "op" and "args", or true/false), found ${describe(v)}`);
  const { op, args } = operation(v, path);
  switch (op) {
    case 'and':
    case 'or':
      return { kind: op, args: arity(args, path, 2, Infinity).map((a, k) => predicate(a, `${path}.args[${k}]`)) };
    case 'not':
      return { kind: 'not', arg: predicate(arity(args, path, 1)[0], `${path}.args[0]`) };
    case 'like':
      return like(arity(args, path, 2), path);
    case 'between':
      return { kind: 'between', args: operands(arity(args, path, 3), path) as [Cql2Expression, Cql2Expression, Cql2Expression] };
    case 'in':
      return inList(arity(args, path, 2), path);
    case 'isnull':
      return { kind: 'isNull', arg: operand(arity(args, path, 1)[0], `${path}.args[0]`) };
    case 's_intersects':
      return { kind: 's_intersects', args: operands(arity(args, path, 2), path, spatialOperand) as [Cql2Expression, Cql2Expression] };
  }
  if ((COMPARISON_OPS as readonly string[]).includes(op)) return { kind: 'comparison', op: op as ComparisonOp, args: operands(arity(args, path, 2), path) as [Cql2Expression, Cql2Expression] };
  if (op === 'casei' || op === 'accenti') throw jsonError(`${path}.op`, `"${op}" gives a value, not a predicate: compare it with "=" or "like"`);
  throw unknownOp(op, path);
}

function like(args: Json[], path: string): Cql2Node {
  const value = operand(args[0], `${path}.args[0]`);
  const pattern = operand(args[1], `${path}.args[1]`);
  if (!isPatternLiteral(pattern)) throw jsonError(`${path}.args[1]`, `the like pattern must be a string (optionally inside casei or accenti), found ${describe(args[1])}`);
  return { kind: 'like', args: [value, pattern] };
}

function inList(args: Json[], path: string): Cql2Node {
  const value = operand(args[0], `${path}.args[0]`);
  const list = args[1];
  if (!Array.isArray(list)) throw jsonError(`${path}.args[1]`, `expected the array of values of "in", found ${describe(list)}`);
  if (list.length === 0) throw jsonError(`${path}.args[1]`, 'the "in" list is empty');
  return { kind: 'in', value, list: list.map((item, k) => operand(item, `${path}.args[1][${k}]`)) };
}

/** {"op": …, "args": […]} with nothing else; `op` lower-cased. */
function operation(v: Record<string, Json>, path: string): { op: string; args: Json[] } {
  checkMembers(v, path, ['op', 'args']);
  if (typeof v.op !== 'string') throw jsonError(`${path}.op`, `expected an operator name, found ${describe(v.op)}`);
  if (!Array.isArray(v.args)) throw jsonError(`${path}.args`, `expected the array of arguments of "${v.op}", found ${describe(v.args)}`);
  return { op: v.op.toLowerCase(), args: v.args };
}

function arity(args: Json[], path: string, min: number, max = min): Json[] {
  if (args.length >= min && args.length <= max) return args;
  const expected = max === Infinity ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
  throw jsonError(`${path}.args`, `expected ${expected} argument${expected === '1' ? '' : 's'}, found ${args.length}`);
}

function unknownOp(op: string, path: string): Cql2Error {
  if (SPATIAL_UNSUPPORTED.includes(op) || OTHER_UNSUPPORTED.test(op) || op === 'interval') {
    return jsonError(`${path}.op`, `"${op}" is not supported by this server; supported operators: ${SUPPORTED_OPS}`);
  }
  return jsonError(`${path}.op`, `unknown function "${op}"; supported operators: ${SUPPORTED_OPS}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Operands

function operands(args: Json[], path: string, parse: (v: Json, path: string) => Cql2Expression = operand): Cql2Expression[] {
  return args.map((a, k) => parse(a, `${path}.args[${k}]`));
}

function operand(v: Json, path: string): Cql2Expression {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (typeof v === 'boolean') return { kind: 'boolean', value: v };
  if (v === null) throw jsonError(path, 'null is not a value in CQL2: test for it with {"op": "isNull", "args": [...]}');
  if (Array.isArray(v)) throw jsonError(path, 'an array is not a value here (arrays are only the list of "in")');
  if (!isObject(v)) throw jsonError(path, `expected a value, found ${describe(v)}`);
  if ('property' in v) return property(v, path);
  if ('op' in v) return functionCall(v, path);
  if ('date' in v || 'timestamp' in v) return instant(v, path);
  if ('bbox' in v && !('type' in v)) return bbox(v, path);
  if ('type' in v) return { kind: 'geometry', geometry: geometry(v, path) };
  if ('interval' in v) throw jsonError(path, 'intervals are not supported by this server');
  throw jsonError(path, `expected a value (string, number, boolean, {"property"}, {"op"}, {"date"}, {"timestamp"}, {"bbox"} or a GeoJSON geometry), found ${describe(v)}`);
}

/** Operands of s_intersects: the geometry property, a GeoJSON geometry or a bbox. */
function spatialOperand(v: Json, path: string): Cql2Expression {
  const e = operand(v, path);
  if (e.kind === 'property' || e.kind === 'geometry' || e.kind === 'bbox') return e;
  throw jsonError(path, `s_intersects compares geometries: expected {"property"}, a GeoJSON geometry or {"bbox"}, found ${describe(v)}`);
}

function property(v: Record<string, Json>, path: string): Cql2Expression {
  checkMembers(v, path, ['property']);
  if (typeof v.property !== 'string' || v.property === '') throw jsonError(`${path}.property`, `expected a property name, found ${describe(v.property)}`);
  return { kind: 'property', name: v.property };
}

/** casei and accenti: the only functions returning a value (no custom functions: the class is not claimed). */
function functionCall(v: Record<string, Json>, path: string): Cql2Expression {
  const { op, args } = operation(v, path);
  if (op !== 'casei' && op !== 'accenti') {
    if (isPredicateOp(op)) throw jsonError(`${path}.op`, `"${op}" is a predicate, not a value`);
    throw unknownOp(op, path);
  }
  const arg = operand(arity(args, path, 1)[0], `${path}.args[0]`);
  return { kind: op, arg };
}

function instant(v: Record<string, Json>, path: string): Cql2Expression {
  const kind = 'date' in v ? 'date' : 'timestamp';
  checkMembers(v, path, [kind]);
  const s = v[kind];
  const valid = typeof s === 'string' && (kind === 'date' ? isCql2Date(s) : isCql2Timestamp(s));
  if (!valid) {
    const shape = kind === 'date' ? 'YYYY-MM-DD' : 'YYYY-MM-DDTHH:MM:SS[.sss]Z';
    throw jsonError(`${path}.${kind}`, `expected a valid ${shape} string, found ${describe(s)}`);
  }
  return { kind, value: s as string };
}

function bbox(v: Record<string, Json>, path: string): Cql2Expression {
  checkMembers(v, path, ['bbox']);
  const b = v.bbox;
  if (!Array.isArray(b) || (b.length !== 4 && b.length !== 6) || !b.every(isFiniteNumber)) {
    throw jsonError(`${path}.bbox`, `expected 4 or 6 numbers, found ${describe(b)}`);
  }
  return { kind: 'bbox', bbox: b as number[] };
}

// ---------------------------------------------------------------------------------------------------------------
// GeoJSON geometries: copied member by member, so the AST holds only type and coordinates as CQL2 text gives them.

function geometry(v: Json, path: string): Geometry {
  if (!isObject(v)) throw jsonError(path, `expected a GeoJSON geometry, found ${describe(v)}`);
  if (v.type === 'GeometryCollection') {
    checkMembers(v, path, ['type', 'geometries', 'bbox']);
    if (!Array.isArray(v.geometries) || v.geometries.length === 0) throw jsonError(`${path}.geometries`, 'expected a non-empty array of geometries');
    return { type: 'GeometryCollection', geometries: v.geometries.map((g, k) => geometry(g, `${path}.geometries[${k}]`)) };
  }
  checkMembers(v, path, ['type', 'coordinates', 'bbox']);
  const at = `${path}.coordinates`;
  switch (v.type) {
    case 'Point':
      return { type: 'Point', coordinates: position(v.coordinates, at) };
    case 'LineString':
      return { type: 'LineString', coordinates: line(v.coordinates, at) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: polygon(v.coordinates, at) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: list(v.coordinates, at, position) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: list(v.coordinates, at, line) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: list(v.coordinates, at, polygon) };
    default:
      throw jsonError(`${path}.type`, `expected a GeoJSON geometry type (Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon, GeometryCollection), found ${describe(v.type)}`);
  }
}

function list<T>(v: Json, path: string, item: (v: Json, path: string) => T): T[] {
  if (!Array.isArray(v) || v.length === 0) throw jsonError(path, `expected a non-empty array, found ${describe(v)}`);
  return v.map((x, k) => item(x, `${path}[${k}]`));
}

function position(v: Json, path: string): Position {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3 || !v.every(isFiniteNumber)) throw jsonError(path, `expected a position of 2 or 3 numbers, found ${describe(v)}`);
  return [...(v as number[])];
}

function line(v: Json, path: string): Position[] {
  const coords = list(v, path, position);
  if (coords.length < 2) throw jsonError(path, 'a LineString needs at least 2 positions');
  return coords;
}

function polygon(v: Json, path: string): Position[][] {
  return list(v, path, (ring, ringPath) => {
    const coords = list(ring, ringPath, position);
    if (coords.length < 4) throw jsonError(ringPath, 'a polygon ring needs at least 4 positions');
    const first = coords[0];
    const last = coords[coords.length - 1];
    if (first.length !== last.length || first.some((c, k) => c !== last[k])) throw jsonError(ringPath, 'a polygon ring must end at its first position');
    return coords;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: Json): boolean {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPredicateOp(op: string): boolean {
  return ['and', 'or', 'not', 'like', 'between', 'in', 'isnull', 's_intersects', ...COMPARISON_OPS].includes(op);
}

function isPatternLiteral(e: Cql2Expression): boolean {
  return e.kind === 'string' || ((e.kind === 'casei' || e.kind === 'accenti') && isPatternLiteral(e.arg));
}

function checkMembers(v: Record<string, Json>, path: string, allowed: string[]): void {
  const extra = Object.keys(v).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw jsonError(`${path}.${extra}`, `unexpected member "${extra}" (expected ${allowed.map((k) => `"${k}"`).join(', ')})`);
}

/** A JSON value in a message: short and recognisable. */
function describe(v: Json): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function jsonError(path: string, detail: string): Cql2Error {
  return new Cql2Error(`CQL2 JSON error at ${path}: ${detail}`, { path });
}
