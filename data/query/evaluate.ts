/**
 * A CQL2 AST compiled once into a predicate over features, so a filter over thousands of areas does no tree
 * walking, regex building or geometry preparation per feature: literals (CASEI('X'), DATE(…), geometries) are
 * computed at compile time.
 *
 * Evaluation follows CQL2's (and SQL's) three-valued logic: a comparison with a NULL (missing) property is
 * unknown, NOT unknown is unknown, and only features for which the whole filter is TRUE are selected. So
 * `NOT (x = 5)` leaves out features without an x, as `x <> 5` does — the OGC test data expects exactly that.
 * Operands of mismatched types (a string property against a number) are unknown too; checkFilter rejects
 * such filters before they get here.
 */
import type { Geometry, Position } from 'geojson';
import { GEOMETRY_ALIASES, type ComparisonOp, type Cql2Expression, type Cql2Node } from './cql2-ast.ts';
import { bboxContains, bboxesIntersect, geometriesIntersect, geometryBbox, type Bbox } from './intersects.ts';

/** A feature as the filter sees it. */
export interface FilterTarget {
  properties: Record<string, unknown>;
  /** The feature geometry's bounding box, in the CRS `intersects` works in. */
  bbox: [number, number, number, number];
  /** exact test of the feature geometry against a literal geometry given as GeoJSON, in the same CRS */
  intersects(geometry: Geometry): boolean;
}

export interface CompileOptions {
  /**
   * Brings a geometry literal from the filter CRS into the CRS of the features' `bbox` and `intersects`
   * (e.g. CRS84 → EPSG:3006). Called once per literal, at compile time. BBOX literals are densified first
   * (16 points per edge), so a box stays close to its true outline after reprojection.
   */
  transformGeometry?: (g: Geometry) => Geometry;
  /** Property names that mean the feature geometry. Default: `geometry` and `geom`. */
  geometryProperties?: readonly string[];
}

/** Compile a (checked) filter into a test of one feature: true only if the filter is TRUE for it. */
export function compileFilter(node: Cql2Node, options: CompileOptions = {}): (f: FilterTarget) => boolean {
  const test = new Compiler(options).predicate(node);
  return (f) => test(f) === true;
}

/** CASEI: Unicode full case folding, approximated by upper- then lower-casing (ß → ss, ς → σ, Ø → ø). */
export function casei(s: string): string {
  return s.toUpperCase().toLowerCase();
}

/**
 * Letters with a stroke or bar have no Unicode decomposition, so NFD leaves them alone; CQL2's own tests expect
 * accenti('København') = accenti('Kobenhavn'), so they are folded by hand.
 */
const STROKED: Record<string, string> = { ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ł: 'l', Ł: 'L', ħ: 'h', Ħ: 'H', ŧ: 't', Ŧ: 'T' };

/**
 * ACCENTI: canonical decomposition (NFD), then the non-spacing marks dropped — å ä ö → a a o, é → e — and
 * recomposed (NFC) so scripts whose letters decompose without marks (Hangul) come back unchanged.
 */
export function accenti(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[øØđĐłŁħĦŧŦ]/g, (c) => STROKED[c])
    .normalize('NFC');
}

/** LIKE pattern → anchored RegExp: % any run, _ one character (code point), \ makes the next character literal. */
export function likeToRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  let src = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '\\' && i + 1 < chars.length) src += escapeRegExp(chars[++i]);
    else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += escapeRegExp(c);
  }
  return new RegExp(`^${src}$`, 'su');
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** An instant in milliseconds since the epoch (DATE at UTC midnight). */
class Instant {
  constructor(readonly ms: number) {}
}

/** A geometry literal ready for testing: in the features' CRS, with its box. */
class SpatialLiteral {
  constructor(
    readonly geometry: Geometry,
    readonly bbox: Bbox,
    /** The literal is exactly its box (an untransformed BBOX): a feature box inside it is a hit without more ado. */
    readonly isBox: boolean,
  ) {}
}

/** The feature's own geometry, named by a geometry property. */
const FEATURE_GEOMETRY = Symbol('feature geometry');
/** A property value CQL2 cannot compare (an object or array): not NULL, but equal to nothing. */
const OPAQUE = Symbol('opaque value');

type Value = string | number | boolean | Instant | SpatialLiteral | typeof FEATURE_GEOMETRY | typeof OPAQUE | null;
type Getter = (f: FilterTarget) => Value;
/** TRUE, FALSE or unknown (null). */
type Truth = boolean | null;
type Test = (f: FilterTarget) => Truth;

const HOLDS: Record<ComparisonOp, (order: number) => boolean> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '>': (c) => c > 0,
  '<=': (c) => c <= 0,
  '>=': (c) => c >= 0,
};

// ---------------------------------------------------------------------------------------------------------------
// Compiler

