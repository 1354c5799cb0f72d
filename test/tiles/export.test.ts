/**
 * npm run tiles:export: the pyramid walk, MBTiles and PMTiles, proven with real readers — tileserver-gl-light serving
 * the MBTiles, the `pmtiles` library reading the PMTiles over HTTP range requests from nginx — against our own server
 * on the same build. The export is the national build's Göteborg region (with its archipelago) to z12, both years.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FetchSource, PMTiles, zxyToTileId as referenceTileId, type Source } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndStore, DEFAULT_MANIFEST } from '../../data/build/build.ts';
import { readBuild } from '../../data/build/store.ts';
import type { Dataset } from '../../data/dataset.ts';
import { createApp } from '../../server/app.ts';
import { DatasetStore } from '../../server/dataset-store.ts';
import { exportTiles, parseCli, type ExportSummary } from '../../scripts/export-tiles.ts';
import { TileCache } from '../../tiles/cache.ts';
import { MBTILES_APPLICATION_ID } from '../../tiles/export/mbtiles.ts';
import { HEADER_LENGTH, PMTilesWriter, ROOT_LIMIT, zxyToTileId } from '../../tiles/export/pmtiles.ts';
import { datasetBounds } from '../../data/dataset.ts';
import { exportMetadata, tilePyramid, type Bounds } from '../../tiles/export/pyramid.ts';
import { tilesCovering } from '../../tiles/grid.ts';
import { tileJson } from '../../tiles/tilejson.ts';
import { TileMaker } from '../../tiles/tilesets.ts';
import { requireClient } from '../helpers/clients.ts';
import { writeMiniDataset } from '../helpers/mini-dataset.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
/** Göteborg, Öckerö's and Styrsö's islands, and the Kattegat west of them out beyond Sweden's waters (empty tiles). */
const BBOX: Bounds = [10.9, 57.5, 12.3, 57.9];
const MAXZOOM = 12;
const TILESETS = ['omradestyper-2022', 'omradestyper-2023'];

let root: string;
let out: string;
let dataset: Dataset;
let store: DatasetStore;
let ours: Server;
let oursUrl: string;
let summary: ExportSummary;
/** Per tileset: "z/x/y" → uncompressed MVT, as read back from the MBTiles. */
const exported = new Map<string, Map<string, Buffer>>();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'regso-export-'));
  const built = await buildAndStore(DEFAULT_MANIFEST, path.join(root, 'build'));
  dataset = await readBuild(path.join(root, 'build'), built.id);
  out = path.join(root, 'export');
  summary = exportTiles(dataset, { tilesets: TILESETS, maxzoom: MAXZOOM, bbox: BBOX, out });
  for (const id of TILESETS) {
    const db = new Database(path.join(out, `${id}.mbtiles`), { readonly: true });
    const rows = db.prepare('SELECT zoom_level AS z, tile_column AS x, tile_row AS row, tile_data AS data FROM tiles').all() as { z: number; x: number; row: number; data: Buffer }[];
    exported.set(id, new Map(rows.map((r) => [`${r.z}/${r.x}/${2 ** r.z - 1 - r.row}`, gunzipSync(r.data)])));
    db.close();
  }
  store = new DatasetStore(dataset, new TileCache(64 * 1024 * 1024));
  ours = createApp(store).listen(0, '127.0.0.1');
  await new Promise((resolve) => ours.once('listening', resolve));
  oursUrl = `http://127.0.0.1:${(ours.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => ours?.close(resolve));
  if (root) await rm(root, { recursive: true, force: true });
});

/** Our server's tile, uncompressed (fetch undoes Content-Encoding). */
async function ourTile(tileset: string, key: string): Promise<Buffer> {
  const res = await fetch(`${oursUrl}/tiles/${tileset}/${key}.mvt`);
  expect(res.status, `our ${tileset}/${key}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Tiles of the bbox at z0–MAXZOOM that the export does not have (all empty on our server, see the first test). */
