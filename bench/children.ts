/**
 * Child processes of the tile benchmark (servers, wrk): spawned with their output in log files, tracked, and all
 * killed when the benchmark ends — normally (stopChild, with a grace period so a profiled server can write its
 * profile), on an exception, on exit or on SIGINT/SIGTERM (SIGKILL, synchronously: nothing else can run then).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

export interface Child {
  name: string;
  proc: ChildProcess;
  log: string;
  /** Resolves with the exit code (or the signal) when the process has ended. */
  exited: Promise<number | NodeJS.Signals>;
}

const live = new Set<Child>();
let handlersInstalled = false;

function killAllNow(): void {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAllNow();
      // 'exit' handlers (the PostGIS cluster's) still run on process.exit.
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}

/** Spawns a tracked child with stdout and stderr appended to `log`. */
export function spawnChild(name: string, command: string, args: string[], log: string, options: SpawnOptions = {}): Child {
  installHandlers();
  const fd = openSync(log, 'a');
  let proc: ChildProcess;
  try {
    proc = spawn(command, args, { ...options, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    proc.once('error', () => resolve(-1));
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const child: Child = { name, proc, log, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has ended. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Runs a tracked child to its end; resolves with its output (stdout and stderr, from its log). */
export async function runChild(name: string, command: string, args: string[], log: string, options: SpawnOptions = {}): Promise<string> {
  const before = existsSync(log) ? readFileSync(log).length : 0;
  const child = spawnChild(name, command, args, log, options);
  const code = await child.exited;
  const out = readFileSync(log).subarray(before).toString('utf8');
  if (code !== 0) throw new Error(`${name} failed (${code}):\n${out.slice(-3000)}`);
  return out;
}

export function tail(file: string, chars = 3000): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : '';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent (still gzipped if the server said so). */
  body: Buffer;
}

/** One GET; never decodes the body. */
export function httpGet(url: string, headers: Record<string, string> = {}, agent?: import('node:http').Agent): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: GET ${url}`)));
    req.end();
  });
}

/**
 * Polls `url` every 200 ms until `ok` accepts a response; fails if the child exits first or after `timeoutMs`, with the
 * end of its log.
 */
export async function waitFor(child: Child, url: string, ok: (r: HttpResult) => boolean, timeoutMs: number): Promise<HttpResult> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${child.name} exited before it was ready:\n${tail(child.log)}`);
    try {
      const r = await httpGet(url);
      if (ok(r)) return r;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs / 1000} s (${url}):\n${tail(child.log)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * CPU seconds a process has used so far, user + system, all its threads (/proc/PID/stat fields 14 and 15, in Linux's
 * USER_HZ of 100 ticks a second). Per request, this is steadier than requests/s on a shared machine: a server that
 * waits for the CPU loses throughput but not CPU time.
 */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident set size and its peak, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}
