/**
 * The SWEREF 99 TM tiles of the national build, decoded and mapped back to SWEREF 99 TM with the grid's constants
 * written out here (Lantmäteriet's origin E −1 200 000, N 8 500 000; our root tile 2^22 m; 4096 units a tile) —
 * independently of tiles/plane.ts:
 *
 * - Accuracy. At level 12 (0.25 m a tile unit; the source is served unsimplified from level 9 on, see plane.ts and
 *   generalise.ts) every vertex of every RegSO polygon of Göteborg's tiles around 1480R050 Hjällbo östra lies within
 *   one tile unit of its source polygon's boundary, and every source vertex there has a tile vertex within one unit:
 *   the tiles land on the source polygons. At coarser levels the generalisation moves borders by design (up to its
 *   tolerance), so the pixel bound is tested where there is none.
 * - Validity. Every tile of levels 0–10 (about Web Mercator zooms 2–12 in ground resolution) over the data, of every
 *   year's tileset, is held to the same MVT 2.1 rules as the Web Mercator sweep (test/helpers/mvt-check.ts): layers,
 *   ids, commands, rings; and to the same disclosure check (test/helpers/leak-check.ts): nothing restricted or
 *   suppressed in a public tile.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../data/dataset.ts';
import { AREA_LAYER } from '../../tiles/attributes.ts';
import { SWEREF99_TM } from '../../tiles/grid.ts';
import { TileMaker, type TilesetInfo } from '../../tiles/tilesets.ts';
import { distanceToRings } from '../helpers/geometry.ts';
import { LeakCheck } from '../helpers/leak-check.ts';
import { checkServedTile, MVT_EXTENT } from '../helpers/mvt-check.ts';
import { nationalDataset } from '../helpers/national.ts';
import { sweepZoom } from '../helpers/tile-sweep.ts';

const ORIGIN_E = -1_200_000;
const ORIGIN_N = 8_500_000;
const ROOT_SIDE = 2 ** 22;
const LEVEL = 12;
const UNIT = ROOT_SIDE / 2 ** LEVEL / MVT_EXTENT; // 0.25 m
const HJALLBO = '1480R050';
const SWEEP_LEVELS = 10;
/** Level of about Web Mercator zoom 7 (ground resolution at 62° N), from which the areas are not dissolved: labels. */
const LABELS_FROM_LEVEL = 5;

let dataset: Dataset;
let maker: TileMaker;
let tileset: TilesetInfo;
beforeAll(async () => {
  dataset = await nationalDataset();
  maker = new TileMaker(dataset);
  tileset = maker.tilesets.get('omradestyper')!;
}, 120_000);


