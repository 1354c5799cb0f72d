/**
 * The PostGIS side of the cold tile benchmark: the dataset's RegSO polygons (WGS84, transformed once to EPSG:3857 on
 * load) with the same tags our `regso` layer carries for the year, a GiST index, and one prepared
 * `ST_AsMVT(ST_AsMVTGeom(geom, ST_TileEnvelope(z, x, y), 4096, 64, true))` run over the tile list on one connection,
 * timed per tile with psql's \timing.
 */
import type { Dataset } from '../data/dataset.ts';
import type { LayerTags } from '../tiles/attributes.ts';
import type { ThrowawayPostgis } from './postgis.ts';
import type { TileAddress } from '../tiles/grid.ts';

export interface PostgisLoad {
  areas: number;
  columns: number;
  loadMs: number;
  indexMs: number;
}

type ColumnType = 'text' | 'bigint' | 'double precision' | 'boolean';

/** The table `regso` (id, tag columns, geom 3857) with a GiST index; tags by area id, as our tiles have them. */
export async function loadRegso(pg: ThrowawayPostgis, dataset: Dataset, tags: LayerTags): Promise<PostgisLoad> {
  const columns = columnTypes(dataset, tags);
  const names = [...columns.keys()];
  const defs = names.map((n) => `${ident(n)} ${columns.get(n)}`).join(', ');
  let t = performance.now();
  await pg.sql(`CREATE TABLE regso_src (id int, gj text${defs ? `, ${defs}` : ''});`);
  await pg.copyIn(`COPY regso_src (id, gj${names.map((n) => `, ${ident(n)}`).join('')}) FROM STDIN`, async (push) => {
    for (const a of dataset.areas) {
      const t = tags.get(a.id) ?? {};
      const cells = [String(a.id), copyText(JSON.stringify(a.wgs84)), ...names.map((n) => (t[n] === undefined ? '\\N' : copyText(String(t[n]))))];
      await push(`${cells.join('\t')}\n`);
    }
  });
  await pg.sql(
    `CREATE TABLE regso AS SELECT id${names.map((n) => `, ${ident(n)}`).join('')}, ` +
      'ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(gj), 4326), 3857))::geometry(MultiPolygon, 3857) AS geom FROM regso_src; ' +
      'DROP TABLE regso_src;',
  );
  const loadMs = performance.now() - t;
  t = performance.now();
  await pg.sql('CREATE INDEX regso_geom ON regso USING gist (geom); ANALYZE regso;');
  return { areas: dataset.areas.length, columns: names.length, loadMs, indexMs: performance.now() - t };
}

/** The prepared statement, for the report. */
export function mvtStatement(columns: string[]): string {
  return (
    'PREPARE tile(int, int, int) AS SELECT coalesce(length(mvt), 0) FROM (SELECT ST_AsMVT(q, \'regso\', 4096, \'geom\', \'id\') AS mvt FROM (' +
    `SELECT id${columns.map((n) => `, ${ident(n)}`).join('')}, ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom ` +
    'FROM regso WHERE geom && ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096)) q) t'
  );
}

export interface PostgisPass {
  /** Per tile, in list order: psql's \timing (client round trip on 127.0.0.1, one connection). */
  ms: number[];
  /** Per tile: length of the MVT. */
  bytes: number[];
}

/** `passes` runs of the prepared statement over the list, in one psql session (one connection, one PREPARE). */
export async function timeMvt(pg: ThrowawayPostgis, tiles: TileAddress[], passes: number): Promise<{ passes: PostgisPass[]; statement: string }> {
  const columns = (await pg.sql("SELECT attname FROM pg_attribute WHERE attrelid = 'regso'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;"))
    .split('\n')
    .filter((c) => c && c !== 'id' && c !== 'geom');
  const statement = mvtStatement(columns);
  const lines = [`${statement};`, '\\timing on'];
  for (let p = 0; p < passes; p++) for (const { z, x, y } of tiles) lines.push(`EXECUTE tile(${z}, ${x}, ${y});`);
  const out = await pg.sql(`${lines.join('\n')}\n`);
  const ms: number[] = [];
  const bytes: number[] = [];
  for (const line of out.split('\n')) {
    const time = /^Time: ([\d.]+) ms/.exec(line);
    if (time) ms.push(Number(time[1]));
    else if (/^\d+$/.test(line)) bytes.push(Number(line));
  }
  if (ms.length !== passes * tiles.length || bytes.length !== ms.length) {
    throw new Error(`psql gave ${ms.length} timings and ${bytes.length} results for ${passes} × ${tiles.length} tiles:\n${out.slice(0, 2000)}`);
  }
  const result: PostgisPass[] = [];
  for (let p = 0; p < passes; p++) {
    const from = p * tiles.length;
    result.push({ ms: ms.slice(from, from + tiles.length), bytes: bytes.slice(from, from + tiles.length) });
  }
  return { passes: result, statement };
}

/** One column per tag key of the areas, typed by the values it has (integers → bigint, other numbers → double). */
function columnTypes(dataset: Dataset, tags: LayerTags): Map<string, ColumnType> {
  const kinds = new Map<string, Set<string>>();
  for (const a of dataset.areas) {
    for (const [k, v] of Object.entries(tags.get(a.id) ?? {})) {
      let s = kinds.get(k);
      if (!s) kinds.set(k, (s = new Set()));
      s.add(typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);
    }
  }
  const columns = new Map<string, ColumnType>();
  for (const [k, s] of kinds) {
    if (k === 'id' || k === 'geom') throw new Error(`tag "${k}" clashes with a column of the PostGIS table`);
    if (s.size === 1 && s.has('boolean')) columns.set(k, 'boolean');
    else if ([...s].every((v) => v === 'int')) columns.set(k, 'bigint');
    else if ([...s].every((v) => v === 'int' || v === 'float')) columns.set(k, 'double precision');
    else columns.set(k, 'text');
  }
  return columns;
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A value for COPY's text format. */
function copyText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
