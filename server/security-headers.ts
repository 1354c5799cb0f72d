/**
 * Security headers. Every response: `nosniff`, and `Referrer-Policy: no-referrer` because URLs handed to key
 * holders carry their key (`apikey=`) and must not leak to other sites through the Referer. HTML pages also get a
 * Content-Security-Policy: they run no script and load nothing from elsewhere; their one inline stylesheet is
 * allowed by its hash, the inline SVG sketch needs nothing. A route that sets its own policy keeps it (the viewer
 * runs scripts of our origin).
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { PAGE_CSS } from './ogc/html.ts';

const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLE_HASH}`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers of every response. */
export const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' } as const;

/** The same as name, value, name, value, … (the tile fast path's form). */
export const SECURITY_HEADER_LIST: readonly string[] = Object.entries(SECURITY_HEADERS).flat();

export const securityHeaders: Middleware = async (ctx, next) => {
  try {
    await next();
  } finally {
    ctx.set(SECURITY_HEADERS);
    if (ctx.response.type === 'text/html') {
      if (!ctx.response.get('Content-Security-Policy')) ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      ctx.set('X-Frame-Options', 'DENY');
    }
  }
};
