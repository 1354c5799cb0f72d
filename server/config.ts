/**
 * Server configuration: one JSON file (`CONFIG=path`, else `./regso-tiles.json` if it exists) plus environment
 * overrides, validated at start-up. Every error names where the value came from (the file or the variable), the
 * key path and what was expected, so an operator can fix it without reading the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BUILD_ROOT, DEFAULT_MANIFEST } from '../data/build/build.ts';
import { DEFAULT_MIN_COUNT } from '../data/build/pipeline.ts';
import { ROLES } from '../data/disclosure.ts';

/** Request size limits: a longer URL is a 414, larger headers a 431. */
export const DEFAULT_LIMITS = { maxUrlLength: 8192, maxHeaderBytes: 16_384 };

/** The config file read when CONFIG is not set, relative to the working directory (optional). */
export const DEFAULT_CONFIG_FILE = 'regso-tiles.json';

const zoomRange = z
  .string()
  .regex(/^\d{1,2}-\d{1,2}$/, 'a zoom range such as "0-10", or "off"')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([a, b]) => a <= b && b <= 14, 'a zoom range from ≤ to ≤ 14');

/** An address or CIDR block (`10.0.0.0/8`, `::1`), `loopback`, or `*` for any peer. */
const proxyAddress = z.string().refine((s) => {
  if (s === '*' || s === 'loopback') return true;
  const [address, bits, ...rest] = s.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}, 'an IP address, a CIDR block such as "10.0.0.0/8", "loopback" or "*"');

const origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin such as "https://maps.example.se" (scheme and host, no path)');

