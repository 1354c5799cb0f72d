/**
 * QGIS 3.22 (Debian's python3-qgis) headless as an XYZ vector tile client of the national tiles, through
 * test/clients/qgis/xyz_vector_tiles.py: the layer URI QGIS's own connection code would build is valid, the MapLibre
 * style loads with `loadDefaultStyle()` and converts into one filtered fill per områdestyp with the palette's colours,
 * QGIS's MVT decoder reads the tiles around Göteborg and Stockholm at z10–12 with the layer counts, attributes and
 * areas @mapbox/vector-tile decodes from the same bytes (and GEOS-valid polygons), and a rendered 800 × 800 map of
 * Göteborg shows all five type colours (blended at opacity 0.85 over white). The PNG is kept in test-output/.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pointToTile } from '@mapbox/tilebelt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mercatorX, mercatorY } from '../../tiles/mercator.ts';
import { OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import { decodeTile, layerFeatures, uncompressed } from '../helpers/mvt.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';
import { rawGet } from '../helpers/raw-http.ts';
import { PYTHON, hasQgis } from '../helpers/pyqgis.ts';

const SCRIPT = path.join(import.meta.dirname, 'qgis', 'xyz_vector_tiles.py');
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
const TILESET = 'omradestyper-2023';
const STYLE = 'omradestyper-2023';
const FILL_OPACITY = 0.85;
const HALF_WORLD = 20037508.342789244;
/** Fields QGIS is made to decode for the regso layer. */
const FIELDS = ['regsokod', 'regsonamn', 'kommunkod', 'kommunnamn', 'omradestyp', 'year', 'geom_source'];

const PLACES = {
  Göteborg: { code: '1480R050', name: 'Hjällbo östra', lonLat: [12.02706, 57.76851] as [number, number] },
  Stockholm: { code: '0180R010', name: 'Bredäng', lonLat: [17.93145, 59.29525] as [number, number] },
};
const READ = Object.entries(PLACES).flatMap(([place, p]) =>
  [10, 11, 12].map((z) => {
    const [x, y] = pointToTile(p.lonLat[0], p.lonLat[1], z);
    return { place, code: p.code, name: p.name, z, x, y, key: `${z}/${x}/${y}` };
  }),
);
/** 30 km square around Hjällbo, EPSG:3857. */
const RENDER_EXTENT = (() => {
  const [cx, cy] = webMercator(PLACES.Göteborg.lonLat);
  return [cx - 15_000, cy - 15_000, cx + 15_000, cy + 15_000];
})();

function webMercator([lon, lat]: [number, number]): [number, number] {
  return [(mercatorX(lon) - 0.5) * 2 * HALF_WORLD, (0.5 - mercatorY(lat)) * 2 * HALF_WORLD];
}

const HAS_QGIS = hasQgis();

interface QgisStyle {
  name: string;
  layer: string;
  filter: string;
  geometryType: string;
  color: string | null;
  opacity: number | null;
  enabled: boolean;
}

interface QgisLayerRead {
  count: number;
  geometryTypes: Record<string, number>;
  features: { attributes: Record<string, string | number | null>; area: number; valid: boolean }[];
  invalid: { regsokod: string | null; reason: string }[];
}

interface QgisResult {
  qgis: string;
  uri: string;
  layer: { valid: boolean; sourceType: string; sourcePath: string; sourceMinZoom: number; sourceMaxZoom: number; crs: string };
  style: { ok: boolean; message: string; renderer: string | null; styles: QgisStyle[] };
  tiles: Record<string, { rendered: string[]; errors: string[]; layers: Record<string, QgisLayerRead> | null }>;
  render: { png: string; width: number; height: number; errors: string[]; colours: Record<string, number> };
}

let server: NationalServer;
let result: QgisResult;
let seconds = 0;
let runtimeDir: string;
const png = path.join(OUTPUT_DIR, `qgis-goteborg-${STYLE}.png`);

