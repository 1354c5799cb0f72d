/**
 * CQL2 text (OGC 21-065, Annex B BNF) → AST: a hand-written tokenizer and recursive-descent parser, so every error
 * can name the position and what was expected. Keywords and function names are case-insensitive (the OGC tests
 * write `like`, `casei(...)`); property names are case-sensitive.
 *
 * Grammar covered (precedence NOT > AND > OR):
 *   filter     = or EOF
 *   or         = and {OR and}          and = not {AND not}          not = NOT not | primary
 *   primary    = "(" or ")" | S_INTERSECTS "(" operand "," operand ")" | predicate
 *   predicate  = operand ( compOp operand | [NOT] LIKE pattern | [NOT] BETWEEN operand AND operand
 *                | [NOT] IN "(" operand {"," operand} ")" | IS [NOT] NULL )  |  TRUE | FALSE
 *   operand    = 'string' | number | TRUE | FALSE | property | "property" | CASEI(operand) | ACCENTI(operand)
 *                | DATE('…') | TIMESTAMP('…') | WKT geometry | BBOX(…)
 * No arithmetic and no custom functions: neither conformance class is claimed, so a '+' or `foo(…)` is an error.
 */
import type { Geometry, Position } from 'geojson';
import {
  COMPARISON_OPS,
  Cql2Error,
  MAX_NESTING,
  isCql2Date,
  isCql2Timestamp,
  type ComparisonOp,
  type Cql2Expression,
  type Cql2Node,
  type BboxLiteral,
} from './cql2-ast.ts';

type TokenType = 'ident' | 'quoted' | 'string' | 'number' | 'punct' | 'eof';

interface Token {
  type: TokenType;
  /** The decoded value: a string's content, a quoted identifier's name, the punctuation itself. */
  value: string;
  /** The source text, for messages. */
  text: string;
  /** 0-based offset in the filter text. */
  pos: number;
}

/** Parse a CQL2 text filter. Throws Cql2Error with a 1-based `position` on any syntax error. */
export function parseCql2Text(text: string): Cql2Node {
  return new Parser(tokenize(text)).parseFilter();
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer

/** identifierStart and identifierPart of the BNF (XML name characters, plus ':' and '.'). */
const ID_START = ':_A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFE\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const IDENTIFIER = new RegExp(`[${ID_START}][${ID_START}.0-9\\u0300-\\u036F\\u203F\\u2040]*`, 'uy');
/** Signed numbers are literals in CQL2 (there is no unary minus without the arithmetic class). */
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const PUNCT = ['<>', '<=', '>=', '(', ')', ',', '=', '<', '>'];
/** Backslash escapes of CQL2 text string literals (requirement /req/cql2-text/escaping). */
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', t: '\t', n: '\n', v: '\v', f: '\f', r: '\r', "'": "'", '\\': '\\' };
/** Hints for characters people bring from SQL or other languages. */
const CHAR_HINTS: Record<string, string> = {
  '!': " (CQL2 writes 'not equal' as <>)",
  '+': ' (arithmetic is not supported)',
  '-': ' (arithmetic is not supported)',
  '*': ' (arithmetic is not supported)',
  '/': ' (arithmetic is not supported)',
  '%': ' (arithmetic is not supported; % is a wildcard only inside a LIKE pattern)',
  '^': ' (arithmetic is not supported)',
  '[': ' (arrays are not supported)',
  ']': ' (arrays are not supported)',
  ';': ' (a filter is a single expression)',
};

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i])) {
      i++;
      continue;
    }
    const token = readToken(src, i);
    tokens.push(token);
    i = token.pos + token.text.length;
  }
  tokens.push({ type: 'eof', value: '', text: '', pos: src.length });
  return tokens;
}

function readToken(src: string, i: number): Token {
  const c = src[i];
  if (c === "'") return readString(src, i);
  if (c === '"') return readQuoted(src, i);
  const number = matchAt(NUMBER, src, i);
  if (number !== null) return { type: 'number', value: number, text: number, pos: i };
  const ident = matchAt(IDENTIFIER, src, i);
  if (ident !== null) return { type: 'ident', value: ident, text: ident, pos: i };
  const punct = PUNCT.find((p) => src.startsWith(p, i));
  if (punct !== undefined) return { type: 'punct', value: punct, text: punct, pos: i };
  const ch = String.fromCodePoint(src.codePointAt(i)!);
  throw syntaxError(i, `unexpected character '${ch}'${CHAR_HINTS[ch] ?? ''}`);
}

