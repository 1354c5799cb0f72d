/**
 * npm run build [-- --manifest FILE] [--out DIR]
 * Turns a dataset manifest into a prepared build and makes it current. Exit code 1 with every problem listed
 * (file, feature or line, field, expectation) if any source is bad; the previous build stays current.
 */
import { parseArgs } from 'node:util';
import { buildAndStore, DEFAULT_BUILD_ROOT, DEFAULT_MANIFEST } from '../data/build/build.ts';
import { DataError, formatProblem } from '../data/report.ts';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: DEFAULT_MANIFEST },
    out: { type: 'string', default: DEFAULT_BUILD_ROOT },
  },
});

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s`;

try {
  const summary = await buildAndStore(values.manifest!, values.out!, (step) => console.log(`[${elapsed()}] ${step}`));
  console.log(`[${elapsed()}] build ${summary.id}: ${summary.areas} areas, ${summary.warnings} warnings → ${summary.dir}`);
} catch (err) {
  if (!(err instanceof DataError)) throw err;
  console.error(`Build failed: ${err.problems.length} problem(s); the previous build stays current.`);
  for (const p of err.problems) console.error(`  - ${formatProblem(p)}`);
  process.exitCode = 1;
}