class Compiler {
  private readonly geometryNames: Set<string>;
  private readonly likeCache = new Map<string, RegExp>();

  constructor(private readonly options: CompileOptions) {
    this.geometryNames = new Set(options.geometryProperties ?? GEOMETRY_ALIASES);
  }

  predicate(node: Cql2Node): Test {
    switch (node.kind) {
      case 'and':
        return allOf(node.args.map((a) => this.predicate(a)));
      case 'or':
        return anyOf(node.args.map((a) => this.predicate(a)));
      case 'not': {
        const inner = this.predicate(node.arg);
        return (f) => not(inner(f));
      }
      case 'boolean': {
        const value = node.value;
        return () => value;
      }
      case 'comparison':
        return this.comparison(node.op, node.args[0], node.args[1]);
      case 'like':
        return this.like(node.args[0], node.args[1]);
      case 'between':
        return this.between(node.args[0], node.args[1], node.args[2]);
      case 'in':
        return this.inList(node.value, node.list);
      case 'isNull': {
        const value = this.expression(node.arg);
        return (f) => value(f) === null;
      }
      case 's_intersects':
        return this.intersects(node.args[0], node.args[1]);
    }
  }

  private comparison(op: ComparisonOp, left: Cql2Expression, right: Cql2Expression): Test {
    const a = this.expression(left);
    const b = this.expression(right);
    const holds = HOLDS[op];
    return (f) => {
      const order = compare(a(f), b(f));
      return order === null ? null : holds(order);
    };
  }

  private like(valueExpr: Cql2Expression, patternExpr: Cql2Expression): Test {
    const value = this.expression(valueExpr);
    const pattern = this.expression(patternExpr);
    return (f) => {
      const v = value(f);
      const p = pattern(f);
      return typeof v === 'string' && typeof p === 'string' ? this.likeRegExp(p).test(v) : null;
    };
  }

  /** Patterns are literals in CQL2, so the cache holds one entry per LIKE in the filter. */
  private likeRegExp(pattern: string): RegExp {
    let re = this.likeCache.get(pattern);
    if (!re) this.likeCache.set(pattern, (re = likeToRegExp(pattern)));
    return re;
  }

  /** low ≤ value ≤ high; bounds in the wrong order select nothing, as in SQL. */
  private between(valueExpr: Cql2Expression, lowExpr: Cql2Expression, highExpr: Cql2Expression): Test {
    const [value, low, high] = [valueExpr, lowExpr, highExpr].map((e) => this.expression(e));
    return (f) => {
      const v = value(f);
      const fromLow = compare(v, low(f));
      const toHigh = compare(v, high(f));
      return and(fromLow === null ? null : fromLow >= 0, toHigh === null ? null : toHigh <= 0);
    };
  }

  /** SQL's IN: TRUE on a match; otherwise unknown if the value or an item is NULL, else FALSE. */
  private inList(valueExpr: Cql2Expression, listExprs: Cql2Expression[]): Test {
    const value = this.expression(valueExpr);
    const list = listExprs.map((e) => this.expression(e));
    return (f) => {
      const v = value(f);
      if (v === null) return null;
      let unknown = false;
      for (const item of list) {
        const order = compare(v, item(f));
        if (order === 0) return true;
        if (order === null) unknown = true;
      }
      return unknown ? null : false;
    };
  }

  private intersects(left: Cql2Expression, right: Cql2Expression): Test {
    const a = this.expression(left);
    const b = this.expression(right);
    return (f) => spatialTest(a(f), b(f), f);
  }

  // -- expressions -----------------------------------------------------------------------------------------------

  private expression(e: Cql2Expression): Getter {
    const constant = this.constant(e);
    if (constant !== undefined) return () => constant;
    if (e.kind === 'casei' || e.kind === 'accenti') {
      const inner = this.expression(e.arg);
      const fold = e.kind === 'casei' ? casei : accenti;
      return (f) => mapString(inner(f), fold);
    }
    if (e.kind !== 'property') throw new Error(`unreachable: ${e.kind} is a literal`);
    const name = e.name;
    if (this.geometryNames.has(name)) return () => FEATURE_GEOMETRY;
    return (f) => fromProperty(f.properties[name]);
  }

  /** The value of an expression that does not depend on the feature; undefined if it does. */
  private constant(e: Cql2Expression): Value | undefined {
    switch (e.kind) {
      case 'property':
        return undefined;
      case 'string':
      case 'number':
      case 'boolean':
        return e.value;
      case 'date':
        return new Instant(Date.parse(`${e.value}T00:00:00Z`));
      case 'timestamp':
        return new Instant(Date.parse(e.value));
      case 'casei':
      case 'accenti': {
        const inner = this.constant(e.arg);
        return inner === undefined ? undefined : mapString(inner, e.kind === 'casei' ? casei : accenti);
      }
      case 'geometry':
        return this.spatialLiteral(e.geometry, false);
      case 'bbox':
        return this.bboxLiteral(e.bbox);
    }
  }