function matchAt(re: RegExp, src: string, i: number): string | null {
  re.lastIndex = i;
  return re.exec(src)?.[0] ?? null;
}

/** 'it''s', with '' or \' for a quote and the backslash escapes; an unknown \x stays as written (LIKE uses \%). */
function readString(src: string, start: number): Token {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "'" && src[i + 1] === "'") {
      value += "'";
      i += 2;
    } else if (c === "'") {
      return { type: 'string', value, text: src.slice(start, i + 1), pos: start };
    } else if (c === '\\' && i + 1 < src.length) {
      value += ESCAPES[src[i + 1]] ?? c + src[i + 1];
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw syntaxError(start, `unterminated string: the quote at position ${start + 1} is never closed`);
}

/** "property name", with "" for a double quote inside (as QGIS writes it). */
function readQuoted(src: string, start: number): Token {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    if (src[i] === '"' && src[i + 1] === '"') {
      value += '"';
      i += 2;
    } else if (src[i] === '"') {
      if (value === '') throw syntaxError(start, 'empty property name ""');
      return { type: 'quoted', value, text: src.slice(start, i + 1), pos: start };
    } else {
      value += src[i++];
    }
  }
  throw syntaxError(start, `unterminated property name: the double quote at position ${start + 1} is never closed`);
}

