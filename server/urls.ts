/** The absolute base URL of the server as the client sees it: the configured public URL, or the request's own. */
import type { Context } from 'koa';

export function baseUrl(ctx: Context, publicUrl: string | undefined): string {
  return (publicUrl ?? `${ctx.protocol}://${ctx.host}`).replace(/\/$/, '');
}
