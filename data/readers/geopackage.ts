/**
 * GeoPackage (OGC 12-128): an SQLite database whose gpkg_* tables describe the feature tables. One feature
 * table is read; its CRS comes from gpkg_spatial_ref_sys, and its geometries from GeoPackage binary, a short
 * header followed by WKB.
 */
import Database from 'better-sqlite3';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { fail } from '../report.ts';
import type { RawFeatureSource, SourceFeature } from './features.ts';
import { cannotRead, isGzipped, readSourceBytes } from './source-file.ts';
import { parseWkb, WkbError } from './wkb.ts';

interface Layer {
  name: string;
  geometryColumn: string;
  srsId: number;
}

export async function readGeoPackage(file: string, layerName?: string): Promise<RawFeatureSource> {
  const source = isGzipped(file) ? await gunzippedDatabase(file) : await readablePath(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(source, { readonly: true, fileMustExist: true });
    const layer = pickLayer(file, listLayers(db), layerName);
    return { file, layer: layer.name, crsName: srsName(file, db, layer.srsId), features: readFeatures(file, db, layer) };
  } catch (err) {
    // SQLite finds truncation and garbage only when it reads the page concerned, so any query may fail.
    if (err instanceof Database.SqliteError) fail({ file }, `not a readable GeoPackage: ${err.message}`);
    throw err;
  } finally {
    db?.close();
  }
}

/** A plain .gpkg is opened in place, so that SQLite also reads a -wal file left next to it (QGIS leaves them). */
async function readablePath(file: string): Promise<string> {
  await access(file, constants.R_OK).catch((err: unknown) => cannotRead(file, err));
  return file;
}

async function gunzippedDatabase(file: string): Promise<Buffer> {
  const bytes = await readSourceBytes(file);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // SQLite cannot open a WAL-mode image from memory. An archive has no -wal file beside it, so the image is
  // complete: marking it as a rollback-journal database (header bytes 18 and 19) changes nothing else.
  if (buffer[18] === 2 && buffer[19] === 2) buffer.fill(1, 18, 20);
  return buffer;
}

function listLayers(db: Database.Database): Layer[] {
  const sql = `SELECT c.table_name AS name, g.column_name AS geometryColumn, g.srs_id AS srsId
    FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
    WHERE c.data_type = 'features' ORDER BY c.table_name`;
  return db.prepare(sql).all() as Layer[];
}

function pickLayer(file: string, layers: Layer[], name: string | undefined): Layer {
  const names = layers.map((l) => `"${l.name}"`).join(', ');
  if (name !== undefined) {
    const layer = layers.find((l) => l.name === name);
    if (layer === undefined) fail({ file, field: 'layer' }, `no feature layer "${name}"; the layers are: ${names || 'none'}`);
    return layer;
  }
  if (layers.length === 0) {
    fail({ file }, 'the GeoPackage has no feature layer (none in gpkg_contents with data_type "features")');
  }
  if (layers.length > 1) {
    const found = `the GeoPackage has ${layers.length} feature layers (${names})`;
    fail({ file, field: 'layer' }, `${found}: name the one to read with "layer"`);
  }
  return layers[0];
}

/** "ORG:code" for the layer's srs_id; the spec's srs_id 0 and -1 ("undefined") have organisation NONE. */
function srsName(file: string, db: Database.Database, srsId: number): string | null {
  const sql = 'SELECT organization, organization_coordsys_id AS code FROM gpkg_spatial_ref_sys WHERE srs_id = ?';
  const row = db.prepare(sql).get(srsId) as { organization: string; code: number } | undefined;
  if (row === undefined) fail({ file, field: 'crs' }, `the layer's srs_id ${srsId} is missing from gpkg_spatial_ref_sys`);
  return row.organization.toUpperCase() === 'NONE' ? null : `${row.organization}:${row.code}`;
}

function readFeatures(file: string, db: Database.Database, layer: Layer): SourceFeature[] {
  // Every column but the geometry and the integer primary key (fid), which is a row id, not an attribute.
  const columns = (db.pragma(`table_info(${quoteId(layer.name)})`) as { name: string; pk: number }[])
    .filter((c) => c.pk === 0 && c.name !== layer.geometryColumn)
    .map((c) => c.name);
  const sql = `SELECT ${[layer.geometryColumn, ...columns].map(quoteId).join(', ')} FROM ${quoteId(layer.name)}`;
  const features: SourceFeature[] = [];
  for (const [blob, ...values] of db.prepare(sql).raw().iterate() as Iterable<unknown[]>) {
    const index = features.length;
    const properties = Object.fromEntries(columns.map((name, i) => [name, values[i]]));
    features.push({ index, properties, geometry: decodeGeometry(file, index, layer.geometryColumn, blob) });
  }
  return features;
}

function decodeGeometry(file: string, feature: number, field: string, blob: unknown): GeoJSON.Geometry | null {
  if (blob === null) return null;
  if (!(blob instanceof Uint8Array)) {
    fail({ file, feature, field }, `expected a GeoPackage geometry blob, found a ${typeof blob}`);
  }
  try {
    return parseGpkgGeometry(blob);
  } catch (err) {
    if (err instanceof WkbError) fail({ file, feature, field }, `unreadable geometry: ${err.message}`);
    throw err;
  }
}

/**
 * GeoPackage binary: "GP", version 0, flags, srs_id (4 bytes), an optional envelope, then WKB. The flags give
 * the envelope's size; srs_id and envelope repeat what the layer says and are skipped.
 */
export function parseGpkgGeometry(blob: Uint8Array): GeoJSON.Geometry {
  if (blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) throw new WkbError('not GeoPackage binary (no "GP" magic)');
  if (blob[2] !== 0) throw new WkbError(`GeoPackage binary version ${blob[2]}: expected 0`);
  const flags = blob[3];
  if (flags & 0x20) throw new WkbError('extended (non-standard) GeoPackage geometry types are not supported');
  const envelopeBytes = [0, 32, 48, 48, 64][(flags >> 1) & 0x07];
  if (envelopeBytes === undefined) throw new WkbError(`invalid envelope code ${(flags >> 1) & 0x07} in the header flags`);
  return parseWkb(blob.subarray(8 + envelopeBytes));
}

function quoteId(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