function syntaxError(offset: number, detail: string): Cql2Error {
  return new Cql2Error(`CQL2 syntax error at position ${offset + 1}: ${detail}`, { position: offset + 1 });
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

/** Words that end or join an operand: never a bare property name. */
const RESERVED = new Set(['AND', 'OR', 'NOT', 'LIKE', 'BETWEEN', 'IN', 'IS', 'NULL']);
const COMPARISON = new Set<string>(COMPARISON_OPS);
const WKT_TYPES = new Set(['POINT', 'LINESTRING', 'POLYGON', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON', 'GEOMETRYCOLLECTION']);
/** Standard CQL2 functions of classes this server does not claim: a clear "not supported" beats "unknown". */
const UNSUPPORTED = /^(S_(EQUALS|DISJOINT|TOUCHES|WITHIN|OVERLAPS|CROSSES|CONTAINS)|T_[A-Z]+|A_(EQUALS|CONTAINS|CONTAINEDBY|OVERLAPS)|INTERVAL)$/;
const SUPPORTED_FUNCTIONS = 'CASEI, ACCENTI, S_INTERSECTS, DATE, TIMESTAMP, BBOX and the WKT geometries';

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseFilter(): Cql2Node {
    if (this.peek().type === 'eof') throw syntaxError(0, 'the filter is empty');
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.type === 'eof') return node;
    if (rest.value === ')' && rest.type === 'punct') throw this.error(rest, "unexpected ')' without a matching '('");
    throw this.error(rest, `expected AND, OR or the end of the filter after a complete predicate, found ${describe(rest)}`);
  }

  private parseOr(): Cql2Node {
    const args = [this.parseAnd()];
    while (this.acceptKeyword('OR')) args.push(this.parseAnd());
    return args.length === 1 ? args[0] : { kind: 'or', args };
  }

  private parseAnd(): Cql2Node {
    const args = [this.parseNot()];
    while (this.acceptKeyword('AND')) args.push(this.parseNot());
    return args.length === 1 ? args[0] : { kind: 'and', args };
  }

  private parseNot(): Cql2Node {
    if (isKeyword(this.peek(), 'NOT')) return { kind: 'not', arg: this.nested(this.next(), () => this.parseNot()) };
    return this.parsePrimary();
  }

  private parsePrimary(): Cql2Node {
    const open = this.peek();
    if (isPunct(open, '(')) {
      this.i++;
      const node = this.nested(open, () => this.parseOr());
      this.expectPunct(')', `to close the '(' at position ${open.pos + 1}`);
      return node;
    }
    if (isKeyword(open, 'S_INTERSECTS') && isPunct(this.peek(1), '(')) return this.parseSpatial();
    return this.parsePredicate();
  }

  private parsePredicate(): Cql2Node {
    const left = this.parseOperand('at the start of a predicate');
    const tok = this.peek();
    if (tok.type === 'punct' && COMPARISON.has(tok.value)) {
      this.i++;
      return { kind: 'comparison', op: tok.value as ComparisonOp, args: [left, this.parseOperand(`after '${tok.value}'`)] };
    }
    if (this.acceptKeyword('IS')) return this.parseIsNull(left);
    if (isKeyword(tok, 'NOT')) {
      this.i++;
      if (!['LIKE', 'BETWEEN', 'IN'].some((k) => isKeyword(this.peek(), k))) throw this.error(this.peek(), `expected LIKE, BETWEEN or IN after NOT, found ${describe(this.peek())}`);
      return { kind: 'not', arg: this.parseNegatable(left) };
    }
    if (['LIKE', 'BETWEEN', 'IN'].some((k) => isKeyword(tok, k))) return this.parseNegatable(left);
    if (left.kind === 'boolean') return left;
    throw this.error(tok, `expected a comparison (=, <>, <, >, <=, >=), LIKE, BETWEEN, IN or IS NULL, found ${describe(tok)}`);
  }

  /** The predicates that take a NOT before their keyword: LIKE, BETWEEN, IN. */
  private parseNegatable(left: Cql2Expression): Cql2Node {
    const keyword = this.next().value.toUpperCase();
    if (keyword === 'LIKE') return { kind: 'like', args: [left, this.parsePattern()] };
    if (keyword === 'BETWEEN') return this.parseBetween(left);
    return this.parseIn(left);
  }

  /** The BNF's patternExpression: a string literal, possibly inside CASEI(…) and ACCENTI(…). */
  private parsePattern(): Cql2Expression {
    const start = this.peek();
    const pattern = this.parseOperand('after LIKE');
    if (!isPatternLiteral(pattern)) throw this.error(start, `the LIKE pattern must be a string literal (optionally inside CASEI or ACCENTI), found ${describe(start)}`);
    return pattern;
  }

  private parseBetween(value: Cql2Expression): Cql2Node {
    const low = this.parseOperand('after BETWEEN');
    if (!this.acceptKeyword('AND')) throw this.error(this.peek(), `expected AND between the two bounds of BETWEEN, found ${describe(this.peek())}`);
    const high = this.parseOperand('after BETWEEN … AND');
    return { kind: 'between', args: [value, low, high] };
  }

  private parseIn(value: Cql2Expression): Cql2Node {
    this.expectPunct('(', 'after IN');
    if (isPunct(this.peek(), ')')) throw this.error(this.peek(), 'the IN list is empty');
    const list = [this.parseOperand('in the IN list')];
    while (this.acceptPunct(',')) list.push(this.parseOperand('in the IN list'));
    this.expectPunct(')', 'after the IN list');
    return { kind: 'in', value, list };
  }

  private parseIsNull(arg: Cql2Expression): Cql2Node {
    const negated = this.acceptKeyword('NOT');
    if (!this.acceptKeyword('NULL')) throw this.error(this.peek(), `expected ${negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS'}, found ${describe(this.peek())}`);
    const node: Cql2Node = { kind: 'isNull', arg };
    return negated ? { kind: 'not', arg: node } : node;
  }

  private parseSpatial(): Cql2Node {
    const name = this.next();
    const args = this.parseArguments(name, () => {
      const start = this.peek();
      const arg = this.parseOperand('in S_INTERSECTS');
      if (arg.kind !== 'property' && arg.kind !== 'geometry' && arg.kind !== 'bbox') {
        throw this.error(start, `S_INTERSECTS compares geometries: expected a property or a geometry literal, found ${describe(start)}`);
      }
      return arg;
    });
    checkArity(name, args.length, 2);
    return { kind: 's_intersects', args: [args[0], args[1]] };
  }

  // -- operands ------------------------------------------------------------------------------------------------

  private parseOperand(where: string): Cql2Expression {
    const tok = this.peek();
    switch (tok.type) {
      case 'string':
        this.i++;
        return { kind: 'string', value: tok.value };
      case 'number':
        this.i++;
        return { kind: 'number', value: Number(tok.value) };
      case 'quoted':
        this.i++;
        return { kind: 'property', name: tok.value };
      case 'ident':
        return this.parseWord(where);
      default:
        throw this.error(tok, `expected a property name or a literal ${where}, found ${describe(tok)}`);
    }
  }

  /** A bare word: TRUE/FALSE, a function or geometry, or a property name. */
  private parseWord(where: string): Cql2Expression {
    const tok = this.peek();
    const word = tok.value.toUpperCase();
    if (word === 'TRUE' || word === 'FALSE') {
      this.i++;
      return { kind: 'boolean', value: word === 'TRUE' };
    }
    // POINT Z (…) has a word between the name and '(': otherwise '(' alone tells a call from a property.
    const wktTag = WKT_TYPES.has(word) && ['Z', 'EMPTY'].some((k) => isKeyword(this.peek(1), k));
    if (isPunct(this.peek(1), '(') || wktTag) return this.parseCall();
    if (word === 'NULL') throw this.error(tok, 'NULL is not a value in CQL2: test for it with IS NULL or IS NOT NULL');
    if (RESERVED.has(word)) throw this.error(tok, `expected a property name or a literal ${where}, found ${describe(tok)}`);
    this.i++;
    return { kind: 'property', name: tok.value };
  }

  private parseCall(): Cql2Expression {
    const name = this.peek();
    const fn = name.value.toUpperCase();
    if (WKT_TYPES.has(fn) || fn === 'BBOX') return fn === 'BBOX' ? this.parseBbox() : { kind: 'geometry', geometry: this.parseGeometry() };
    if (fn === 'CASEI' || fn === 'ACCENTI') return this.parseStringFunction(fn);
    if (fn === 'DATE' || fn === 'TIMESTAMP') return this.parseInstant(fn);
    if (fn === 'S_INTERSECTS') throw this.error(name, 'S_INTERSECTS is a predicate, not a value: it cannot be compared or nested');
    if (UNSUPPORTED.test(fn)) throw this.error(name, `${fn} is not supported by this server; supported functions: ${SUPPORTED_FUNCTIONS}`);
    throw this.error(name, `unknown function '${name.value}'; supported functions: ${SUPPORTED_FUNCTIONS}`);
  }

  private parseStringFunction(fn: 'CASEI' | 'ACCENTI'): Cql2Expression {
    const name = this.next();
    const args = this.parseArguments(name, () => this.nested(name, () => this.parseOperand(`in ${fn}`)));
    checkArity(name, args.length, 1);
    return fn === 'CASEI' ? { kind: 'casei', arg: args[0] } : { kind: 'accenti', arg: args[0] };
  }

  private parseInstant(fn: 'DATE' | 'TIMESTAMP'): Cql2Expression {
    const name = this.next();
    const args = this.parseArguments(name, () => this.next());
    checkArity(name, args.length, 1);
    const arg = args[0];
    const valid = fn === 'DATE' ? isCql2Date(arg.value) : isCql2Timestamp(arg.value);
    if (arg.type !== 'string' || !valid) {
      const shape = fn === 'DATE' ? "'YYYY-MM-DD'" : "'YYYY-MM-DDTHH:MM:SS[.sss]Z'";
      throw this.error(arg, `${fn} takes a valid ${shape} string, found ${describe(arg)}`);
    }
    return fn === 'DATE' ? { kind: 'date', value: arg.value } : { kind: 'timestamp', value: arg.value };
  }

  /** "(" item {"," item} ")" after a function name; the caller checks the count. */
  private parseArguments<T>(name: Token, item: () => T): T[] {
    this.expectPunct('(', `after ${name.value}`);
    if (this.acceptPunct(')')) return [];
    const args = [item()];
    while (this.acceptPunct(',')) args.push(item());
    this.expectPunct(')', `to close the arguments of ${name.value}`, "',' or ");
    return args;
  }

  // -- WKT geometry literals -------------------------------------------------------------------------------------

  private parseGeometry(): Geometry {
    const name = this.next();
    const type = name.value.toUpperCase();
    if (!WKT_TYPES.has(type)) throw this.error(name, `expected a WKT geometry (${[...WKT_TYPES].join(', ')}), found ${describe(name)}`);
    if (isKeyword(this.peek(), 'Z')) this.i++; // 3D coordinates are read with or without the Z tag
    if (isKeyword(this.peek(), 'EMPTY')) throw this.error(this.peek(), 'empty geometries are not supported');
    switch (type) {
      case 'POINT':
        return { type: 'Point', coordinates: this.parsePointText() };
      case 'LINESTRING':
        return { type: 'LineString', coordinates: this.parseLineText() };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: this.parsePolygonText() };
      case 'MULTIPOINT':
        return { type: 'MultiPoint', coordinates: this.parseList(() => (isPunct(this.peek(), '(') ? this.parsePointText() : this.parsePosition())) };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: this.parseList(() => this.parseLineText()) };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: this.parseList(() => this.parsePolygonText()) };
      default:
        return { type: 'GeometryCollection', geometries: this.parseList(() => this.nested(name, () => this.parseGeometry())) };
    }
  }

  /** "(" item {"," item} ")" inside WKT. */
  private parseList<T>(item: () => T): T[] {
    this.expectPunct('(', 'to open the coordinate list');
    const items = [item()];
    while (this.acceptPunct(',')) items.push(item());
    this.expectPunct(')', 'to close the coordinate list', "',' or ");
    return items;
  }

  private parsePointText(): Position {
    this.expectPunct('(', 'to open the point');
    const p = this.parsePosition();
    this.expectPunct(')', 'to close the point');
    return p;
  }

  private parseLineText(): Position[] {
    const start = this.peek();
    const coords = this.parseList(() => this.parsePosition());
    if (coords.length < 2) throw this.error(start, 'a LINESTRING needs at least 2 positions');
    return coords;
  }

  private parsePolygonText(): Position[][] {
    return this.parseList(() => {
      const start = this.peek();
      const ring = this.parseList(() => this.parsePosition());
      if (ring.length < 4) throw this.error(start, 'a polygon ring needs at least 4 positions');
      if (!samePosition(ring[0], ring[ring.length - 1])) throw this.error(start, 'a polygon ring must end at its first position');
      return ring;
    });
  }

  /** x y or x y z. */
  private parsePosition(): Position {
    const p = [this.parseCoordinate(), this.parseCoordinate()];
    if (this.peek().type === 'number') p.push(this.parseCoordinate());
    return p;
  }

  private parseCoordinate(): number {
    const tok = this.peek();
    if (tok.type !== 'number') throw this.error(tok, `expected a coordinate (a number), found ${describe(tok)}`);
    this.i++;
    return Number(tok.value);
  }

  /** BBOX(west, south, east, north) or BBOX(west, south, min elevation, east, north, max elevation). */
  private parseBbox(): BboxLiteral {
    const name = this.next();
    const bbox = this.parseArguments(name, () => this.parseCoordinate());
    if (bbox.length !== 4 && bbox.length !== 6) throw this.error(name, `BBOX takes 4 or 6 numbers, found ${bbox.length}`);
    return { kind: 'bbox', bbox };
  }

  // -- token helpers ---------------------------------------------------------------------------------------------

  /** Run a nested production, failing at `tok` beyond MAX_NESTING levels. */
  private nested<T>(tok: Token, parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw this.error(tok, `the filter nests deeper than ${MAX_NESTING} levels`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.type !== 'eof') this.i++;
    return tok;
  }

  private acceptKeyword(word: string): boolean {
    if (!isKeyword(this.peek(), word)) return false;
    this.i++;
    return true;
  }

  private acceptPunct(p: string): boolean {
    if (!isPunct(this.peek(), p)) return false;
    this.i++;
    return true;
  }

  /** Consume `p` or fail with "expected [alternatives]'p' <why>, found …". */
  private expectPunct(p: string, why: string, alternatives = ''): void {
    if (this.acceptPunct(p)) return;
    throw this.error(this.peek(), `expected ${alternatives}'${p}' ${why}, found ${describe(this.peek())}`);
  }

  private error(tok: Token, detail: string): Cql2Error {
    return syntaxError(tok.pos, detail);
  }
}

function isKeyword(tok: Token, word: string): boolean {
  return tok.type === 'ident' && tok.value.toUpperCase() === word;
}

function isPunct(tok: Token, p: string): boolean {
  return tok.type === 'punct' && tok.value === p;
}

function isPatternLiteral(e: Cql2Expression): boolean {
  return e.kind === 'string' || ((e.kind === 'casei' || e.kind === 'accenti') && isPatternLiteral(e.arg));
}

function checkArity(name: Token, found: number, expected: number): void {
  if (found !== expected) {
    const fn = name.value.toUpperCase();
    throw syntaxError(name.pos, `${fn} takes ${expected} argument${expected === 1 ? '' : 's'}, found ${found}`);
  }
}

function samePosition(a: Position, b: Position): boolean {
  return a.length === b.length && a.every((v, k) => v === b[k]);
}

/** How a token is named in a message. */
function describe(tok: Token): string {
  if (tok.type === 'eof') return 'the end of the filter';
  const text = tok.text.length > 40 ? `${tok.text.slice(0, 37)}…` : tok.text;
  if (tok.type === 'string') return `the string ${text}`;
  return `'${text}'`;
}
