/**
 * FlatGeobuf, through the `flatgeobuf` package. The package trusts the bytes: on a truncated file it can yield
 * fewer features without a word, decode whatever follows the end, or (with a cut header) loop forever sizing an
 * index for zero features. So the layout is checked first: a complete header, then the index, then
 * length-prefixed features that fill the file exactly.
 */
import { deserialize } from 'flatgeobuf/lib/mjs/geojson.js';
import type { HeaderMeta } from 'flatgeobuf/lib/mjs/header-meta.js';
import { calcTreeSize } from 'flatgeobuf/lib/mjs/packedrtree.js';
import { DataError, fail } from '../report.ts';
import type { RawFeatureSource, SourceFeature } from './features.ts';

/** "fgb", version, "fgb", patch; then the header's length: 12 bytes before the header. */
const MAGIC = [0x66, 0x67, 0x62];
const PREAMBLE_BYTES = 12;

export async function readFlatGeobuf(file: string, bytes: Uint8Array): Promise<RawFeatureSource> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerEnd = checkPreamble(file, view);
  let header = undefined as HeaderMeta | undefined;
  const features: SourceFeature[] = [];
  try {
    const onHeader = (h: HeaderMeta): void => {
      checkFeatureLayout(file, view, headerEnd, h);
      header = h;
    };
    for await (const f of deserialize(bytes, { headerMetaFn: onHeader })) {
      features.push({ index: features.length, properties: { ...f.properties }, geometry: f.geometry ?? null });
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    fail({ file }, `not a readable FlatGeobuf file: ${(err as Error).message}`);
  }
  // deserialize() hands over the header before it yields anything or returns.
  return { file, layer: null, crsName: crsName(file, header!), features };
}

/** Returns where the header ends, once sure that the file is that long. */
function checkPreamble(file: string, view: DataView): number {
  if (!MAGIC.every((b, i) => i < view.byteLength && view.getUint8(i) === b)) {
    fail({ file }, 'not a FlatGeobuf file: it does not start with "fgb"');
  }
  if (view.byteLength < PREAMBLE_BYTES) fail({ file }, `not a readable FlatGeobuf file: only ${view.byteLength} bytes`);
  const headerEnd = PREAMBLE_BYTES + view.getUint32(8, true);
  if (headerEnd > view.byteLength) {
    const sizes = `the header needs ${headerEnd} bytes, the file has ${view.byteLength}`;
    fail({ file }, `not a readable FlatGeobuf file: ${sizes} (is it truncated?)`);
  }
  return headerEnd;
}

/** After the header and the index, each feature is a 4-byte length and that many bytes, to the end of the file. */
function checkFeatureLayout(file: string, view: DataView, headerEnd: number, header: HeaderMeta): void {
  const { featuresCount, indexNodeSize } = header;
  // Only a writer that knows the count writes an index; a count of 0 (unknown) with an index is corrupt.
  if (featuresCount === 0 && indexNodeSize > 0) fail({ file }, 'not a readable FlatGeobuf file: an index over 0 features');
  let offset = headerEnd + (indexNodeSize > 0 ? calcTreeSize(featuresCount, indexNodeSize) : 0);
  let complete = 0;
  while (offset + 4 <= view.byteLength && offset + 4 + view.getUint32(offset, true) <= view.byteLength) {
    offset += 4 + view.getUint32(offset, true);
    complete++;
  }
  if (offset !== view.byteLength || (featuresCount > 0 && complete !== featuresCount)) {
    const counted = featuresCount > 0 ? `; the header counts ${featuresCount}` : '';
    fail({ file }, `not a readable FlatGeobuf file: ${complete} complete features${counted} (is it truncated?)`);
  }
}

/** "ORG:code" from the header; the spec says a missing organisation means EPSG. */
function crsName(file: string, header: HeaderMeta): string | null {
  const crs = header.crs;
  if (crs === null) return null;
  const org = crs.org ?? 'EPSG';
  if (crs.code !== 0) return `${org}:${crs.code}`;
  if (crs.code_string) return `${org}:${crs.code_string}`;
  // GDAL writes OGC:CRS84, among others, as WKT alone; matching WKT to a code is a guess we do not make.
  fail(
    { file, field: 'crs' },
    `the header defines the CRS "${crs.name ?? 'unnamed'}" by WKT only, without a code: expected EPSG:3006, ` +
      'EPSG:4326/CRS84 or EPSG:3857 (rewrite it with e.g. ogr2ogr -a_srs EPSG:4326)',
  );
}
