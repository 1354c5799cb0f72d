/**
 * The abstract syntax of a CQL2 filter (OGC 21-065, Common Query Language), shared by the text and JSON parsers,
 * the queryable check and the evaluator. Both encodings parse to the same tree, so an equivalent text and JSON
 * filter give deep-equal nodes: the tree follows CQL2 JSON's shape (`NOT LIKE`, `NOT IN`, `NOT BETWEEN` and
 * `IS NOT NULL` become a `not` around the positive predicate, as CQL2 JSON writes them) and keeps no source
 * positions.
 */
import type { Geometry } from 'geojson';

export type ComparisonOp = '=' | '<>' | '<' | '>' | '<=' | '>=';

export const COMPARISON_OPS: readonly ComparisonOp[] = ['=', '<>', '<', '>', '<=', '>='];

/** A property (queryable) of the feature. The geometry is a property too, by its queryable name. */
export interface PropertyRef {
  kind: 'property';
  name: string;
}
export interface StringLiteral {
  kind: 'string';
  value: string;
}
export interface NumberLiteral {
  kind: 'number';
  value: number;
}
/** TRUE or FALSE: a value in a comparison, or a whole predicate on its own (`filter=true`). */
export interface BooleanLiteral {
  kind: 'boolean';
  value: boolean;
}
/** DATE('2023-01-01'): `value` is the validated calendar date. */
export interface DateLiteral {
  kind: 'date';
  value: string;
}
/** TIMESTAMP('2023-01-01T12:00:00Z'): `value` is the validated UTC instant as written. */
export interface TimestampLiteral {
  kind: 'timestamp';
  value: string;
}
/** CASEI(x): x with Unicode case folding, for case-insensitive comparison. */
export interface CaseiCall {
  kind: 'casei';
  arg: Cql2Expression;
}
/** ACCENTI(x): x with its diacritics removed, for accent-insensitive comparison. */
export interface AccentiCall {
  kind: 'accenti';
  arg: Cql2Expression;
}
/** A WKT literal (text) or GeoJSON geometry (JSON), as GeoJSON, in the filter CRS. */
export interface GeometryLiteral {
  kind: 'geometry';
  geometry: Geometry;
}
/** BBOX(west, south, east, north) or with minimum and maximum elevation (6 numbers), in the filter CRS. */
export interface BboxLiteral {
  kind: 'bbox';
  bbox: number[];
}

/** An operand: what comparisons, LIKE, BETWEEN, IN, IS NULL and S_INTERSECTS take as arguments. */
export type Cql2Expression =
  | PropertyRef
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | DateLiteral
  | TimestampLiteral
  | CaseiCall
  | AccentiCall
  | GeometryLiteral
  | BboxLiteral;

export interface AndNode {
  kind: 'and';
  args: Cql2Node[];
}
export interface OrNode {
  kind: 'or';
  args: Cql2Node[];
}
export interface NotNode {
  kind: 'not';
  arg: Cql2Node;
}
export interface ComparisonNode {
  kind: 'comparison';
  op: ComparisonOp;
  args: [Cql2Expression, Cql2Expression];
}
/** value LIKE pattern: `%` any run of characters, `_` one character, `\` escapes the next one. */
export interface LikeNode {
  kind: 'like';
  args: [Cql2Expression, Cql2Expression];
}
/** value BETWEEN low AND high, both ends included. */
export interface BetweenNode {
  kind: 'between';
  args: [Cql2Expression, Cql2Expression, Cql2Expression];
}
export interface InNode {
  kind: 'in';
  value: Cql2Expression;
  list: Cql2Expression[];
}
export interface IsNullNode {
  kind: 'isNull';
  arg: Cql2Expression;
}
/** The only spatial comparison function of basic-spatial-functions. */
export interface SpatialNode {
  kind: 's_intersects';
  args: [Cql2Expression, Cql2Expression];
}

/**
 * The names under which a filter may refer to the feature geometry besides the geometry queryable's own name:
 * the OGC test suite writes `geom`, most clients `geometry`.
 */
export const GEOMETRY_ALIASES: readonly string[] = ['geometry', 'geom'];

/** A filter: a predicate, or a logical combination of predicates. */
export type Cql2Node =
  | AndNode
  | OrNode
  | NotNode
  | ComparisonNode
  | LikeNode
  | BetweenNode
  | InNode
  | IsNullNode
  | SpatialNode
  | BooleanLiteral;

/**
 * How deep parentheses, NOT, CASEI/ACCENTI and geometry collections may nest. Filters arrive in URLs: without a
 * limit, `NOT NOT NOT …` would overflow the stack in the parsers or in the recursive check and compile steps.
 */
export const MAX_NESTING = 100;

/**
 * A filter that cannot be parsed, or does not fit the queryables. `position` (1-based, in UTF-16 code units of the
 * filter text) is set for CQL2 text, `path` (like `$.args[1].args[0]`) for CQL2 JSON; the message repeats either,
 * so it can be shown to the client as it is.
 */
export class Cql2Error extends Error {
  readonly position?: number;
  readonly path?: string;

  constructor(message: string, where: { position?: number; path?: string } = {}) {
    super(message);
    this.name = 'Cql2Error';
    if (where.position !== undefined) this.position = where.position;
    if (where.path !== undefined) this.path = where.path;
  }
}

/**
 * The CQL2 1.0 conformance classes that this implementation passes in full (parsing in both encodings,
 * queryable checks, evaluation), for `/conformance`. OGC API Features Part 3's own classes (`filter`,
 * `features-filter`) belong to the router that wires the `filter` parameter.
 */
export const CQL2_CONFORMANCE_CLASSES: readonly string[] = [
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison',
  'http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-json',
];

/**
 * Draft (pre-1.0) names of the classes above that clients still look for: QGIS 3.x only pushes spatial filters to
 * the server when it finds `basic-spatial-operators`. Declare them next to the 1.0 URIs.
 */
export const CQL2_DRAFT_CONFORMANCE_ALIASES: readonly string[] = ['http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators'];

/** Date and timestamp strings as CQL2 defines them; the calendar check is separate (Feb 30 matches the shape). */
const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isCql2Date(s: string): boolean {
  const m = DATE_SHAPE.exec(s);
  return m !== null && isCalendarDate(+m[1], +m[2], +m[3]);
}

/** Whether `s` is a real UTC instant written YYYY-MM-DDTHH:MM:SS[.fff]Z. */
export function isCql2Timestamp(s: string): boolean {
  const m = TIMESTAMP_SHAPE.exec(s);
  return m !== null && isCalendarDate(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] < 61;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