describe('SWEREF 99 TM tiles land on the source polygons', () => {
  it(`level ${LEVEL}: every tile vertex within one tile unit (${UNIT} m) of its area's boundary, and every source vertex matched`, () => {
    const hjallbo = dataset.areas.find((a) => a.regsokod === HJALLBO)!;
    const byId = new Map(dataset.areas.map((a) => [a.id, a]));
    const ring = hjallbo.sweref99tm.coordinates[0][0];
    const side = ROOT_SIDE / 2 ** LEVEL;
    const cols = ring.map(([e]) => Math.floor((e - ORIGIN_E) / side));
    const rows = ring.map(([, n]) => Math.floor((ORIGIN_N - n) / side));
    let vertices = 0;
    let sourceVertices = 0;
    const worst = { tile: 0, source: 0 };
    const tileVertices: [number, number][] = [];
    const inside: [number, number, number, number][] = []; // tile extents in metres: [minE, minN, maxE, maxN]
    for (let row = Math.min(...rows); row <= Math.max(...rows); row++) {
      for (let col = Math.min(...cols); col <= Math.max(...cols); col++) {
        const made = maker.tile(tileset, { z: LEVEL, x: col, y: row }, 'public', SWEREF99_TM);
        expect(made.status).toBe('ok');
        if (made.status !== 'ok') continue;
        const checked = checkServedTile(made.bytes, `${LEVEL}/${row}/${col}`, true);
        expect(checked.problems).toEqual([]);
        const e0 = ORIGIN_E + col * side, n0 = ORIGIN_N - row * side;
        inside.push([e0, n0 - side, e0 + side, n0]);
        for (const f of checked.layers.get(AREA_LAYER)?.features ?? []) {
          const area = byId.get(f.id!)!;
          expect(area, `feature ${f.id}`).toBeDefined();
          for (const part of f.parts) {
            for (const [px, py] of part) {
              // Only the tile itself: beyond it the buffer is clipped by lines that are no border.
              if (px <= 0 || py <= 0 || px >= MVT_EXTENT || py >= MVT_EXTENT) continue;
              const e = e0 + px * UNIT, n = n0 - py * UNIT;
              tileVertices.push([e, n]);
              vertices++;
              worst.tile = Math.max(worst.tile, distanceToRings(area.sweref99tm.coordinates.flat(), e, n));
            }
          }
        }
      }
    }
    // Every source vertex of the areas in these tiles (away from the tile edges) has a tile vertex within one unit.
    for (const area of dataset.areas.filter((a) => a.kommunkod === '1480')) {
      for (const polygon of area.sweref99tm.coordinates) {
        for (const r of polygon) {
          for (const [e, n] of r) {
            if (!inside.some(([a, b, c, d]) => e > a + UNIT && e < c - UNIT && n > b + UNIT && n < d - UNIT)) continue;
            sourceVertices++;
            let nearest = Infinity;
            for (const [te, tn] of tileVertices) nearest = Math.min(nearest, Math.hypot(te - e, tn - n));
            worst.source = Math.max(worst.source, nearest);
          }
        }
      }
    }
    console.log(`level ${LEVEL}: ${vertices} tile vertices, worst ${worst.tile.toFixed(3)} m from the source boundary; ${sourceVertices} source vertices, worst ${worst.source.toFixed(3)} m from a tile vertex (1 unit = ${UNIT} m)`);
    expect(vertices).toBeGreaterThan(100);
    expect(sourceVertices).toBeGreaterThan(50);
    expect(worst.tile).toBeLessThanOrEqual(UNIT);
    expect(worst.source).toBeLessThanOrEqual(UNIT);
  });
});

describe(`every SWEREF 99 TM tile of levels 0–${SWEEP_LEVELS} over the data`, () => {
  it("is MVT 2.1 with our layer rules, each level has tiles with areas, and no tile leaks (every year's tileset)", () => {
    const problems: string[] = [];
    const rows: string[] = [];
    const leaks: LeakCheck[] = [];
    for (const t of [...maker.tilesets.values()].filter((t) => !t.alias)) {
      const leakCheck = new LeakCheck(dataset, t.year);
      for (let z = 0; z <= SWEEP_LEVELS; z++) {
        let tiles = 0, nonEmpty = 0, bytes = 0;
        const started = performance.now();
        for (const swept of sweepZoom(maker, t, z, { labels: z >= LABELS_FROM_LEVEL, grid: SWEREF99_TM })) {
          problems.push(...swept.checked.problems);
          if (!swept.bytes) continue;
          tiles++;
          bytes += swept.bytes.length;
          if (swept.bytes.length > 0) nonEmpty++;
          leakCheck.tile(swept.checked, swept.where);
        }
        expect(nonEmpty, `${t.id} level ${z}`).toBeGreaterThan(0);
        rows.push(`  ${t.id} level ${String(z).padStart(2)}: ${String(tiles).padStart(6)} tiles ${String(nonEmpty).padStart(6)} non-empty ${(bytes / 1e6).toFixed(1).padStart(5)} MB ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
      leakCheck.finish();
      leaks.push(leakCheck);
    }
    console.log(`SWEREF 99 TM sweep:\n${rows.join('\n')}\nleaks: ${leaks.map((l) => l.report()).join('; ')}`);
    expect(problems.slice(0, 25), `${problems.length} problem(s)`).toEqual([]);
    expect(leaks.map((l) => l.year)).toEqual(dataset.years);
    expect(leaks.filter((l) => l.found > 0).map((l) => l.report())).toEqual([]);
  }, 600_000);
});
