/**
 * The server as `npm start` runs it — `node --import tsx server/main.ts` — in a child process, for tests that need a
 * process of its own: signals (SIGHUP, SIGTERM), a crash that must not take the test runner with it, or a client
 * that should not share the server's CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../bench/children.ts';
import { sha256Hex } from '../../server/auth.ts';
import { nationalBuild } from './national.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (pino JSON lines and anything else). */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<number | NodeJS.Signals>;
  /** Ends the process (SIGKILL if it is still there after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | NodeJS.Signals>;
}

/** The admin key of every server process started here (SYNTHETIC, for tests only): POST /admin/reload needs it. */
export const TEST_ADMIN_KEY = 'admin-key-SYNTHETIC-server-process';

/**
 * The configuration of a test server process: the admin key, and no rate limit — every request of a load or fuzz
 * run comes from 127.0.0.1, and a 429 would hide what the run is there to find.
 */
async function testConfigFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'regso-config-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ rateLimit: false, keys: [{ id: 'test-admin', role: 'admin', sha256: sha256Hex(TEST_ADMIN_KEY) }] }));
  return file;
}

/** Starts the server with `env` added to the environment; resolves once /ready answers (and precompute is done). */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', CONFIG: await testConfigFile(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal!)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready within ${timeoutMs} ms:\n${output}`);
    }
    const ready = await fetch(`${url}/ready`).then((r) => (r.ok ? (r.json() as Promise<{ precompute: { state: string } }>) : null), () => null);
    if (ready && ready.precompute.state !== 'running') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/**
 * A private copy of the cached national build (the server writes its own builds and current.json next to it, which
 * must not touch the cache other tests share). Returns the build root for BUILD_DIR.
 */
export async function copyOfNationalBuild(): Promise<string> {
  const { root, id } = await nationalBuild();
  const copy = await mkdtemp(path.join(tmpdir(), 'regso-reliability-'));
  await cp(path.join(root, id), path.join(copy, id), { recursive: true });
  await cp(path.join(root, 'current.json'), path.join(copy, 'current.json'));
  return copy;
}