function absentKeys(tileset: string, count: number): string[] {
  const have = exported.get(tileset)!;
  const absent: string[] = [];
  for (let z = MAXZOOM; z >= 8 && absent.length < count; z--) for (const t of tilesCovering(BBOX, z)) if (!have.has(`${z}/${t.x}/${t.y}`) && absent.length < count) absent.push(`${z}/${t.x}/${t.y}`);
  return absent;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a child process and waits until `url` answers 200; its output is kept for the error message. */
async function startChild(command: string, args: string[], cwd: string, url: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(url, { method: 'HEAD' })).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error(`${command} did not answer ${url} within 30 s:\n${output}`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('the pyramid walk', () => {
  it('exports exactly the tiles that are not empty, byte for byte as the server makes them', () => {
    const maker = store.current.tiles.maker;
    for (const id of TILESETS) {
      const tileset = maker.tilesets.get(id)!;
      const have = exported.get(id)!;
      const expected = new Map<string, Uint8Array>();
      for (let z = 0; z <= MAXZOOM; z++) {
        for (const t of tilesCovering(BBOX, z)) {
          const made = maker.tile(tileset, t, 'public');
          if (made.status === 'ok' && made.bytes.length > 0) expected.set(`${z}/${t.x}/${t.y}`, made.bytes);
        }
      }
      expect([...have.keys()].sort(), id).toEqual([...expected.keys()].sort());
      for (const [key, bytes] of expected) expect(Buffer.compare(have.get(key)!, Buffer.from(bytes)), `${id} ${key}`).toBe(0);
    }
    // Göteborg has tiles at every zoom and the years differ below the dissolve zoom.
    const zooms = new Set([...exported.get(TILESETS[1])!.keys()].map((k) => Number(k.split('/')[0])));
    expect([...zooms].sort((a, b) => a - b)).toEqual([...Array(MAXZOOM + 1).keys()]);
    expect(Buffer.compare(exported.get(TILESETS[0])!.get('5/17/9')!, exported.get(TILESETS[1])!.get('5/17/9')!)).not.toBe(0);
    expect(summary.tiles).toBe(new Set([...exported.values()].flatMap((m) => [...m.keys()])).size);
  });

  it('goes on below tiles left empty by generalisation, down to where the data shows (mini dataset)', async () => {
    // SYNTHETIC TEST FIXTURE: a 2 km block of four areas. At z0–1 it is less than a unit of the 4096 grid and the
    // encoded tiles are empty; a walk that stopped at empty tiles would export nothing.
    const mini = await writeMiniDataset();
    const miniRoot = path.join(root, 'mini-build');
    try {
      const built = await buildAndStore(mini.manifestFile, miniRoot);
      const small = await readBuild(miniRoot, built.id);
      const maker = new TileMaker(small);
      const tileset = maker.tilesets.get('omradestyper-2023')!;
      for (const z of [0, 1]) expect(maker.tile(tileset, { z, x: z, y: 0 }, 'public')).toMatchObject({ status: 'ok', bytes: new Uint8Array(0) });
      const walked = new Map([...tilePyramid(small, tileset)].map((t) => [`${t.z}/${t.x}/${t.y}`, t.bytes]));
      for (let z = 0; z <= 14; z++) {
        for (const t of tilesCovering(datasetBounds(small), z)) {
          const made = maker.tile(tileset, t, 'public');
          const key = `${z}/${t.x}/${t.y}`;
          if (made.status === 'ok' && made.bytes.length > 0) expect(Buffer.compare(Buffer.from(walked.get(key) ?? []), Buffer.from(made.bytes)), key).toBe(0);
          else expect(walked.has(key), key).toBe(false);
        }
      }
      expect(Math.max(...[...walked.keys()].map((k) => Number(k.split('/')[0])))).toBe(14);
    } finally {
      await rm(mini.dir, { recursive: true, force: true });
    }
  });

  it('walks depth-first in a deterministic order, only within the zooms and the bbox', () => {
    const bbox: Bounds = [11.9, 57.65, 12.0, 57.72];
    const tileset = store.current.tiles.maker.tilesets.get(TILESETS[1])!;
    const progress: number[] = [];
    const walk = () => [...tilePyramid(dataset, tileset, { minzoom: 8, maxzoom: 11, bbox, progressMs: 0, onProgress: (p) => progress.push(p.indexedTiles) })].map((t) => `${t.z}/${t.x}/${t.y}`);
    const first = walk();
    expect(walk()).toEqual(first);
    const zooms = first.map((k) => Number(k.split('/')[0]));
    expect(Math.min(...zooms)).toBe(8);
    expect(Math.max(...zooms)).toBe(11);
    const inBox = new Set([8, 9, 10, 11].flatMap((z) => [...tilesCovering(bbox, z)].map((t) => `${z}/${t.x}/${t.y}`)));
    for (const k of first) expect(inBox.has(k), k).toBe(true);
    // Depth-first: every tile comes right after its parent's subtree has begun, i.e. a z11 tile follows its z10 parent.
    const position = new Map(first.map((k, i) => [k, i]));
    for (const k of first) {
      const [z, x, y] = k.split('/').map(Number);
      if (z > 8) expect(position.get(`${z - 1}/${x >> 1}/${y >> 1}`)!, k).toBeLessThan(position.get(k)!);
    }
    // The indexes are emptied as the walk leaves each subtree.
    expect(progress[progress.length - 1]).toBe(0);
  });
});

describe('MBTiles', () => {
  it('has the MBTiles 1.3 schema, metadata and vector_layers of the server’s TileJSON', () => {
    const db = new Database(path.join(out, `${TILESETS[1]}.mbtiles`), { readonly: true });
    try {
      expect(db.pragma('application_id', { simple: true })).toBe(MBTILES_APPLICATION_ID);
      const meta = Object.fromEntries((db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
      const tileset = store.current.tiles.tileset(TILESETS[1])!;
      const tj = tileJson(dataset, tileset, store.current.tiles.bounds, '', 'public');
      expect(meta).toMatchObject({ format: 'pbf', type: 'overlay', minzoom: '0', maxzoom: String(MAXZOOM), name: tj.name, attribution: tj.attribution, description: tj.description, version: tj.version });
      const bounds = meta.bounds.split(',').map(Number);
      expect(bounds).toEqual([Math.max(BBOX[0], tj.bounds[0]), Math.max(BBOX[1], tj.bounds[1]), Math.min(BBOX[2], tj.bounds[2]), Math.min(BBOX[3], tj.bounds[3])]);
      const [lon, lat, zoom] = meta.center.split(',').map(Number);
      expect(lon > bounds[0] && lon < bounds[2] && lat > bounds[1] && lat < bounds[3] && zoom >= 0 && zoom <= MAXZOOM).toBe(true);
      const layers = JSON.parse(meta.json).vector_layers as { id: string; fields: Record<string, string>; minzoom: number; maxzoom: number }[];
      expect(layers.map((l) => l.id)).toEqual(tj.vector_layers.map((l) => l.id));
      for (const l of layers) {
        expect(l.fields).toEqual(tj.vector_layers.find((v) => v.id === l.id)!.fields);
        expect(l.maxzoom).toBe(MAXZOOM);
      }
      const index = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tiles'").all() as { sql: string }[];
      expect(index.map((i) => i.sql.replace(/\s+/g, ' '))).toEqual(['CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)']);
      // tile_data is gzip (1f 8b), rows are TMS: Göteborg's z5 tile is XYZ 17/9, TMS row 2^5 − 1 − 9 = 22.
      const row = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = 5 AND tile_column = 17 AND tile_row = 22').get() as { tile_data: Buffer };
      expect([...row.tile_data.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      expect(db.prepare('SELECT count(*) AS n FROM tiles').get()).toEqual({ n: exported.get(TILESETS[1])!.size });
    } finally {
      db.close();
    }
    expect(summary.files.map((f) => path.basename(f.path)).sort()).toEqual(TILESETS.flatMap((t) => [`${t}.mbtiles`, `${t}.pmtiles`]).sort());
  });

  const tileserverBin = path.join(REPO, 'node_modules/.bin/tileserver-gl');
  describe.skipIf(!requireClient(tileserverBin, 'tileserver-gl-light (npm devDependency)'))('served by tileserver-gl-light', () => {
    let child: ChildProcess | undefined;
    let url: string;
    const id = TILESETS[1];

    beforeAll(async () => {
      // Its automatic config looks for its styles package nested in its own node_modules (npm hoists it): give it a
      // config of our own, the documented way, with the data only.
      const config = { options: { paths: { root: out } }, styles: {}, data: { [id]: { mbtiles: `${id}.mbtiles` } } };
      await writeFile(path.join(out, 'config.json'), JSON.stringify(config));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      child = await startChild(tileserverBin, ['--config', 'config.json', '--port', String(port), '--bind', '127.0.0.1', '--silent'], out, `${url}/health`);
    });

    afterAll(() => stopChild(child));

    it('reads the metadata: zooms, bounds, vector_layers', async () => {
      const tj = (await (await fetch(`${url}/data/${id}.json`)).json()) as { format: string; minzoom: number; maxzoom: number; bounds: number[]; vector_layers: { id: string }[] };
      const meta = exportMetadata(dataset, store.current.tiles.tileset(id)!, { maxzoom: MAXZOOM, bbox: BBOX });
      expect(tj).toMatchObject({ format: 'pbf', minzoom: 0, maxzoom: MAXZOOM, bounds: meta.bounds });
      expect(tj.vector_layers).toEqual(meta.vector_layers);
    });

    it('serves every exported tile with the same bytes as our server, and nothing where ours is empty', async () => {
      const have = exported.get(id)!;
      for (const key of have.keys()) {
        const res = await fetch(`${url}/data/${id}/${key}.pbf`);
        expect(res.status, key).toBe(200);
        expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), await ourTile(id, key)), key).toBe(0);
      }
      const absent = absentKeys(id, 8);
      expect(absent.length).toBeGreaterThan(0);
      for (const key of absent) {
        expect((await fetch(`${url}/data/${id}/${key}.pbf`)).status, key).toBe(204);
        expect((await ourTile(id, key)).length, key).toBe(0);
      }
    });
  });
});

/** A PMTiles source over a file in memory (no HTTP), for the format tests. */
function memorySource(bytes: Buffer): Source {
  return {
    getKey: () => 'memory',
    getBytes: async (offset, length) => ({ data: bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + length) as ArrayBuffer }),
  };
}

describe('PMTiles', () => {
  it('numbers tiles on the Hilbert curves as the reference reader does', () => {
    for (let z = 0; z <= 14; z++) {
      const n = 2 ** z;
      for (let i = 0; i < 200; i++) {
        const x = Math.floor(Math.random() * n);
        const y = Math.floor(Math.random() * n);
        expect(zxyToTileId(z, x, y), `${z}/${x}/${y}`).toBe(referenceTileId(z, x, y));
      }
    }
    expect(zxyToTileId(14, 16383, 0)).toBe(referenceTileId(14, 16383, 0));
    expect(() => zxyToTileId(3, 8, 0)).toThrow(/outside/);
  });

  it('deduplicates contents, run-length encodes repeats and splits into leaf directories', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'regso-pmtiles-'));
    try {
      const contents = Array.from({ length: 50 }, (_, i) => gzipSync(randomBytes(20 + i * 7)));
      const tiles: { z: number; x: number; y: number; content: number }[] = [];
      // z10: a 40 × 40 block; runs of alike tiles along x (runs where they are consecutive on the curve).
      for (let x = 500; x < 540; x++) for (let y = 300; y < 340; y++) tiles.push({ z: 10, x, y, content: Math.floor((x * 7 + y) / 10) % contents.length });
      tiles.push({ z: 0, x: 0, y: 0, content: 0 });
      const used = [...new Set(tiles.map((t) => t.content))];
      const metadata = { ...exportMetadata(dataset, store.current.tiles.tileset(TILESETS[1])!, { maxzoom: 10 }), minzoom: 0 };
      const file = path.join(dir, 'synthetic.pmtiles');
      // Shuffled: the writer must sort.
      const shuffled = [...tiles].sort(() => Math.random() - 0.5);
      const writer = new PMTilesWriter(file, metadata);
      for (const t of shuffled) writer.add(t.z, t.x, t.y, contents[t.content]);
      const auto = writer.finish();
      const forced = new PMTilesWriter(path.join(dir, 'leaves.pmtiles'), metadata, { leafSize: 64 });
      for (const t of shuffled) forced.add(t.z, t.x, t.y, contents[t.content]);
      const leaves = forced.finish();
      expect(auto.contents).toBe(used.length);
      expect(auto.entries).toBeLessThan(tiles.length);
      expect(leaves.leafDirectories).toBeGreaterThan(1);

      for (const [name, s] of [['synthetic.pmtiles', auto], ['leaves.pmtiles', leaves]] as const) {
        const bytes = await readFile(path.join(dir, name));
        const reader = new PMTiles(memorySource(bytes));
        const header = await reader.getHeader();
        expect(header).toMatchObject({ specVersion: 3, clustered: true, numAddressedTiles: tiles.length, numTileEntries: s.entries, numTileContents: used.length, tileType: 1, tileCompression: 2, internalCompression: 2 });
        expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(ROOT_LIMIT);
        if (name === 'leaves.pmtiles') expect(header.leafDirectoryLength).toBeGreaterThan(0);
        else expect(header.leafDirectoryLength).toBe(0);
        expect(header.tileDataOffset + header.tileDataLength!).toBe(bytes.length);
        expect(header.tileDataLength).toBe(used.reduce((sum, c) => sum + contents[c].length, 0));
        for (const t of tiles) {
          const got = await reader.getZxy(t.z, t.x, t.y);
          expect(Buffer.compare(Buffer.from(got!.data), gunzipSync(contents[t.content])), `${t.z}/${t.x}/${t.y}`).toBe(0);
        }
        expect(await reader.getZxy(10, 499, 300)).toBeUndefined();
        expect(await reader.getZxy(10, 540, 339)).toBeUndefined();
        expect(await reader.getZxy(5, 0, 0)).toBeUndefined();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the root directory within the first 16 KiB by making leaves when the entries need it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'regso-pmtiles-'));
    try {
      // 60,000 tiles at random places on z12 with contents that repeat out of order: offsets do not compress.
      const contents = Array.from({ length: 997 }, (_, i) => gzipSync(Buffer.from(`content ${i} ${'x'.repeat(i % 300)}`)));
      const writer = new PMTilesWriter(path.join(dir, 'big.pmtiles'), { ...exportMetadata(dataset, store.current.tiles.tileset(TILESETS[1])!, { maxzoom: 12 }) });
      const used = new Set<number>();
      const sample: [number, number, number][] = [];
      while (used.size < 60_000) {
        const x = Math.floor(Math.random() * 4096);
        const y = Math.floor(Math.random() * 4096);
        const id = x * 4096 + y;
        if (used.has(id)) continue;
        used.add(id);
        writer.add(12, x, y, contents[used.size % contents.length]);
        if (used.size % 600 === 0) sample.push([x, y, used.size % contents.length]);
      }
      const s = writer.finish();
      expect(s.leafDirectories).toBeGreaterThan(0);
      const bytes = await readFile(path.join(dir, 'big.pmtiles'));
      const reader = new PMTiles(memorySource(bytes));
      const header = await reader.getHeader();
      expect(HEADER_LENGTH + header.rootDirectoryLength).toBeLessThanOrEqual(ROOT_LIMIT);
      expect(header.numAddressedTiles).toBe(60_000);
      for (const [x, y, c] of sample) expect(Buffer.from((await reader.getZxy(12, x, y))!.data).toString()).toBe(gunzipSync(contents[c]).toString());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!requireClient('nginx', 'nginx (Debian nginx-light)'))('read over HTTP range requests from nginx', () => {
    let child: ChildProcess | undefined;
    let url: string;
    let logFile: string;
    let dir: string | undefined;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'regso-nginx-'));
      logFile = path.join(dir, 'access.log');
      const port = await freePort();
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n  ');
      const conf = `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  log_format ranges '$status "$http_range" $body_bytes_sent';
  access_log ${logFile} ranges;
  ${temp}
  types { application/vnd.pmtiles pmtiles; }
  default_type application/octet-stream;
  server { listen 127.0.0.1:${port}; root ${out}; }
}
`;
      await writeFile(path.join(dir, 'nginx.conf'), conf);
      url = `http://127.0.0.1:${port}`;
      child = await startChild('nginx', ['-p', `${dir}/`, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], dir, `${url}/${TILESETS[1]}.pmtiles`);
    });

    afterAll(async () => {
      await stopChild(child);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('reads the header and metadata: zooms, bounds, center, vector_layers', async () => {
      for (const id of TILESETS) {
        const reader = new PMTiles(new FetchSource(`${url}/${id}.pmtiles`));
        const header = await reader.getHeader();
        const meta = exportMetadata(dataset, store.current.tiles.tileset(id)!, { maxzoom: MAXZOOM, bbox: BBOX });
        expect(header).toMatchObject({ specVersion: 3, minZoom: 0, maxZoom: MAXZOOM, clustered: true, tileType: 1, tileCompression: 2, numAddressedTiles: exported.get(id)!.size });
        const bounds = [header.minLon, header.minLat, header.maxLon, header.maxLat];
        bounds.forEach((b, i) => expect(b).toBeCloseTo(meta.bounds[i], 6));
        expect(header.centerLon).toBeCloseTo(meta.center[0], 6);
        expect(header.centerLat).toBeCloseTo(meta.center[1], 6);
        expect(header.centerZoom).toBe(meta.center[2]);
        const metadata = (await reader.getMetadata()) as { vector_layers: unknown; attribution: string; name: string };
        expect(metadata.vector_layers).toEqual(meta.vector_layers);
        expect(metadata.attribution).toBe(dataset.attribution);
        expect(metadata.name).toBe(meta.name);
      }
    });

    it('gives every exported tile with the same bytes as our server, and none where ours is empty', async () => {
      for (const id of TILESETS) {
        const reader = new PMTiles(new FetchSource(`${url}/${id}.pmtiles`));
        for (const key of exported.get(id)!.keys()) {
          const [z, x, y] = key.split('/').map(Number);
          const got = await reader.getZxy(z, x, y);
          expect(got, key).toBeDefined();
          expect(Buffer.compare(Buffer.from(got!.data), await ourTile(id, key)), `${id} ${key}`).toBe(0);
        }
        for (const key of absentKeys(id, 8)) {
          const [z, x, y] = key.split('/').map(Number);
          expect(await reader.getZxy(z, x, y), key).toBeUndefined();
          expect((await ourTile(id, key)).length).toBe(0);
        }
      }
      // Range requests it was: nginx answered 206 Partial Content to ranges.
      const log = await readFile(logFile, 'utf8');
      expect(log).toMatch(/^206 "bytes=\d+-\d+"/m);
      expect(log).not.toMatch(/^200 "-" [1-9]\d{5,}/m);
    });

    it('reads an archive with leaf directories the same way', async () => {
      const id = TILESETS[0];
      const file = path.join(out, 'leaves.pmtiles');
      const writer = new PMTilesWriter(file, exportMetadata(dataset, store.current.tiles.tileset(id)!, { maxzoom: MAXZOOM, bbox: BBOX }), { leafSize: 16 });
      for (const [key, bytes] of exported.get(id)!) {
        const [z, x, y] = key.split('/').map(Number);
        writer.add(z, x, y, gzipSync(bytes));
      }
      expect(writer.finish().leafDirectories).toBeGreaterThan(2);
      const reader = new PMTiles(new FetchSource(`${url}/leaves.pmtiles`));
      expect((await reader.getHeader()).leafDirectoryLength).toBeGreaterThan(0);
      for (const [key, bytes] of exported.get(id)!) {
        const [z, x, y] = key.split('/').map(Number);
        expect(Buffer.compare(Buffer.from((await reader.getZxy(z, x, y))!.data), bytes), key).toBe(0);
      }
    });
  });
});