  /**
   * BBOX → polygon. West greater than east crosses the antimeridian (CQL2 and OGC API bbox semantics for
   * longitudes): two boxes, either side of ±180. checkFilter refuses that in a projected filter CRS.
   */
  private bboxLiteral(b: number[]): SpatialLiteral {
    const [w, s, e, n] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
    const steps = this.options.transformGeometry ? 16 : 1;
    if (w <= e) return this.spatialLiteral({ type: 'Polygon', coordinates: [boxRing(w, s, e, n, steps)] }, true);
    const halves = [boxRing(w, s, 180, n, steps), boxRing(-180, s, e, n, steps)];
    return this.spatialLiteral({ type: 'MultiPolygon', coordinates: halves.map((ring) => [ring]) }, false);
  }

  private spatialLiteral(g: Geometry, isBox: boolean): SpatialLiteral {
    const transform = this.options.transformGeometry;
    const geometry = transform ? transform(g) : g;
    return new SpatialLiteral(geometry, geometryBbox(geometry), isBox && !transform);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Three-valued logic and comparison

function allOf(tests: Test[]): Test {
  return (f) => {
    let unknown = false;
    for (const t of tests) {
      const r = t(f);
      if (r === false) return false;
      if (r === null) unknown = true;
    }
    return unknown ? null : true;
  };
}

function anyOf(tests: Test[]): Test {
  return (f) => {
    let unknown = false;
    for (const t of tests) {
      const r = t(f);
      if (r === true) return true;
      if (r === null) unknown = true;
    }
    return unknown ? null : false;
  };
}

function not(r: Truth): Truth {
  return r === null ? null : !r;
}

function and(a: Truth, b: Truth): Truth {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

/**
 * Order of two values (−1, 0, 1), or null if either is NULL or they are not comparable. Strings compare by code
 * point (as SQLite's and PostgreSQL's C collation do), booleans FALSE < TRUE; an instant compares with a date or
 * timestamp string.
 */
function compare(x: Value, y: Value): number | null {
  if (x === null || y === null) return null;
  if (x instanceof Instant || y instanceof Instant) return orderOf(toMs(x), toMs(y));
  if (typeof x === 'number' && typeof y === 'number') return orderOf(x, y);
  if ((typeof x === 'string' && typeof y === 'string') || (typeof x === 'boolean' && typeof y === 'boolean')) return x < y ? -1 : x > y ? 1 : 0;
  return null;
}

function orderOf(a: number, b: number): number | null {
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.sign(a - b);
}

/** A date or timestamp as milliseconds; a string without a zone is read as UTC, never as the server's local time. */
function toMs(v: Value): number {
  if (v instanceof Instant) return v.ms;
  if (typeof v !== 'string') return NaN;
  return Date.parse(/T[\d:.]+$/.test(v) ? `${v}Z` : v);
}

/** A property value as CQL2 sees it: missing is NULL, a Date an instant, a non-scalar comparable with nothing. */
function fromProperty(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return new Instant(v.getTime());
  return OPAQUE;
}

function mapString(v: Value, fold: (s: string) => string): Value {
  return typeof v === 'string' ? fold(v) : v === null ? null : OPAQUE;
}

// ---------------------------------------------------------------------------------------------------------------
// Spatial

/** S_INTERSECTS of two operands: the feature's geometry and/or literals; anything else is unknown. */
function spatialTest(a: Value, b: Value, f: FilterTarget): Truth {
  if (a === FEATURE_GEOMETRY && b === FEATURE_GEOMETRY) return true;
  if (a === FEATURE_GEOMETRY && b instanceof SpatialLiteral) return featureIntersects(f, b);
  if (b === FEATURE_GEOMETRY && a instanceof SpatialLiteral) return featureIntersects(f, a);
  if (a instanceof SpatialLiteral && b instanceof SpatialLiteral) return geometriesIntersect(a.geometry, b.geometry);
  return null;
}

/** Boxes first: most features are rejected there, and one lying inside a BBOX literal is accepted there. */
function featureIntersects(f: FilterTarget, literal: SpatialLiteral): boolean {
  if (!bboxesIntersect(f.bbox, literal.bbox)) return false;
  if (literal.isBox && bboxContains(literal.bbox, f.bbox)) return true;
  return f.intersects(literal.geometry);
}

/** A closed counter-clockwise box ring with `steps` segments per edge. */
function boxRing(w: number, s: number, e: number, n: number, steps: number): Position[] {
  const corners: Position[] = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
  ];
  const ring: Position[] = [];
  corners.forEach((from, k) => {
    const to = corners[(k + 1) % 4];
    for (let i = 0; i < steps; i++) ring.push([from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps]);
  });
  ring.push([w, s]);
  return ring;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(c) ? `\\${c}` : c;
}
