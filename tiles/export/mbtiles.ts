/**
 * An MBTiles 1.3 writer (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) with better-sqlite3.
 *
 * `metadata` (name, value): name, format=pbf, bounds, center, minzoom, maxzoom, attribution, description, version,
 * type=overlay, and `json` with the vector_layers. `tiles` (zoom_level, tile_column, tile_row, tile_data) with the
 * row in TMS order (y flipped: tile_row = 2^z − 1 − y), tile_data gzipped as the spec expects of pbf, and a unique
 * index on (zoom_level, tile_column, tile_row). Only non-empty tiles are stored: a missing tile is an empty one.
 *
 * The database is written to a temporary name (journal off: a crash leaves only that file) and renamed into place
 * when complete, so a reader never sees half an export.
 */
import Database from 'better-sqlite3';
import { renameSync, rmSync, statSync } from 'node:fs';
import type { ExportMetadata } from './pyramid.ts';

/** PRAGMA application_id of MBTiles ("MPBX"). */
export const MBTILES_APPLICATION_ID = 0x4d504258;

const BATCH = 2000;

export interface MBTilesSummary {
  path: string;
  tiles: number;
  bytes: number;
}

export class MBTilesWriter {
  private readonly tmpPath: string;
  private db: Database.Database | null;
  private readonly insert: Database.Statement<[number, number, number, Uint8Array]>;
  private pending = 0;
  private count = 0;

  constructor(
    readonly path: string,
    metadata: ExportMetadata,
  ) {
    this.tmpPath = `${path}.tmp-${process.pid}`;
    rmSync(this.tmpPath, { force: true });
    const db = new Database(this.tmpPath);
    this.db = db;
    try {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
      db.pragma(`application_id = ${MBTILES_APPLICATION_ID}`);
      db.exec(`
        CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
        CREATE UNIQUE INDEX metadata_name ON metadata (name);
        CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
      `);
      const meta = db.prepare<[string, string]>('INSERT INTO metadata (name, value) VALUES (?, ?)');
      for (const [name, value] of Object.entries(mbtilesMetadata(metadata))) meta.run(name, value);
      this.insert = db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)');
      db.exec('BEGIN');
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Adds tile z/x/y (XYZ, y down); `gzipped` is the gzip of a non-empty MVT. */
  add(z: number, x: number, y: number, gzipped: Uint8Array): void {
    const db = this.db;
    if (!db) throw new Error('MBTilesWriter: add after finish or abort');
    this.insert.run(z, x, 2 ** z - 1 - y, gzipped);
    this.count++;
    if (++this.pending >= BATCH) {
      db.exec('COMMIT; BEGIN');
      this.pending = 0;
    }
  }

  finish(): MBTilesSummary {
    const db = this.db;
    if (!db) throw new Error('MBTilesWriter: finish after finish or abort');
    try {
      db.exec('COMMIT');
      // Made at the end: one sort instead of a B-tree kept up tile by tile. Fails on a tile added twice.
      db.exec('CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)');
      db.exec('ANALYZE');
      db.close();
      this.db = null;
      renameSync(this.tmpPath, this.path);
      return { path: this.path, tiles: this.count, bytes: statSync(this.path).size };
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /** Removes the temporary file; the target path is left as it was. */
  abort(): void {
    if (this.db?.open) this.db.close();
    this.db = null;
    rmSync(this.tmpPath, { force: true });
  }
}

/** The metadata rows, every value a string as the spec has them. */
export function mbtilesMetadata(m: ExportMetadata): Record<string, string> {
  return {
    name: m.name,
    format: 'pbf',
    bounds: m.bounds.join(','),
    center: m.center.join(','),
    minzoom: String(m.minzoom),
    maxzoom: String(m.maxzoom),
    attribution: m.attribution,
    description: m.description,
    version: m.version,
    type: 'overlay',
    json: JSON.stringify({ vector_layers: m.vector_layers }),
  };
}