describe('npm run tiles:export', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export-tiles.ts', ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });

  it('exports a tileset with a summary on stdout and progress on stderr', async () => {
    const dir = path.join(root, 'cli');
    const run = cli(['--build-dir', path.join(root, 'build'), '--tileset', 'omradestyper', '--maxzoom', '4', '--format', 'pmtiles', '--out', dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/z0–4: \d+ tiles .* in \d+\.\d s/);
    expect(run.stdout).toContain(path.join(dir, 'omradestyper.pmtiles'));
    expect(run.stderr).toMatch(/100% \d+\/\d+ tiles/);
    const header = await new PMTiles(memorySource(await readFile(path.join(dir, 'omradestyper.pmtiles')))).getHeader();
    expect(header).toMatchObject({ minZoom: 0, maxZoom: 4 });
  });

  it('refuses bad options with a message', () => {
    for (const [args, message] of [
      [['--format', 'shp'], /--format shp: expected mbtiles/],
      [['--maxzoom', '15'], /--maxzoom 15: expected a zoom 0–14/],
      [['--minzoom', '5', '--maxzoom', '3'], /--minzoom 5 is above --maxzoom 3/],
      [['--bbox', '12,58,11,57'], /--bbox 12,58,11,57: expected west,south,east,north/],
      [['--zoom', '3'], /Unknown option '--zoom'/],
      [['extra'], /Unexpected argument 'extra'/],
    ] as const) {
      expect(() => parseCli([...args]), args.join(' ')).toThrow(message);
    }
    expect(parseCli(['--tileset', 'a,b', '--tileset', 'c', '--bbox', '11,57,12,58', '--format', 'pmtiles', '--out', 'x'])).toMatchObject({
      tilesets: ['a', 'b', 'c'],
      minzoom: 0,
      maxzoom: 14,
      bbox: [11, 57, 12, 58],
      formats: ['pmtiles'],
      out: 'x',
    });
  });

  it('exits with code 1 and the message on a bad option, an unknown tileset or no build', () => {
    for (const [args, message] of [
      [['--format', 'shp'], /--format shp: expected mbtiles[^]*usage: npm run tiles:export/],
      [['--build-dir', path.join(root, 'build'), '--tileset', 'nope'], /no tileset "nope"; there are omradestyper-2022, omradestyper-2023, omradestyper/],
      [['--build-dir', path.join(root, 'nothing')], /no build in/],
    ] as const) {
      const run = cli([...args]);
      expect(run.status, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
