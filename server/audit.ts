/**
 * The audit log: one JSON line per access to restricted data (a request with a key of role analyst or above that
 * got a 2xx from a data route), per admin action (whatever its outcome) and per refused key (401/403). Time, key
 * id (never the key), role, method, route template, path and status — enough to answer "who saw what, when".
 */
import type { Context, Middleware } from 'koa';
import pino from 'pino';
import type { AuthState } from './auth.ts';

export interface AuditEntry {
  time: string;
  keyId: string | null;
  role: string;
  method: string;
  /** The route template (`/collections/:collectionId/items`), or the path if no route matched. */
  route: string;
  path: string;
  status: number;
  requestId?: string;
}

export interface AuditLog {
  write(entry: AuditEntry): void;
  /** Resolves when every line written so far is on disk. */
  flush(): Promise<void>;
}

/** Health and readiness probes and metrics scrapes are no access to data. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/** An append-only JSON-lines file (its folder is created). */
export function auditFile(file: string): AuditLog {
  const destination = pino.destination({ dest: file, append: true, mkdir: true, sync: false });
  return {
    write: (entry) => destination.write(`${JSON.stringify(entry)}\n`),
    flush: () => new Promise((resolve) => destination.flush(() => resolve())),
  };
}

/** Audit entries into the server log, for a server without an audit file. */
export function auditToLog(log: pino.Logger): AuditLog {
  return { write: (entry) => log.info({ audit: entry }, 'audit'), flush: async () => {} };
}

export function shouldAudit(ctx: Context, route: string): boolean {
  const state = ctx.state as Partial<AuthState>;
  if (state.audited || ctx.status === 401 || ctx.status === 403) return true;
  return state.role !== undefined && state.role !== 'public' && ctx.status >= 200 && ctx.status < 300 && !PROBES.has(route);
}

/** Outermost middleware: sees the final status, errors included. */
export function auditTrail(log: AuditLog): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? ctx.path;
      if (shouldAudit(ctx, route)) {
        const state = ctx.state as Partial<AuthState>;
        log.write({
          time: new Date().toISOString(),
          keyId: state.keyId ?? null,
          role: state.role ?? 'public',
          method: ctx.method,
          route,
          path: ctx.path,
          status: ctx.status,
          requestId: ctx.response.get('X-Request-Id') || undefined,
        });
      }
    }
  };
}
