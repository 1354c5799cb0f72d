/**
 * Fuzz: generated hostile requests against the server process over the national dataset — random paths from the
 * route list, z/x/y out of range, negative and huge numbers, bad bboxes, broken CQL2, unicode and percent-encoding
 * tricks, path traversal, odd methods and headers, oversized headers, malformed request lines. No answer may be
 * a 5xx, every 4xx must be a JSON error, and the process must stay up. Seeded: a failure can be replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveRng, type Rng } from '../../data/synthetic/random.ts';
import { rawExchange } from '../helpers/raw-http.ts';
import { copyOfNationalBuild, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const REQUESTS = Number(process.env.RELIABILITY_FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20261126);
const CONCURRENCY = 16;

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ BUILD_DIR: await copyOfNationalBuild(), PRECOMPUTE_ZOOMS: 'off', WATCH_SOURCES: 'false', LOG_LEVEL: 'warn' });
});
afterAll(() => server?.stop());

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)];

const NUMBERS = ['0', '1', '3', '7', '14', '15', '22', '-1', '-0', '1.5', '1e3', '0x1f', 'NaN', 'Infinity', '', '%20', '99999999999999999999', '9007199254740993', '4294967296', '00000000001', '１', '٣', '1%00'];
const NAMES = ['regso', 'kommuner', 'utsatta-omraden', 'omradestyper', 'omradestyper-2022', 'omradestyper-2023', 'omradestyper-1999', 'brott_totalt', 'dUmmYColLection', '', '.', '..', '%2e%2e', '%2F', '%5C', 'åäö', '%C3%A5%C3%A4', '%FF%FE', '%C0%AF', '%', '%ZZ', '%00', '%E2%80%AE', '%F0%9F%99%82', 'a'.repeat(3000), '%3Cscript%3E', "'%20OR%201=1", '__proto__', 'constructor', 'null'];
const TRAVERSALS = ['/../../../../etc/passwd', '/tiles/..%2f..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/collections/..%2f..%2fpackage.json/items', '/tiles/../../server/main.ts', '//etc/passwd', '/styles/..%5c..%5cpackage.json', '/collections/regso/items/..%2F..%2F..%2Fetc%2Fpasswd', '/%252e%252e/%252e%252e/etc/passwd', '/tiles/%2e%2e%2f%2e%2e%2fbuild%2fcurrent.json'];
const FIXED = ['/', '/api', '/api?f=html', '/conformance', '/collections', '/health', '/ready', '/dataset', '/tiles', '/styles', '/admin/reload', '/admin/cache/purge', '/stats'];

const BBOXES = ['1,2,3', '1,2,3,4,5', 'a,b,c,d', '180,90,-180,-90', '1e308,1e308,-1e308,-1e308', 'NaN,NaN,NaN,NaN', ',,,', '11,55,24,69', '6600000,600000,6700000,700000', '0,0,0,0', '-1e400,0,1e400,1', '11.9,57.6,12.1,57.8,0,100', '12,57.6,11.9,57.8', '%20', '1;2;3;4'];
const FILTERS = [
  "omradestyp = 1 AND befolkning > 1500",
  "regsonamn LIKE 'Bolls%'",
  "omradestyp IN (1,2)",
  "befolkning BETWEEN 100 AND 2000",
  "CASEI(regsonamn) = casei('ÅKERSBERGA')",
  "S_INTERSECTS(geometry, POLYGON((11.9 57.6, 12.1 57.6, 12.1 57.8, 11.9 57.6)))",
  "S_INTERSECTS(geometry, BBOX(11.9, 57.6, 12.1, 57.8))",
  'kommunkod IS NULL OR NOT (omradestyp <> 3)',
];
const BROKEN_TOKENS = ['(', ')', 'AND', 'OR', 'NOT', '=', "'", '"', ',', 'IN', 'LIKE', 'BETWEEN', 'S_INTERSECTS', 'POLYGON((', 'POINT(', '1e999', '-', 'omradestyp', 'nonexistent', '%', '\\', 'CASEI(', 'TIMESTAMP(', "'2022-13-45'", '[', '{'];
const LIMITS = ['-1', '0', '1', '10001', '1e5', 'abc', '', 'unlimited', '99999999999999999999', '10000'];
const DATETIMES = ['2022', '2022/2023', '../..', '9999-99-99', 'abc', '2022-02-30', '/', '2022/..', '2023-01-01T00:00:00Z', '2023-01-01T25:00:00', '..'];
const CRSES = ['http://www.opengis.net/def/crs/OGC/1.3/CRS84', 'http://www.opengis.net/def/crs/EPSG/0/3006', 'http://www.opengis.net/def/crs/EPSG/0/99999', 'EPSG:3006', '', 'javascript:alert(1)', '%00'];
const PARAMETERS = ['limit', 'offset', 'bbox', 'bbox-crs', 'datetime', 'crs', 'filter', 'filter-lang', 'filter-crs', 'sortby', 'properties', 'f', 'unknown', 'regsokod', 'omradestyp', 'v', 'wait'];

function brokenFilter(rng: Rng): string {
  switch (rng.int(5)) {
    case 0: {
      const valid = pick(rng, FILTERS);
      return valid.slice(0, rng.int(valid.length));
    }
    case 1:
      return Array.from({ length: 1 + rng.int(12) }, () => pick(rng, BROKEN_TOKENS)).join(' ');
    case 2: {
      // Deep nesting: recursion depth in the parser and evaluator.
      const depth = pick(rng, [100, 1000, 5000]);
      return rng.next() < 0.5 ? `${'('.repeat(depth)}omradestyp = 1${')'.repeat(depth)}` : `${'NOT '.repeat(depth)}omradestyp = 1`;
    }
    case 3:
      return rng.next() < 0.5 ? '{"op":"=","args":[{"property":"omradestyp"},1' : JSON.stringify({ op: 'and', args: [{ op: '=', args: [{ property: 'nonexistent' }, [1, { x: null }]] }] });
    default:
      return pick(rng, FILTERS);
  }
}

function value(rng: Rng, parameter: string): string {
  switch (parameter) {
    case 'limit':
    case 'offset':
      return pick(rng, [...LIMITS, ...NUMBERS]);
    case 'bbox':
      return pick(rng, BBOXES);
    case 'datetime':
      return pick(rng, DATETIMES);
    case 'crs':
    case 'bbox-crs':
    case 'filter-crs':
      return pick(rng, CRSES);
    case 'filter':
      return brokenFilter(rng);
    case 'filter-lang':
      return pick(rng, ['cql2-text', 'cql2-json', 'cql-text', '', 'sql']);
    case 'sortby':
      return pick(rng, ['+', '-', '+nonexistent', 'regsonamn,-,', '-befolkning', ',,,', 'geometry']);
    case 'properties':
      return pick(rng, [',,,', 'nonexistent', 'regsonamn,omradestyp', '', 'geometry']);
    case 'f':
      return pick(rng, ['json', 'html', 'fgb', 'csv', 'xml', '', 'JSON', 'geojson']);
    default:
      return pick(rng, [...NUMBERS, ...NAMES.slice(0, 12)]);
  }
}

/** encodeURIComponent, or raw (a percent-encoding trick already), or double-encoded. */
function encoded(rng: Rng, s: string): string {
  const r = rng.next();
  if (r < 0.7) return encodeURIComponent(s);
  if (r < 0.85) return s.replace(/[ #&]/g, (c) => encodeURIComponent(c));
  return encodeURIComponent(encodeURIComponent(s));
}

function query(rng: Rng): string {
  const n = rng.int(5);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = pick(rng, PARAMETERS);
    parts.push(`${p}=${encoded(rng, value(rng, p))}`);
    if (rng.next() < 0.1) parts.push(`${p}=${encoded(rng, value(rng, p))}`); // repeated
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function path(rng: Rng): string {
  const n = () => pick(rng, NUMBERS);
  const s = () => pick(rng, NAMES);
  switch (rng.int(12)) {
    case 0:
    case 1:
    case 2:
      return `/tiles/${s()}/${n()}/${n()}/${n()}.${pick(rng, ['mvt', 'pbf', 'png', 'json', ''])}`;
    case 3:
      return `/tiles/omradestyper/${rng.int(20) - 2}/${rng.int(40000) - 100}/${rng.int(40000) - 100}.mvt`;
    case 4:
      return pick(rng, [`/tiles/${s()}.json`, `/tiles/${s()}`, `/styles/${s()}.json`, `/styles/${s()}`]);
    case 5:
    case 6:
    case 7:
      return `/collections/${pick(rng, ['regso', 'regso', 'kommuner', 'utsatta-omraden', s()])}/items`;
    case 8:
      return `/collections/${pick(rng, ['regso', s()])}/items/${pick(rng, ['0114R001', '1480R050', s()])}`;
    case 9:
      return pick(rng, [`/collections/${s()}`, `/collections/${s()}/queryables`, `/collections/regso/queryables`]);
    case 10:
      return pick(rng, TRAVERSALS);
    default:
      return pick(rng, FIXED);
  }
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND'];
const ACCEPTS = ['*/*', 'application/json', 'text/html', 'application/xml', 'application/geo+json;q=abc', ';;;', 'application/flatgeobuf, */*;q=0', ''];
const ENCODINGS = ['gzip', 'br', 'identity;q=0', '*;q=0', 'gzip;q=-1, br;q=2', 'compress', '', 'gzip, deflate, br, zstd'];

/** One request as raw bytes, and whether it is a HEAD (no body to check). */
function request(rng: Rng): { bytes: Buffer; head: boolean; label: string } {
  const kind = rng.next();
  if (kind < 0.02) {
    // Oversized headers (node's limit is 16 KiB): 431, as JSON.
    const label = 'oversized header';
    return { bytes: Buffer.from(`GET /tiles HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000 + rng.int(20_000))}\r\nConnection: close\r\n\r\n`), head: false, label };
  }
  if (kind < 0.03) {
    const label = 'oversized URL';
    return { bytes: Buffer.from(`GET /collections/regso/items?filter=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), head: false, label };
  }
  if (kind < 0.04) {
    const line = pick(rng, ['GET /\u0000 HTTP/1.1', 'GET / HTTP/9.9', 'G E T / HTTP/1.1', 'GET', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003', 'GET /tiles HTTP/1.1\r\nHost: x\r\nContent-Length: -1']);
    return { bytes: Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1'), head: false, label: `malformed: ${JSON.stringify(line)}` };
  }
  const method = pick(rng, METHODS);
  let target = `${path(rng)}${query(rng)}`;
  // Raw UTF-8 (unencoded) in the path now and then: clients should not, some do.
  if (rng.next() < 0.05) target = target.replace(/^\/[^/?]*/, pick(rng, ['/collections/åäö', '/tiles/🙂', '/\u202ecollections', '/collections/regso\u0301']));
  const headers = [`Host: ${pick(rng, ['127.0.0.1', 'evil.example', 'x:99999', ''])}`, 'Connection: close'];
  if (rng.next() < 0.5) headers.push(`Accept: ${pick(rng, ACCEPTS)}`);
  if (rng.next() < 0.5) headers.push(`Accept-Encoding: ${pick(rng, ENCODINGS)}`);
  if (rng.next() < 0.1) headers.push(`If-None-Match: ${pick(rng, ['*', '"x"', 'W/"', '""', ','])}`);
  if (rng.next() < 0.1) headers.push(`X-Forwarded-Host: ${pick(rng, ['evil.example', 'a b', '<script>', ''])}`, `X-Forwarded-Proto: ${pick(rng, ['https', 'javascript', ''])}`);
  if (rng.next() < 0.05) headers.push(`Authorization: ${pick(rng, ['Bearer x', 'Basic ===', ''])}`);
  if (rng.next() < 0.05) headers.push(`Origin: ${pick(rng, ['https://example.org', 'null'])}`, `Access-Control-Request-Method: ${pick(rng, ['GET', 'DELETE', ''])}`);
  const label = `${method} ${target.length > 300 ? `${target.slice(0, 300)}…` : target}`;
  return { bytes: Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'), head: method === 'HEAD', label };
}

describe('fuzz', () => {
  it(`answers ${REQUESTS} generated hostile requests without a 5xx, with JSON errors, and stays up`, { timeout: 600_000 }, async () => {
    const rng = deriveRng(SEED, 'fuzz');
    const requests = Array.from({ length: REQUESTS }, () => request(rng));
    const problems: string[] = [];
    const byStatus = new Map<number, number>();
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < requests.length) {
        const { bytes, head, label } = requests[nextIndex++];
        try {
          const res = await rawExchange(server.url, bytes, head);
          byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
          if (!(res.status >= 100 && res.status < 500)) problems.push(`${res.status} for ${label}: ${res.body.subarray(0, 200)}`);
          else if (res.status >= 400 && !head) {
            let body: { status?: number; error?: string } | undefined;
            try {
              body = JSON.parse(String(res.body));
            } catch {
              body = undefined;
            }
            if (!/json/.test(String(res.headers['content-type'])) || body?.status !== res.status || typeof body.error !== 'string') {
              problems.push(`${res.status} without a JSON error for ${label}: ${res.headers['content-type']} ${res.body.subarray(0, 120)}`);
            }
          }
        } catch (err) {
          problems.push(`no answer to ${label}: ${(err as Error).message}`);
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s (seed ${SEED}); by status: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
    expect(problems.slice(0, 30)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
