/**
 * API keys and roles. A request without a key is `public`; a key — `Authorization: Bearer`, `X-API-Key`, or the
 * `apikey`/`token` query parameter (what QGIS connections and ArcGIS `customParameters` can send) — gives its role.
 * Keys are stored as SHA-256 hashes; a presented key is hashed and compared with every stored hash in constant time.
 * An unknown key is a 401, never silently public: a typo in a key must not look like missing data.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, Middleware } from 'koa';
import { hasRole, type Role } from '../data/disclosure.ts';
import type { ApiKeyEntry } from './config.ts';
import { HttpError } from './errors.ts';

/** Query parameters that carry a key; the first is the name the server writes into the URLs it hands out. */
export const KEY_PARAMETERS = ['apikey', 'token'] as const;

export interface Identity {
  role: Role;
  /** The key's id from the config; null without a key. */
  keyId: string | null;
  /** The key as presented in the query: carried into the URLs handed out. Null if none or sent in a header. */
  urlKey: string | null;
  /** Why the presented key is refused; null if accepted or there is none. */
  refused: string | null;
}

const PUBLIC: Identity = { role: 'public', keyId: null, urlKey: null, refused: null };

interface Presented {
  key: string;
  inQuery: boolean;
}

export function sha256Hex(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class KeyRing {
  readonly #keys: { entry: ApiKeyEntry; hash: Buffer }[];
  readonly #identities = new WeakMap<IncomingMessage, Identity>();

  constructor(keys: readonly ApiKeyEntry[]) {
    this.#keys = keys.map((entry) => ({ entry, hash: Buffer.from(entry.sha256, 'hex') }));
  }

  /** The stored key whose hash matches; every hash is compared, so the time does not tell which one nearly did. */
  find(key: string): ApiKeyEntry | undefined {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const { entry, hash } of this.#keys) if (timingSafeEqual(digest, hash) && !found) found = entry;
    return found;
  }

  /** Who sent a request; computed once per request (the front door and the Koa app both ask). */
  identify(req: IncomingMessage): Identity {
    // Most requests present nothing: answered without the per-request memo, which costs more than this check.
    if (req.headers.authorization === undefined && req.headers['x-api-key'] === undefined && !req.url?.includes('?')) return PUBLIC;
    let identity = this.#identities.get(req);
    if (!identity) this.#identities.set(req, (identity = this.#resolve(req)));
    return identity;
  }

  #resolve(req: IncomingMessage): Identity {
    const presented = presentedKeys(req);
    if (presented === null) return PUBLIC;
    if (typeof presented === 'string') return { ...PUBLIC, refused: presented };
    const distinct = new Set(presented.map((p) => p.key));
    if (distinct.size > 1) return { ...PUBLIC, refused: 'two different API keys in one request' };
    const entry = this.find(presented[0].key);
    if (!entry) return { ...PUBLIC, refused: 'unknown API key' };
    const inQuery = presented.find((p) => p.inQuery);
    return { role: entry.role, keyId: entry.id, urlKey: inQuery ? inQuery.key : null, refused: null };
  }
}

/** Every key a request presents, null if none, or a reason string for an unusable credential. */
function presentedKeys(req: IncomingMessage): Presented[] | string | null {
  const found: Presented[] = [];
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!bearer) return 'the Authorization header must be "Bearer <API key>"';
    found.push({ key: bearer[1], inQuery: false });
  }
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') found.push({ key: header.trim(), inQuery: false });
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(url.slice(q + 1));
    for (const name of KEY_PARAMETERS) for (const key of params.getAll(name)) found.push({ key, inQuery: true });
  }
  if (found.some((p) => p.key === '')) return 'an empty API key';
  return found.length > 0 ? found : null;
}

/** What the Koa middleware leaves in ctx.state. */
export interface AuthState {
  role: Role;
  keyId: string | null;
  urlKey: string | null;
  /** Set by requireRole: the request is an admin action and is audited whatever its status. */
  audited?: boolean;
}

/** The role a request is served as: the one place routers ask. */
export function roleOf(ctx: Context): Role {
  return (ctx.state as Partial<AuthState>).role ?? 'public';
}

/** The parameters every URL handed to this client carries: its key, when it came in the URL (QGIS, ArcGIS). */
export function carriedParams(ctx: Context): Record<string, string> {
  const key = (ctx.state as Partial<AuthState>).urlKey;
  return key ? { [KEY_PARAMETERS[0]]: key } : {};
}

/** `url` with the carried parameters appended. */
export function withCarried(ctx: Context, url: string): string {
  const params = new URLSearchParams(carriedParams(ctx)).toString();
  return params ? `${url}${url.includes('?') ? '&' : '?'}${params}` : url;
}

function unauthorized(ctx: Context, message: string): never {
  ctx.set('WWW-Authenticate', `Bearer realm="regso-tiles", error="invalid_token"`);
  throw new HttpError(401, message);
}

/**
 * Sets ctx.state.role/keyId/urlKey, or answers 401. Removes the key parameters from the query so that the
 * routers never see (or echo) them, and makes responses for a key `private` so no shared cache keeps them.
 */
export function authenticate(keys: KeyRing): Middleware {
  return async (ctx, next) => {
    const identity = keys.identify(ctx.req);
    Object.assign(ctx.state, { role: identity.role, keyId: identity.keyId, urlKey: identity.urlKey } satisfies AuthState);
    if (identity.refused) unauthorized(ctx, identity.refused);
    if (ctx.querystring) ctx.querystring = withoutKeyParameters(ctx.querystring);
    await next();
    if (identity.role !== 'public') {
      const cacheControl = ctx.response.get('Cache-Control');
      if (cacheControl) ctx.set('Cache-Control', cacheControl.replace(/\bpublic\b/, 'private'));
    }
  };
}

/** The query string without apikey/token, every other parameter byte for byte. */
export function withoutKeyParameters(query: string): string {
  return query
    .split('&')
    .filter((part) => {
      const name = part.split('=', 1)[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is left for the router to refuse.
      }
      return !(KEY_PARAMETERS as readonly string[]).includes(decoded);
    })
    .join('&');
}

/**
 * Guards a route: no key → 401, a key whose role is too low → 403. Requests through it are audited (admin actions),
 * whatever their outcome, unless `audit: false` (reads of operational figures: refusals are still audited).
 */
export function requireRole(required: Role, { audit = true }: { audit?: boolean } = {}): Middleware {
  return async (ctx, next) => {
    const state = ctx.state as Partial<AuthState>;
    if (audit) state.audited = true;
    const role = roleOf(ctx);
    if (!hasRole(role, required)) {
      if (!state.keyId) unauthorized(ctx, `this resource needs an API key with role "${required}"`);
      throw new HttpError(403, `the key "${state.keyId}" has role "${role}"; this resource needs "${required}"`);
    }
    await next();
  };
}
