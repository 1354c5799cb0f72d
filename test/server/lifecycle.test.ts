/**
 * The real server process (`node --import tsx server/main.ts`) over the mini dataset (SYNTHETIC TEST FIXTURE),
 * configured by a config file: it builds, serves, and on SIGTERM stops accepting, finishes the request in flight,
 * closes idle keep-alive sockets and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMiniDataset, type MiniDataset } from '../helpers/mini-dataset.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

let dir: string;
let mini: MiniDataset;
let child: ChildProcess;
let port: number;
let setExit: (code: number | null) => void = () => {};
const exited = new Promise<number | null>((resolve) => {
  setExit = resolve;
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'regso-lifecycle-'));
  mini = await writeMiniDataset();
  const config = path.join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ port: 0, host: '127.0.0.1', manifest: mini.manifestFile, buildDir: 'build', precomputeZooms: 'off', logLevel: 'info' }));
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: { ...process.env, CONFIG: config }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('exit', (code) => setExit(code));
  port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const serving = /"url":"http:\/\/localhost:(\d+)\/"/.exec(buffered);
      if (serving) resolve(Number(serving[1]));
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code} before serving`)));
  });
}, 120_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  await rm(mini.dir, { recursive: true, force: true });
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends on a socket until it closes it. */
function received(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => {}); // a reset shows as a missing answer in the text
    socket.on('close', () => resolve(text));
  });
}

describe('graceful shutdown', () => {
  it('finishes the request in flight, closes idle keep-alive sockets, refuses new connections and exits 0', async () => {
    // An idle keep-alive connection: one request answered, the socket left open.
    const idle = await connect();
    const idleText = received(idle);
    idle.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    // A request in flight: its headers are still arriving when SIGTERM comes.
    const busy = await connect();
    const busyText = received(busy);
    busy.write('GET /collections/regso/items?limit=1 HTTP/1.1\r\nHost: test\r\n');
    await new Promise((r) => setTimeout(r, 100));

    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await expect(connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(await idleText).toMatch(/^HTTP\/1\.1 200/);

    busy.write('Accept: application/geo+json\r\n\r\n');
    const answer = await busyText;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"numberReturned":1');
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('stopServer', () => {
  it('answers a request that reached an idle keep-alive socket while another request blocked the event loop', async () => {
    const { createServer, listen, stopServer } = await import('../../server/lifecycle.ts');
    const config = { port: 0, host: '127.0.0.1', requestTimeoutMs: 10_000, limits: { maxHeaderBytes: 16_384 } } as Parameters<typeof createServer>[1];
    let idle: net.Socket | undefined;
    const server = createServer((req, res) => {
      if (req.url === '/block') {
        // The other client sends its next request now; this handler keeps the event loop busy past the idle grace.
        idle!.write('GET /second HTTP/1.1\r\nHost: test\r\n\r\n');
        const until = performance.now() + 800;
        while (performance.now() < until);
      }
      res.end('ok');
    }, config);
    const { port } = await listen(server, config);
    const open = () => new Promise<net.Socket>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    });
    idle = await open();
    const idleText = received(idle);
    idle.write('GET /first HTTP/1.1\r\nHost: test\r\n\r\n');
    const busy = await open();
    const busyText = received(busy);
    await new Promise((r) => setTimeout(r, 100));
    const stopped = stopServer(server, 10_000);
    busy.write('GET /block HTTP/1.1\r\nHost: test\r\n\r\n');
    await stopped;
    expect(await busyText).toMatch(/^HTTP\/1\.1 200/);
    // Both requests on the keep-alive socket were answered; the second one closed it.
    expect((await idleText).match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(await idleText).toMatch(/Connection: close/i);
  });
});
