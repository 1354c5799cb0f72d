/**
 * PyQGIS headless (Debian's python3-qgis, QGIS 3.22) for the client tests: whether it is here, and running a script
 * that prints one JSON document as its last line of stdout. PyQGIS may crash while tearing down after the work is
 * done (the scripts leave with os._exit(0) to avoid it): a non-zero exit or a signal after the JSON was printed is
 * therefore not a failure — the JSON is the result. Without JSON the error carries both streams.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** True if QGIS's Python bindings import; otherwise a notice (or, under CI=true, a failure: .ci/run must install them). */
export function hasQgis(): boolean {
  const ok = spawnSync(PYTHON, ['-c', 'import qgis.core'], { stdio: 'ignore', env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } }).status === 0;
  if (ok) return true;
  const what = `QGIS Python bindings (${PYTHON} -c "import qgis.core"; Debian python3-qgis qgis-providers)`;
  if (process.env.CI === 'true') throw new Error(`${what} missing under CI=true: .ci/run must install them`);
  console.warn(`NOTICE: ${what} not installed here: the QGIS tests are skipped`);
  return false;
}

export interface PyQgisRun<T> {
  result: T;
  seconds: number;
  /** Exit code (null if killed by a signal) and signal: a crash at exit shows here. */
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

/**
 * Runs a PyQGIS script asynchronously (a server in this process must keep answering it) with a fresh profile and
 * runtime folder (offscreen Qt), and parses the last line of its stdout as JSON. `--profile DIR` is appended.
 */
export async function runPyQgis<T>(script: string, args: string[], timeoutMs = 120_000): Promise<PyQgisRun<T>> {
  const runtimeDir = await mkdtemp(path.join(tmpdir(), 'regso-pyqgis-'));
  await chmod(runtimeDir, 0o700);
  const started = performance.now();
  try {
    const { stdout, stderr, code, signal } = await new Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null }>((resolve) => {
      execFile(
        PYTHON,
        [script, ...args, '--profile', path.join(runtimeDir, 'profile')],
        { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_RUNTIME_DIR: runtimeDir } },
        (err, stdout, stderr) => {
          const e = err as (Error & { code?: number | string; signal?: string | null }) | null;
          resolve({ stdout, stderr, code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null });
        },
      );
    });
    const seconds = (performance.now() - started) / 1000;
    const last = stdout.trim().split('\n').pop() ?? '';
    let result: T;
    try {
      result = JSON.parse(last) as T;
    } catch {
      throw new Error(`${path.basename(script)} printed no JSON (exit ${code}, signal ${signal}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`);
    }
    if (code !== 0) console.warn(`NOTICE: ${path.basename(script)} exited with ${code ?? signal} after printing its result (PyQGIS teardown)`);
    return { result, seconds, exitCode: code, signal, stderr };
  } finally {
    await rm(runtimeDir, { recursive: true, force: true });
  }
}