const apiKey = z.strictObject({
  /** Names the key holder in logs and the audit log; the key itself is never logged. */
  id: z.string().regex(/^[\w.@-]{1,64}$/, 'a name of letters, digits, ".", "@", "_" or "-"'),
  role: z.enum(ROLES.filter((r) => r !== 'public') as ['analyst', 'admin']),
  /** Hex SHA-256 of the key, as `npm run key` prints it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits: the SHA-256 of the key (npm run key prints it)'),
});

export const configSchema = z
  .strictObject({
    port: z.int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    /** The URL clients reach the server at, base path included, if not what the request says. */
    publicUrl: z.url({ protocol: /^https?$/, error: 'an absolute http(s) URL' }).optional(),
    /** Peers whose X-Forwarded-Proto/-Host/-For are honoured. */
    trustedProxies: z.array(proxyAddress).default(['loopback']),
    manifest: z.string().min(1).default(DEFAULT_MANIFEST),
    buildDir: z.string().min(1).default(DEFAULT_BUILD_ROOT),
    cacheMb: z.int().min(1).default(256),
    precomputeZooms: z.union([z.literal('off'), zoomRange]).default([0, 10]),
    /** Reload when the manifest or a source file it names changes (also on SIGHUP and POST /admin/reload). */
    watchSources: z.boolean().default(true),
    cors: z.strictObject({ origins: z.union([z.literal('*'), z.array(origin).min(1)]).default('*') }).default({ origins: '*' }),
    /** Per API key, or per client address without one; `false` turns it off. */
    rateLimit: z
      .union([z.literal(false), z.strictObject({ requests: z.int().min(1), windowSeconds: z.number().positive() })])
      .default({ requests: 6000, windowSeconds: 60 }),
    /** Time allowed to receive a whole request (headers and body). */
    requestTimeoutMs: z.int().min(1000).default(30_000),
    /** Time allowed for in-flight requests after SIGTERM before the remaining connections are cut. */
    shutdownTimeoutMs: z.int().min(0).default(10_000),
    limits: z
      .strictObject({ maxUrlLength: z.int().min(256).default(DEFAULT_LIMITS.maxUrlLength), maxHeaderBytes: z.int().min(1024).default(DEFAULT_LIMITS.maxHeaderBytes) })
      .default(DEFAULT_LIMITS),
    keys: z.array(apiKey).default([]),
    disclosure: z.strictObject({ minCount: z.int().min(0).default(DEFAULT_MIN_COUNT) }).default({ minCount: DEFAULT_MIN_COUNT }),
    /** The role `GET /metrics` needs: open by default (Prometheus scrapes from inside the network). */
    metrics: z.strictObject({ requireRole: z.enum(ROLES).default('public') }).default({ requireRole: 'public' }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** JSON lines of every access to restricted data and every admin action; null: into the server log. */
    auditLog: z.string().min(1).nullable().default(null),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.keys.forEach((k, i) => {
      if (seen.has(k.id)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'id'], message: `a unique key id ("${k.id}" is used twice)` });
      seen.add(k.id);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type ApiKeyEntry = Config['keys'][number];

/** Environment variables and the key each sets (the names of earlier versions stay valid). */
const ENV: Record<string, { key: string; parse: (v: string) => unknown }> = {
  PORT: { key: 'port', parse: number },
  HOST: { key: 'host', parse: String },
  PUBLIC_URL: { key: 'publicUrl', parse: String },
  TRUST_PROXY: { key: 'trustedProxies', parse: (v) => (v === 'true' ? ['*'] : v === 'false' ? [] : list(v)) },
  MANIFEST: { key: 'manifest', parse: String },
  BUILD_DIR: { key: 'buildDir', parse: String },
  TILE_CACHE_MB: { key: 'cacheMb', parse: number },
  PRECOMPUTE_ZOOMS: { key: 'precomputeZooms', parse: String },
  WATCH_SOURCES: { key: 'watchSources', parse: (v) => (v === 'true' ? true : v === 'false' ? false : v) },
  CORS_ORIGINS: { key: 'cors', parse: (v) => ({ origins: v === '*' ? '*' : list(v) }) },
  LOG_LEVEL: { key: 'logLevel', parse: String },
  AUDIT_LOG: { key: 'auditLog', parse: String },
};

/** Keys holding paths: relative ones are resolved against the file that gives them. */
const PATH_KEYS = ['manifest', 'buildDir', 'auditLog'] as const;

function number(v: string): unknown {
  return v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export class ConfigError extends Error {}

/**
 * Reads the config file (if any), applies the environment and validates. Throws a ConfigError listing every
 * problem as `<source>: <key path>: expected <what>`.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const file = env.CONFIG ? path.resolve(cwd, env.CONFIG) : existsSync(path.resolve(cwd, DEFAULT_CONFIG_FILE)) ? path.resolve(cwd, DEFAULT_CONFIG_FILE) : null;
  const raw = file ? readConfigFile(file) : {};
  const origin = new Map<string, string>();
  for (const key of Object.keys(raw)) origin.set(key, file!);
  for (const k of PATH_KEYS) if (typeof raw[k] === 'string') raw[k] = path.resolve(path.dirname(file!), raw[k] as string);
  for (const [name, { key, parse }] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined) continue;
    raw[key] = parse(value);
    origin.set(key, `environment ${name}`);
    if ((PATH_KEYS as readonly string[]).includes(key)) raw[key] = path.resolve(cwd, value);
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const top = String(issue.path[0] ?? '');
    const source = origin.get(top) ?? file ?? 'configuration';
    return `  - ${source}: ${formatPath(issue.path) || '(top level)'}: ${describe(issue)}`;
  });
  throw new ConfigError(`Invalid configuration (${result.error.issues.length} problem(s)):\n${lines.join('\n')}`);
}

/** For the CLIs (`npm start`, `npm run build`): the configuration, or its problems on stderr and exit code 2. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`The config file ${file} must hold a JSON object`);
  return { ...(json as Record<string, unknown>) };
}

/** `keys[1].sha256`, `limits.maxUrlLength`. */
function formatPath(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message.startsWith('Invalid') || issue.message.startsWith('Too') ? issue.message : `expected ${issue.message}`;
}
