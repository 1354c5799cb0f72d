/**
 * Getting at the bytes of a source file. Any source may be gzip-compressed (`name.geojson.gz`): large sources
 * are committed compressed, and a reader should not have to care.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { fail } from '../report.ts';

export type SourceFormat = 'geojson' | 'json' | 'flatgeobuf' | 'geopackage' | 'csv';

const gunzipBytes = promisify(gunzip);

const FORMATS: Record<string, SourceFormat> = {
  '.geojson': 'geojson',
  '.json': 'json',
  '.fgb': 'flatgeobuf',
  '.gpkg': 'geopackage',
  '.csv': 'csv',
};

export function isGzipped(file: string): boolean {
  return file.toLowerCase().endsWith('.gz');
}

/** The format named by the file's extension, looking through a trailing `.gz`. */
export function formatOf(file: string): SourceFormat {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const ext = /\.[^./\\]+$/.exec(name)?.[0] ?? '';
  const format = FORMATS[ext];
  if (format === undefined) {
    const known = Object.keys(FORMATS).join(', ');
    fail({ file }, `unsupported file type "${ext || file}": expected one of ${known} (optionally followed by .gz)`);
  }
  return format;
}

export async function readSourceBytes(file: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    cannotRead(file, err);
  }
  if (!isGzipped(file)) return bytes;
  try {
    return await gunzipBytes(bytes);
  } catch (err) {
    badGzip(file, err);
  }
}

/**
 * The file's text as a stream of UTF-8 string chunks, gunzipped on the fly: for tables too large to hold
 * twice in memory. Read errors surface from the iteration as DataErrors.
 */
export async function* readSourceText(file: string): AsyncGenerator<string> {
  const raw = createReadStream(file);
  let stream: Readable = raw;
  if (isGzipped(file)) {
    const gunzipper = createGunzip();
    // pipe() does not forward errors: a missing .gz file would otherwise leave the gunzipper waiting forever.
    raw.on('error', (err) => gunzipper.destroy(err));
    stream = raw.pipe(gunzipper);
  }
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) yield chunk as string;
  } catch (err) {
    if (isZlibError(err)) badGzip(file, err);
    cannotRead(file, err);
  }
}

/** Fails with the operating system's reason in words a GIS operator knows, not an errno. */
export function cannotRead(file: string, err: unknown): never {
  fail({ file }, `cannot read the file: ${readFailureReason(err)}`);
}

function readFailureReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

function isZlibError(err: unknown): boolean {
  return String((err as NodeJS.ErrnoException).code).startsWith('Z_');
}

function badGzip(file: string, err: unknown): never {
  const reason = err instanceof Error ? err.message : String(err);
  fail({ file }, `the name ends in .gz but the content is not valid gzip data (${reason})`);
}
