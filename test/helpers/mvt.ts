/** Decoding MVT in tests with @mapbox/vector-tile, the reference decoder. */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';

export function decodeTile(bytes: Uint8Array): VectorTile {
  return new VectorTile(new PbfReader(bytes));
}

/** The uncompressed MVT bytes of a response body, per its Content-Encoding. */
export function uncompressed(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

/** Every feature of a layer as plain objects. */
export function layerFeatures(tile: VectorTile, layer: string) {
  const l = tile.layers[layer];
  if (!l) return [];
  return Array.from({ length: l.length }, (_, i) => {
    const f = l.feature(i);
    return { id: f.id, type: f.type, properties: f.properties, geometry: f.loadGeometry() };
  });
}
