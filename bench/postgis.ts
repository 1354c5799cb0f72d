/**
 * A throwaway PostgreSQL + PostGIS cluster for the benchmark: initdb into a fresh temp dir, listen on 127.0.0.1 on a
 * free port (and a socket in the temp dir, so it never touches a system cluster), trust auth, then stop it and
 * delete the dir. PostgreSQL refuses to run as root, so when we are root the server-side tools run as `postgres`
 * (runuser); psql is only a client and runs as us.
 *
 * Cleanup is synchronous (spawnSync) so it also works from process 'exit' and signal handlers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './children.ts';

/** Debian's postgresql-15-postgis-3 layout; override with PG_BINDIR. */
const BINDIR = process.env.PG_BINDIR ?? '/usr/lib/postgresql/15/bin';

/**
 * Server settings. Durability off only speeds up loading (a throwaway cluster); memory settings give PostGIS room
 * for the GiST builds and the join. Parallel query stays at PostgreSQL's defaults (up to 2 workers per gather).
 */
export const SERVER_SETTINGS: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  shared_buffers: '2GB',
  work_mem: '256MB',
  maintenance_work_mem: '1GB',
  max_wal_size: '8GB',
};

export class ThrowawayPostgis {
  private stopped = false;
  private readonly onExit = (): void => this.stop();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.stop();
    process.kill(process.pid, signal); // handlers are once(): re-raise for the default exit
  };

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly asPostgres: boolean,
  ) {
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  static async start(): Promise<ThrowawayPostgis> {
    for (const tool of ['initdb', 'pg_ctl', 'psql']) {
      if (!existsSync(path.join(BINDIR, tool))) throw new Error(`${path.join(BINDIR, tool)} not found: install postgresql-15-postgis-3 or set PG_BINDIR`);
    }
    const asPostgres = process.getuid?.() === 0;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'regso-bench-pg-'));
    if (asPostgres) {
      const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    const port = await freePort();
    const pg = new ThrowawayPostgis(dir, port, asPostgres);
    try {
      pg.server('initdb', ['-D', pg.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
      const opts = [`-p ${port}`, "-c listen_addresses='127.0.0.1'", `-c unix_socket_directories='${dir}'`]
        .concat(Object.entries(SERVER_SETTINGS).map(([k, v]) => `-c ${k}=${v}`))
        .join(' ');
      pg.server('pg_ctl', ['-D', pg.dataDir, '-l', pg.logFile, '-w', '-t', '120', '-o', opts, 'start']);
      await pg.sql('CREATE EXTENSION postgis;');
      return pg;
    } catch (err) {
      pg.stop();
      throw err;
    }
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }
  get logFile(): string {
    return path.join(this.dir, 'server.log');
  }

  /** Runs a psql script; returns its stdout (unaligned, tuples only, tab-separated). Rejects on any SQL error. */
  sql(script: string): Promise<string> {
    return this.psql([], async (stdin) => {
      stdin.end(script);
    });
  }

  /** Runs `copySql` (a COPY … FROM STDIN) and feeds it what `write` writes, respecting back-pressure. */
  copyIn(copySql: string, write: (push: (chunk: Buffer | string) => Promise<void>) => Promise<void>): Promise<string> {
    return this.psql(['-c', copySql], async (stdin) => {
      const push = (chunk: Buffer | string): Promise<void> =>
        stdin.write(chunk) ? Promise.resolve() : new Promise((resolve) => stdin.once('drain', resolve));
      await write(push);
      stdin.end();
    });
  }

  /** Stops the server (immediate: nothing to keep) and deletes the cluster. Safe to call more than once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    if (existsSync(path.join(this.dataDir, 'postmaster.pid'))) {
      this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'], true);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private psql(args: string[], feed: (stdin: NodeJS.WritableStream & { end(chunk?: string): void }) => Promise<void>): Promise<string> {
    const child = spawn(
      path.join(BINDIR, 'psql'),
      ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', 'postgres', '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', ...args],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // psql died mid-stream: reported by its exit code below
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    return feed(child.stdin)
      .then(() => exited)
      .then((code) => {
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code !== 0) throw new Error(`psql failed (exit ${code}): ${stderr}`);
        return Buffer.concat(out).toString('utf8');
      });
  }

  /** A server-side tool, as `postgres` when we are root. Throws with the server log on failure. */
  private server(tool: string, args: string[]): void {
    this.run(tool, args, false);
  }

  private run(tool: string, args: string[], quiet: boolean): void {
    const bin = path.join(BINDIR, tool);
    const [cmd, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    const r = spawnSync(cmd, argv, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0 && !quiet) {
      const log = existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} failed (exit ${r.status}): ${r.stderr || r.stdout}${log ? `\nserver log:\n${log}` : ''}`);
    }
  }
}


/** Hex EWKB prefix of a little-endian 2D Point with SRID 3006: byte order 01, type 0x20000001, SRID 0x00000BBE. */
const EWKB_PREFIX = Buffer.from('0101000020BE0B0000', 'latin1');
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
const EWKB_LINE = EWKB_PREFIX.length + 32 + 1;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * COPY text lines (one hex EWKB point each) for points [from, to) in EPSG:3006. Binary doubles, so PostGIS gets
 * exactly our coordinates, with no decimal round trip.
 */
export function ewkbPointLines(xs: Float64Array, ys: Float64Array, from: number, to: number): Buffer {
  if (os.endianness() !== 'LE') throw new Error('ewkbPointLines assumes a little-endian machine');
  const buf = Buffer.allocUnsafe((to - from) * EWKB_LINE);
  let o = 0;
  const hexDouble = (v: number): void => {
    f64[0] = v;
    for (let b = 0; b < 8; b++) {
      buf[o++] = HEX[f64Bytes[b] >> 4];
      buf[o++] = HEX[f64Bytes[b] & 15];
    }
  };
  for (let i = from; i < to; i++) {
    o += EWKB_PREFIX.copy(buf, o);
    hexDouble(xs[i]);
    hexDouble(ys[i]);
    buf[o++] = 10; // \n
  }
  return buf;
}
