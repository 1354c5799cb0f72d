/**
 * Server configuration from the environment, validated at start-up with a message naming the variable.
 */
import { z } from 'zod';
import { DEFAULT_BUILD_ROOT, DEFAULT_MANIFEST } from '../data/build/build.ts';

const zoomRange = z
  .string()
  .regex(/^\d{1,2}-\d{1,2}$/, 'a zoom range such as 0-10')
  .transform((s) => s.split('-').map(Number) as [number, number])
  .refine(([a, b]) => a <= b && b <= 14, 'from ≤ to ≤ 14');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** The URL clients reach the server at, if not what the request says (behind a reverse proxy with another path). */
  PUBLIC_URL: z.url().optional(),
  /** Honour X-Forwarded-Proto/-Host for the URLs handed out. */
  TRUST_PROXY: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  MANIFEST: z.string().default(DEFAULT_MANIFEST),
  BUILD_DIR: z.string().default(DEFAULT_BUILD_ROOT),
  TILE_CACHE_MB: z.coerce.number().int().min(1).default(256),
  PRECOMPUTE_ZOOMS: z.union([z.literal('off'), zoomRange]).default([0, 10]),
  /** Reload when the manifest or a source file it names changes (also on SIGHUP and POST /admin/reload). */
  WATCH_SOURCES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
