/**
 * The queryables of a collection and the check of a parsed filter against them, before evaluation: an unknown
 * property or a comparison of a string with a number is the client's mistake and gets a 400 naming it, rather
 * than a filter that silently matches nothing. Also checks geometry literals against the filter CRS's range (the
 * OGC tests require `POINT(90 180)` in CRS84 to fail).
 */
import { Cql2Error, GEOMETRY_ALIASES, isCql2Date, isCql2Timestamp, type Cql2Expression, type Cql2Node } from './cql2-ast.ts';
import type { Geometry, Position } from 'geojson';

/** A queryable's type, as `/queryables` announces it (JSON Schema `type`, and `format` for temporal strings). */
export interface Queryable {
  type: 'string' | 'integer' | 'number' | 'boolean' | 'geometry';
  /** For strings holding dates or instants, compared with DATE(…) and TIMESTAMP(…). */
  format?: 'date' | 'date-time';
}

/** What the filter CRS allows: coordinate ranges, and whether x is a longitude (BBOX may cross ±180). */
export interface FilterCrs {
  /** [minx, miny, maxx, maxy] that coordinates must lie in; null for no check. */
  range: [number, number, number, number] | null;
  /** x is a longitude: a BBOX whose west is greater than its east crosses the antimeridian. */
  longitudeX: boolean;
}

/** CRS84 (the default filter-crs): longitude −180…180, latitude −90…90. */
export const CRS84_FILTER_CRS: FilterCrs = { range: [-180, -90, 180, 90], longitudeX: true };

/** The types of CQL2 values, with integer and number merged (1 = 1.0) and the two temporal kinds apart. */
type ValueType = 'string' | 'number' | 'boolean' | 'date' | 'timestamp' | 'geometry';

/**
 * Throws Cql2Error if the filter names a property that is not a queryable, mixes types (string vs number, …),
 * uses LIKE, BETWEEN, CASEI, ACCENTI or S_INTERSECTS on the wrong type, or has a geometry literal outside `crs`.
 */
export function checkFilter(node: Cql2Node, queryables: Record<string, Queryable>, crs: FilterCrs = CRS84_FILTER_CRS): void {
  new Checker(queryables, crs).predicate(node);
}

class Checker {
  constructor(
    private readonly queryables: Record<string, Queryable>,
    private readonly crs: FilterCrs,
  ) {}

  predicate(node: Cql2Node): void {
    switch (node.kind) {
      case 'and':
      case 'or':
        return node.args.forEach((a) => this.predicate(a));
      case 'not':
        return this.predicate(node.arg);
      case 'boolean':
        return;
      case 'comparison':
        return this.sameType(`'${node.op}'`, node.args[0], node.args[1]);
      case 'like':
        return node.args.forEach((a) => this.expectType('LIKE', a, 'string'));
      case 'between':
        return node.args.forEach((a) => this.expectType('BETWEEN', a, 'number'));
      case 'in':
        return node.list.forEach((item) => this.sameType('IN', node.value, item));
      case 'isNull':
        return void this.typeOf(node.arg);
      case 's_intersects':
        return node.args.forEach((a) => this.expectType('S_INTERSECTS', a, 'geometry'));
    }
  }

  /** Both sides of a comparison or IN: the same type, and not a geometry (only S_INTERSECTS compares those). */
  private sameType(op: string, a: Cql2Expression, b: Cql2Expression): void {
    const ta = this.typeOf(a);
    const tb = this.typeOf(b);
    if (ta === 'geometry' || tb === 'geometry') {
      throw new Cql2Error(`${op} cannot compare geometries: ${describe(ta === 'geometry' ? a : b)} is a geometry; use S_INTERSECTS`);
    }
    const compatible = ta === tb || (isTemporal(ta) && (isTemporal(tb) || isInstantString(b))) || (isTemporal(tb) && isInstantString(a));
    if (!compatible) {
      throw new Cql2Error(`type mismatch in ${op}: ${describe(a)} is ${article(ta)} and ${describe(b)} is ${article(tb)}`);
    }
  }

  private expectType(op: string, e: Cql2Expression, expected: ValueType): void {
    const t = this.typeOf(e);
    if (t !== expected) throw new Cql2Error(`${op} needs ${plural(expected)}: ${describe(e)} is ${article(t)}`);
  }

