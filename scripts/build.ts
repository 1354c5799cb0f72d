/**
 * npm run build [-- --manifest FILE] [--out DIR]
 * Turns a dataset manifest into a prepared build and makes it current. Exit code 1 with every problem listed
 * (file, feature or line, field, expectation) if any source is bad; the previous build stays current. The defaults
 * (manifest, build folder, disclosure minimum) come from the server's configuration (CONFIG, server/config.ts).
 */
import { parseArgs } from 'node:util';
import { buildAndStore } from '../data/build/build.ts';
import { DataError, formatProblem } from '../data/report.ts';
import { loadConfigOrExit } from '../server/config.ts';

const config = loadConfigOrExit();

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: config.manifest },
    out: { type: 'string', default: config.buildDir },
  },
});

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s`;

try {
  const summary = await buildAndStore(values.manifest!, values.out!, (step) => console.log(`[${elapsed()}] ${step}`), { defaultMinCount: config.disclosure.minCount });
  console.log(`[${elapsed()}] build ${summary.id}: ${summary.areas} areas, ${summary.warnings} warnings → ${summary.dir}`);
} catch (err) {
  if (!(err instanceof DataError)) throw err;
  console.error(`Build failed: ${err.problems.length} problem(s); the previous build stays current.`);
  for (const p of err.problems) console.error(`  - ${formatProblem(p)}`);
  process.exitCode = 1;
}