describe.skipIf(!HAS_QGIS)('QGIS 3.22 headless: XYZ vector tiles of the national dataset', () => {
  beforeAll(async () => {
    server = await startNationalServer();
    await mkdir(OUTPUT_DIR, { recursive: true });
    runtimeDir = await mkdtemp(path.join(tmpdir(), 'regso-qgis-'));
    await chmod(runtimeDir, 0o700);
    const args = [SCRIPT, '--base', server.url, '--tileset', TILESET, '--style', STYLE, '--fields', FIELDS.join(','), '--codes', Object.values(PLACES).map((p) => p.code).join(',')];
    for (const r of READ) args.push('--read', r.key);
    args.push('--png', png, '--extent', RENDER_EXTENT.join(','), '--size', '800', '--profile', path.join(runtimeDir, 'profile'));
    const started = performance.now();
    // Asynchronous: the server runs in this process and must answer QGIS's requests meanwhile.
    const { stdout, stderr } = await promisify(execFile)(PYTHON, args, {
      encoding: 'utf8',
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_RUNTIME_DIR: runtimeDir },
    });
    seconds = (performance.now() - started) / 1000;
    try {
      result = JSON.parse(stdout.trim().split('\n').pop()!) as QgisResult;
    } catch {
      throw new Error(`the QGIS script printed no JSON:\n${stdout}\n${stderr}`);
    }
    console.log(`QGIS ${result.qgis}: ${seconds.toFixed(1)} s; URI ${result.uri}; map saved to ${path.relative(process.cwd(), png)}`);
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
  });

  /** The tile as served (gzip), decoded with @mapbox/vector-tile. */
  async function decoded(key: string) {
    const res = await rawGet(`${server.url}/tiles/${TILESET}/${key}.mvt`, { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    return decodeTile(uncompressed(res.body, res.headers['content-encoding'] as string | undefined));
  }

  it('opens the XYZ layer from the URI QGIS’s connection code builds (percent-encoded, zmin/zmax, styleUrl)', () => {
    const base = server.url;
    expect(result.uri).toBe(
      `styleUrl=${base}/styles/${STYLE}.json&type=xyz&url=${base}/tiles/${TILESET}/%7Bz%7D/%7Bx%7D/%7By%7D.mvt&zmax=14&zmin=0`,
    );
    expect(result.layer).toMatchObject({ valid: true, sourceType: 'xyz', sourcePath: `${base}/tiles/${TILESET}/{z}/{x}/{y}.mvt`, sourceMinZoom: 0, sourceMaxZoom: 14, crs: 'EPSG:3857' });
  });

  it('applies the style with loadDefaultStyle(): one filtered fill per områdestyp with the palette’s colour', () => {
    expect(result.style.ok, result.style.message).toBe(true);
    expect(result.style.renderer).toBe('basic');
    const fills = result.style.styles.filter((s) => s.layer === 'regso' && s.geometryType === 'Polygon');
    expect(fills.map((s) => s.name)).toEqual(['omradestyp-1', 'omradestyp-2', 'omradestyp-3', 'omradestyp-4', 'omradestyp-5']);
    for (const [i, s] of fills.entries()) {
      const typ = (i + 1) as 1 | 2 | 3 | 4 | 5;
      expect(s.filter.replace(/\s+/g, ' '), s.name).toMatch(new RegExp(`^"omradestyp" (IS|=) ${typ}$`));
      expect(s.color, s.name).toBe(OMRADESTYP_COLORS[typ]);
      expect(s.opacity, s.name).toBeCloseTo(FILL_OPACITY, 3);
      expect(s.enabled, s.name).toBe(true);
    }
    // Outlines (areas, kommun, utsatta områden) are on in QGIS as in MapLibre.
    const outlines = result.style.styles.filter((s) => s.name.endsWith('-outline'));
    expect(outlines.map((s) => s.layer).sort()).toEqual(['kommun', 'regso', 'utsatta_omraden']);
    for (const s of outlines) expect(s.enabled, s.name).toBe(true);
  });

  for (const r of READ) {
    it(`reads ${r.place} z${r.z} (${r.key}) with QGIS’s MVT decoder: the same layers, counts, ${r.name}’s attributes and area`, async () => {
      const read = result.tiles[r.key];
      expect(read.rendered, 'tiles QGIS rendered for the map of this tile').toEqual([r.key]);
      expect(read.errors).toEqual([]);
      const tile = await decoded(r.key);
      const counts = Object.fromEntries(Object.entries(read.layers ?? {}).map(([name, l]) => [name, l.count]));
      expect(counts).toEqual(Object.fromEntries(Object.values(tile.layers).map((l) => [l.name, l.length])));
      const area = read.layers!.regso.features.find((f) => f.attributes.regsokod === r.code);
      expect(area, `${r.code} in QGIS's regso features`).toBeDefined();
      const mine = layerFeatures(tile, 'regso').find((f) => f.properties.regsokod === r.code)!;
      for (const field of FIELDS) expect(String(area!.attributes[field]), field).toBe(String(mine.properties[field]));
      const unit = (2 * HALF_WORLD) / 2 ** r.z / 4096;
      const decodedArea = Math.abs(mine.geometry.reduce((s, ring) => s + shoelace(ring.map((p) => [p.x, p.y])), 0)) * unit * unit;
      expect(area!.area / decodedArea).toBeCloseTo(1, 3);
    });

    // Known limitation (see gdal-mvt.test.ts): GEOS validity of clipped tile polygons is printed, not asserted.
    afterAll(() => {
      const invalid = Object.entries(result?.tiles[r.key]?.layers ?? {}).flatMap(([name, l]) => l.invalid.map((i) => `${name} ${i.regsokod ?? ''}: ${i.reason}`));
      console.info(`QGIS/GEOS validity, ${TILESET} ${r.key}: ${invalid.length} invalid polygon(s)${invalid.length ? `, e.g. ${invalid[0]}` : ''}`);
    });
  }

  it('renders Göteborg with all five områdestyp colours (opacity 0.85 over white) and saves the PNG', () => {
    expect(result.render).toMatchObject({ width: 800, height: 800, errors: [] });
    const pixels = 800 * 800;
    const colours = Object.entries(result.render.colours).map(([hex, n]) => ({ rgb: rgbOf(hex), n }));
    const found: Record<string, number> = {};
    for (const typ of [1, 2, 3, 4, 5] as const) {
      const expected = blendOverWhite(rgbOf(OMRADESTYP_COLORS[typ]), FILL_OPACITY);
      found[typ] = colours.filter((c) => c.rgb.every((v, k) => Math.abs(v - expected[k]) <= 3)).reduce((s, c) => s + c.n, 0);
    }
    console.log(`QGIS map of Göteborg: pixels per områdestyp colour ${JSON.stringify(found)} of ${pixels}`);
    for (const typ of [1, 2, 3, 4, 5]) expect(found[typ], `områdestyp ${typ} (${OMRADESTYP_COLORS[typ as 1]} at ${FILL_OPACITY})`).toBeGreaterThan(pixels * 0.001);
    // Areas cover the whole extent: the fills, not the white background, make up most of the map.
    expect(Object.values(found).reduce((a, b) => a + b, 0)).toBeGreaterThan(pixels * 0.8);
  });
});

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function blendOverWhite(rgb: [number, number, number], alpha: number): [number, number, number] {
  return rgb.map((c) => Math.round(alpha * c + (1 - alpha) * 255)) as [number, number, number];
}

function shoelace(ring: number[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return sum / 2;
}