  private typeOf(e: Cql2Expression): ValueType {
    switch (e.kind) {
      case 'property':
        return queryableType(this.queryable(e.name));
      case 'string':
        return 'string';
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'date':
      case 'timestamp':
        return e.kind;
      case 'casei':
      case 'accenti':
        this.expectType(e.kind.toUpperCase(), e.arg, 'string');
        return 'string';
      case 'geometry':
        positionsOf(e.geometry).forEach((p) => this.inRange(p, e.geometry.type.toUpperCase()));
        return 'geometry';
      case 'bbox':
        this.checkBbox(e.bbox);
        return 'geometry';
    }
  }

  /** A queryable by name; the geometry also answers to the usual aliases. */
  private queryable(name: string): Queryable {
    const q = this.queryables[name] ?? (GEOMETRY_ALIASES.includes(name) ? this.geometryQueryable() : undefined);
    if (q) return q;
    throw new Cql2Error(`unknown queryable "${name}"; queryables are: ${Object.keys(this.queryables).join(', ')}`);
  }

  private geometryQueryable(): Queryable | undefined {
    return Object.values(this.queryables).find((q) => q.type === 'geometry');
  }

  private checkBbox(b: number[]): void {
    // 6 numbers: west, south, min elevation, east, north, max elevation.
    const [w, s, e, n] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
    this.inRange([w, s], 'BBOX');
    this.inRange([e, n], 'BBOX');
    if (s > n) throw new Cql2Error(`BBOX south (${s}) is greater than north (${n})`);
    if (w > e && !this.crs.longitudeX) throw new Cql2Error(`BBOX west (${w}) is greater than east (${e})`);
  }

  private inRange(p: Position, what: string): void {
    const r = this.crs.range;
    if (r && !(p[0] >= r[0] && p[0] <= r[2] && p[1] >= r[1] && p[1] <= r[3])) {
      throw new Cql2Error(`coordinate (${p[0]} ${p[1]}) of a ${what} is outside the filter CRS (x ${r[0]}…${r[2]}, y ${r[1]}…${r[3]})`);
    }
  }
}

function queryableType(q: Queryable): ValueType {
  if (q.type === 'integer') return 'number';
  if (q.type === 'string' && q.format === 'date') return 'date';
  if (q.type === 'string' && q.format === 'date-time') return 'timestamp';
  return q.type;
}

/**
 * A string literal written as a CQL2 date or timestamp: accepted against a temporal queryable (CQL2 permits such
 * casts, and the OGC tests write `start IN ('2022-04-14T14:52:56Z', …)`). Evaluation then compares the property's
 * value with the string; an instant-valued property (a Date) is compared as an instant.
 */
function isInstantString(e: Cql2Expression): boolean {
  return e.kind === 'string' && (isCql2Date(e.value) || isCql2Timestamp(e.value));
}

function isTemporal(t: ValueType): boolean {
  return t === 'date' || t === 'timestamp';
}

function positionsOf(g: Geometry): Position[] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
    case 'GeometryCollection':
      return g.geometries.flatMap(positionsOf);
  }
}

/** An operand in a message, as it would be written in CQL2 text. */
function describe(e: Cql2Expression): string {
  switch (e.kind) {
    case 'property':
      return `"${e.name}"`;
    case 'string':
      return `'${e.value.replace(/'/g, "''")}'`;
    case 'number':
      return String(e.value);
    case 'boolean':
      return e.value ? 'TRUE' : 'FALSE';
    case 'date':
    case 'timestamp':
      return `${e.kind.toUpperCase()}('${e.value}')`;
    case 'casei':
    case 'accenti':
      return `${e.kind.toUpperCase()}(${describe(e.arg)})`;
    case 'geometry':
      return `a ${e.geometry.type.toUpperCase()}`;
    case 'bbox':
      return 'a BBOX';
  }
}

function article(t: ValueType): string {
  return { string: 'a string', number: 'a number', boolean: 'a boolean', date: 'a date', timestamp: 'a timestamp', geometry: 'a geometry' }[t];
}

function plural(t: ValueType): string {
  return { string: 'strings', number: 'numbers', boolean: 'booleans', date: 'dates', timestamp: 'timestamps', geometry: 'geometries' }[t];
}
