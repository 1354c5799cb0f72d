/**
 * QGIS 3.22 (Debian's python3-qgis) headless as a client of the Esri VectorTileServer of the national dataset, in
 * every tile grid of TILE_MATRIX_SETS, through test/clients/qgis/arcgis_vector_tiles.py: the layer QGIS's "ArcGIS
 * Vector Tile Service" connection opens is valid in the grid's CRS, the service's default style (root.json) is
 * applied with the palette's five områdestyp colours, QGIS's decoder reads the tiles it draws with the layer counts
 * @mapbox/vector-tile decodes from the same bytes, and a rendered 800 × 800 map around Hjällbo, Göteborg matches —
 * pixel by pixel, områdestyp by områdestyp — a rendering of the OGC API – Features `regso` collection drawn with
 * the same colours. Both PNGs are kept in test-output/.
 *
 * QGIS 3.22 stores this connection as `type=xyz&serviceType=arcgis&url=…` (`type=arcgis` is not a source type
 * there: the layer is invalid) and requests `<url>?f=pjson`, but reads only `tiles`, `maxzoom` and (for the style)
 * `defaultStyles` from it: the layer is Web Mercator whatever `tileInfo` says (Debian's 3.22.16 has no
 * QgsVectorTileMatrixSet, the class that builds the grid from `tileInfo` — level-0 resolution × 512, origin,
 * spatial reference — and picks levels by the LODs' scales in later QGIS). So the services of other grids are
 * tested with a QGIS that has that class, and skipped with a notice on 3.22.
 */
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWgs84, parseCrs } from '../../data/crs.ts';
import { TILE_MATRIX_SETS } from '../../tiles/grid.ts';
import { OMRADESTYP_COLORS } from '../../tiles/style/palette.ts';
import { MAX_ZOOM } from '../../tiles/tilesets.ts';
import { decodeTile, uncompressed } from '../helpers/mvt.ts';
import { startNationalServer, type NationalServer } from '../helpers/national.ts';
import { PYTHON, hasQgis, runPyQgis } from '../helpers/pyqgis.ts';
import { rawGet } from '../helpers/raw-http.ts';

const SCRIPT = path.join(import.meta.dirname, 'qgis', 'arcgis_vector_tiles.py');
const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
const TILESET = 'omradestyper';
const FILL_OPACITY = 0.85;
const TYPES = [1, 2, 3, 4, 5] as const;
/** Hjällbo, Göteborg (longitude, latitude): the map is the 30 km square around it. */
const HJALLBO = [12.02706, 57.76851];
const HALF_SIDE = 15_000;

interface QgisArcgisResult {
  qgis: string;
  uri: string;
  layer: { valid: boolean; sourceType: string; sourcePath: string; sourceMinZoom: number; sourceMaxZoom: number; crs: string; extent: number[] };
  style: { ok: boolean; message: string; renderer: string | null; styles: { name: string; layer: string; geometryType: string; color: string | null; opacity: number | null; enabled: boolean }[] };
  tiles: { errors: string[]; read: Record<string, Record<string, number>> };
  features: { valid: boolean; crs: string; errors: string[] };
  compare: { pixels: number; tiles: number; features: number; both: number; typedBoth: number; sameType: number };
}

const HAS_QGIS = hasQgis();
/** Whether this QGIS builds an Esri service's grid from its tileInfo (3.22 does not: Web Mercator only). */
const READS_TILE_INFO =
  HAS_QGIS &&
  spawnSync(PYTHON, ['-c', 'import sys, qgis.core; sys.exit(0 if hasattr(qgis.core, "QgsVectorTileMatrixSet") else 1)'], { env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' } }).status === 0;

let server: NationalServer;
beforeAll(async () => {
  if (!HAS_QGIS) return;
  server = await startNationalServer();
  await mkdir(OUTPUT_DIR, { recursive: true });
}, 240_000);
afterAll(async () => {
  await server?.close();
});

for (const grid of TILE_MATRIX_SETS) {
  const name = grid.epsg === 3857 ? TILESET : `${TILESET}-${grid.epsg}`;
  const servicePath = `/arcgis/rest/services/${name}/VectorTileServer`;
  const png = (what: string) => path.join(OUTPUT_DIR, `qgis-arcgis-${grid.id}-${what}.png`);

  const readable = grid.epsg === 3857 || READS_TILE_INFO;
  if (HAS_QGIS && !readable) console.warn(`NOTICE: this QGIS reads no tileInfo (Web Mercator only): the ${grid.id} service is not tested with QGIS here`);

  describe.skipIf(!HAS_QGIS || !readable)(`QGIS 3.22 headless: the ArcGIS Vector Tile Service ${name} (${grid.id}, EPSG:${grid.epsg})`, () => {
    let result: QgisArcgisResult;

    beforeAll(async () => {
      const project = fromWgs84(parseCrs(`EPSG:${grid.epsg}`)!);
      const [cx, cy] = project(HJALLBO);
      const extent = [cx - HALF_SIDE, cy - HALF_SIDE, cx + HALF_SIDE, cy + HALF_SIDE];
      const colours = TYPES.map((t) => OMRADESTYP_COLORS[t]).join(',');
      const args = ['--service', `${server.url}${servicePath}`, '--oapif-base', server.url, '--extent', extent.join(','), '--colors', colours];
      args.push('--opacity', String(FILL_OPACITY), '--png-tiles', png('tiles'), '--png-features', png('features'), '--size', '800');
      const run = await runPyQgis<QgisArcgisResult>(SCRIPT, args, 240_000);
      result = run.result;
      console.log(`QGIS ${result.qgis}: ${run.seconds.toFixed(1)} s; URI ${result.uri}; maps in ${path.relative(process.cwd(), png('tiles'))} and ${path.basename(png('features'))}; ${JSON.stringify(result.compare)}`);
    }, 300_000);

    it(`opens a valid layer in EPSG:${grid.epsg} with the service's tile template and zoom range (maxzoom)`, () => {
      expect(result.uri).toBe(`serviceType=arcgis&type=xyz&url=${server.url}${servicePath}`);
      expect(result.layer).toMatchObject({
        valid: true,
        sourceType: 'xyz',
        sourcePath: `${server.url}${servicePath}/tile/{z}/{y}/{x}.pbf`,
        sourceMinZoom: 0,
        sourceMaxZoom: MAX_ZOOM,
        crs: `EPSG:${grid.epsg}`,
      });
    });

    it('applies the service’s default style: one fill per områdestyp in the palette’s colour, and the outlines', () => {
      expect(result.style.ok, result.style.message).toBe(true);
      expect(result.style.renderer).toBe('basic');
      const fills = result.style.styles.filter((s) => s.layer === 'regso' && s.geometryType === 'Polygon');
      expect(fills.map((s) => s.name)).toEqual(TYPES.map((t) => `omradestyp-${t}`));
      expect(fills.map((s) => s.color)).toEqual(TYPES.map((t) => OMRADESTYP_COLORS[t]));
      for (const s of fills) {
        expect(s.opacity, s.name).toBeCloseTo(FILL_OPACITY, 3);
        expect(s.enabled, s.name).toBe(true);
      }
      expect(result.style.styles.filter((s) => s.name.endsWith('-outline')).map((s) => s.layer).sort()).toEqual(['kommun', 'regso', 'utsatta_omraden']);
    });

    it('reads the tiles it draws with QGIS’s decoder: the layer counts @mapbox/vector-tile decodes from the same tiles', async () => {
      expect(result.tiles.errors).toEqual([]);
      const read = Object.entries(result.tiles.read);
      expect(read.length).toBeGreaterThan(0);
      let areas = 0;
      for (const [key, counts] of read) {
        const [z, column, row] = key.split('/');
        const res = await rawGet(`${server.url}${servicePath}/tile/${z}/${row}/${column}.pbf`, { 'Accept-Encoding': 'gzip' });
        expect(res.status, key).toBe(200);
        const tile = decodeTile(uncompressed(res.body, res.headers['content-encoding'] as string | undefined));
        for (const [layer, count] of Object.entries(counts)) expect(count, `${key} ${layer}`).toBe(tile.layers[layer]?.length);
        areas += counts.regso ?? 0;
      }
      expect(areas).toBeGreaterThan(0);
    });

    it('renders the areas where the OGC API – Features layer has them, in the same områdestyp colours', () => {
      expect(result.features).toMatchObject({ valid: true, errors: [] });
      const c = result.compare;
      expect(c.pixels).toBe(800 * 800);
      // Fills overlap: what is coloured in one map is coloured in the other.
      expect(c.both / c.tiles).toBeGreaterThanOrEqual(0.9);
      expect(c.both / c.features).toBeGreaterThanOrEqual(0.9);
      // Most of the map is a type colour in both (outlines and antialiased edges are the rest), and the same type.
      expect(c.typedBoth / c.pixels).toBeGreaterThanOrEqual(0.8);
      expect(c.sameType / c.typedBoth).toBeGreaterThanOrEqual(0.95);
    });
  });
}
