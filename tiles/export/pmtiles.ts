/**
 * A PMTiles v3 writer (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md), checked byte for byte
 * against the `pmtiles` reader in the tests.
 *
 * Layout: the 127-byte header, the root directory, the JSON metadata, the leaf directories (if the root alone would
 * not fit in the first 16,384 bytes), then the tile data — clustered: contents in the order of their first tile id.
 * Directories and metadata are gzipped (internal compression gzip); tiles are given gzipped (tile compression gzip),
 * MVT. Identical contents are stored once (deduplicated by SHA-256), and a run of consecutive tile ids with the same
 * content is one directory entry (run length).
 *
 * Tiles come in any order (the pyramid walk is depth-first): their contents go to a side file as they arrive, and
 * `finish()` sorts the entries by tile id and copies the contents into place. Memory: a few numbers per tile and a
 * hash per distinct content. The archive is written to a temporary name and renamed at the end.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { ExportMetadata } from './pyramid.ts';

export const HEADER_LENGTH = 127;
/** Header and root directory must lie within the first 16,384 bytes (what latency-optimised clients fetch first). */
export const ROOT_LIMIT = 16_384;

/** Header enums of the spec. */
export const Compression = { unknown: 0, none: 1, gzip: 2, brotli: 3, zstd: 4 } as const;
export const TileType = { unknown: 0, mvt: 1, png: 2, jpeg: 3, webp: 4, avif: 5 } as const;

export interface Entry {
  tileId: number;
  /** Relative to the section (tile data or leaf directories). */
  offset: number;
  length: number;
  /** ≥ 1: tiles; 0: the entry points to a leaf directory. */
  runLength: number;
}

/** The cumulative Hilbert tile id of z/x/y: all tiles of the zooms above, then the position on zoom z's curve. */
export function zxyToTileId(z: number, x: number, y: number): number {
  if (!Number.isInteger(z) || z < 0 || z > 26) throw new Error(`zoom ${z}: PMTiles tile ids hold zooms 0–26`);
  const n = 2 ** z;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= n || y >= n) throw new Error(`tile ${z}/${x}/${y} is outside zoom ${z}`);
  let id = (n * n - 1) / 3;
  let tx = x;
  let ty = y;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = Math.floor(tx / s) % 2;
    const ry = Math.floor(ty / s) % 2;
    id += s * s * ((3 * rx) ^ ry);
    // Rotate the quadrant so the curve's sub-squares connect.
    if (ry === 0) {
      if (rx === 1) {
        tx = n - 1 - tx;
        ty = n - 1 - ty;
      }
      [tx, ty] = [ty, tx];
    }
  }
  return id;
}

/** Little-endian base-128 varint (exact up to 2^53). */
export function writeVarint(out: number[], value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint ${value}: expected a non-negative safe integer`);
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** A directory as the spec serialises it: count, then delta tile ids, run lengths, lengths, offsets (0 = contiguous); gzipped. */
export function serializeDirectory(entries: readonly Entry[]): Buffer {
  if (entries.length === 0) throw new Error('a PMTiles directory must not be empty');
  const out: number[] = [];
  writeVarint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    writeVarint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) writeVarint(out, e.runLength);
  for (const e of entries) {
    if (e.length <= 0) throw new Error(`entry for tile id ${e.tileId}: length must be > 0`);
    writeVarint(out, e.length);
  }
  entries.forEach((e, i) => writeVarint(out, i > 0 && e.offset === entries[i - 1].offset + entries[i - 1].length ? 0 : e.offset + 1));
  return gzipSync(Uint8Array.from(out), { level: 9 });
}

/**
 * The root directory and leaf directories for the entries: the root alone if it fits beside the header in the first
 * 16,384 bytes, else leaves of `leafSize` entries (starting at 4,096, or at the given size, doubled until the root of
 * leaf pointers fits).
 */
export function buildDirectories(entries: readonly Entry[], leafSize?: number): { root: Buffer; leaves: Buffer; leafCount: number } {
  if (leafSize === undefined) {
    const root = serializeDirectory(entries);
    if (HEADER_LENGTH + root.length <= ROOT_LIMIT) return { root, leaves: Buffer.alloc(0), leafCount: 0 };
  }
  let size = leafSize ?? Math.max(4096, Math.ceil(entries.length / 3500));
  for (;;) {
    const rootEntries: Entry[] = [];
    const leaves: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += size) {
      const leaf = serializeDirectory(entries.slice(i, i + size));
      rootEntries.push({ tileId: entries[i].tileId, offset, length: leaf.length, runLength: 0 });
      leaves.push(leaf);
      offset += leaf.length;
    }
    const root = serializeDirectory(rootEntries);
    if (HEADER_LENGTH + root.length <= ROOT_LIMIT) return { root, leaves: Buffer.concat(leaves), leafCount: leaves.length };
    size *= 2;
  }
}

export interface PMTilesHeader {
  rootDirectoryOffset: number;
  rootDirectoryLength: number;
  jsonMetadataOffset: number;
  jsonMetadataLength: number;
  leafDirectoryOffset: number;
  leafDirectoryLength: number;
  tileDataOffset: number;
  tileDataLength: number;
  numAddressedTiles: number;
  numTileEntries: number;
  numTileContents: number;
  clustered: boolean;
  internalCompression: number;
  tileCompression: number;
  tileType: number;
  minZoom: number;
  maxZoom: number;
  /** Degrees. */
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
  centerZoom: number;
  centerLon: number;
  centerLat: number;
}

export function serializeHeader(h: PMTilesHeader): Buffer {
  const b = Buffer.alloc(HEADER_LENGTH);
  b.write('PMTiles', 0, 'latin1');
  b.writeUInt8(3, 7);
  const u64 = [
    h.rootDirectoryOffset,
    h.rootDirectoryLength,
    h.jsonMetadataOffset,
    h.jsonMetadataLength,
    h.leafDirectoryOffset,
    h.leafDirectoryLength,
    h.tileDataOffset,
    h.tileDataLength,
    h.numAddressedTiles,
    h.numTileEntries,
    h.numTileContents,
  ];
  u64.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 8 + 8 * i));
  b.writeUInt8(h.clustered ? 1 : 0, 96);
  b.writeUInt8(h.internalCompression, 97);
  b.writeUInt8(h.tileCompression, 98);
  b.writeUInt8(h.tileType, 99);
  b.writeUInt8(h.minZoom, 100);
  b.writeUInt8(h.maxZoom, 101);
  const e7 = (deg: number) => Math.round(deg * 1e7);
  b.writeInt32LE(e7(h.minLon), 102);
  b.writeInt32LE(e7(h.minLat), 106);
  b.writeInt32LE(e7(h.maxLon), 110);
  b.writeInt32LE(e7(h.maxLat), 114);
  b.writeUInt8(h.centerZoom, 118);
  b.writeInt32LE(e7(h.centerLon), 119);
  b.writeInt32LE(e7(h.centerLat), 123);
  return b;
}

export interface PMTilesWriterOptions {
  /** Force leaf directories of this many entries (default: only if the root would not fit; for tests and tuning). */
  leafSize?: number;
}

export interface PMTilesSummary {
  path: string;
  /** Tiles added (= addressed tiles). */
  tiles: number;
  /** Directory entries after run-length encoding. */
  entries: number;
  /** Distinct contents stored. */
  contents: number;
  leafDirectories: number;
  bytes: number;
}

/** Writes one archive: `add` every tile (gzipped MVT, any order), then `finish`; `abort` removes what was written. */
export class PMTilesWriter {
  private readonly tmpPath: string;
  private readonly dataPath: string;
  private dataFd: number | null;
  private dataLength = 0;
  /** Per tile added: its tile id and content number. */
  private tileIds: number[] = [];
  private tileContents: number[] = [];
  /** Per content: where it is in the side file, and its length. */
  private contentOffsets: number[] = [];
  private contentLengths: number[] = [];
  private readonly byHash = new Map<string, number>();

  constructor(
    readonly path: string,
    private readonly metadata: ExportMetadata,
    private readonly options: PMTilesWriterOptions = {},
  ) {
    this.tmpPath = `${path}.tmp-${process.pid}`;
    this.dataPath = `${path}.tiles-${process.pid}`;
    this.dataFd = openSync(this.dataPath, 'w+');
  }

  /** Adds tile z/x/y; `gzipped` is the gzip of a non-empty MVT. */
  add(z: number, x: number, y: number, gzipped: Uint8Array): void {
    if (this.dataFd === null) throw new Error('PMTilesWriter: add after finish or abort');
    if (gzipped.length === 0) throw new Error(`tile ${z}/${x}/${y}: PMTiles entries must not be empty`);
    const hash = createHash('sha256').update(gzipped).digest('base64');
    let content = this.byHash.get(hash);
    if (content === undefined) {
      content = this.contentOffsets.length;
      this.byHash.set(hash, content);
      this.contentOffsets.push(this.dataLength);
      this.contentLengths.push(gzipped.length);
      writeSync(this.dataFd, gzipped, 0, gzipped.length, this.dataLength);
      this.dataLength += gzipped.length;
    }
    this.tileIds.push(zxyToTileId(z, x, y));
    this.tileContents.push(content);
  }

  finish(): PMTilesSummary {
    if (this.dataFd === null) throw new Error('PMTilesWriter: finish after finish or abort');
    const count = this.tileIds.length;
    if (count === 0) throw new Error(`${this.path}: no tiles to write (a PMTiles directory must not be empty)`);
    const order = Uint32Array.from({ length: count }, (_, i) => i).sort((a, b) => this.tileIds[a] - this.tileIds[b]);

    // Clustered: contents in the order of the first tile id that uses them; a repeated content points back.
    const finalOffset = new Float64Array(this.contentOffsets.length).fill(-1);
    const copyOrder: number[] = [];
    let dataLength = 0;
    const entries: Entry[] = [];
    let previousContent = -1;
    for (let k = 0; k < count; k++) {
      const i = order[k];
      const tileId = this.tileIds[i];
      const content = this.tileContents[i];
      const last = entries[entries.length - 1];
      if (last && tileId < last.tileId + last.runLength) throw new Error(`${this.path}: tile id ${tileId} added twice`);
      if (finalOffset[content] < 0) {
        finalOffset[content] = dataLength;
        dataLength += this.contentLengths[content];
        copyOrder.push(content);
      }
      if (last && content === previousContent && tileId === last.tileId + last.runLength) {
        last.runLength++;
      } else {
        entries.push({ tileId, offset: finalOffset[content], length: this.contentLengths[content], runLength: 1 });
      }
      previousContent = content;
    }

    const { root, leaves, leafCount } = buildDirectories(entries, this.options.leafSize);
    const metadata = gzipSync(Buffer.from(JSON.stringify(pmtilesMetadata(this.metadata))), { level: 9 });
    const m = this.metadata;
    const header: PMTilesHeader = {
      rootDirectoryOffset: HEADER_LENGTH,
      rootDirectoryLength: root.length,
      jsonMetadataOffset: HEADER_LENGTH + root.length,
      jsonMetadataLength: metadata.length,
      leafDirectoryOffset: HEADER_LENGTH + root.length + metadata.length,
      leafDirectoryLength: leaves.length,
      tileDataOffset: HEADER_LENGTH + root.length + metadata.length + leaves.length,
      tileDataLength: dataLength,
      numAddressedTiles: count,
      numTileEntries: entries.length,
      numTileContents: copyOrder.length,
      clustered: true,
      internalCompression: Compression.gzip,
      tileCompression: Compression.gzip,
      tileType: TileType.mvt,
      minZoom: m.minzoom,
      maxZoom: m.maxzoom,
      minLon: m.bounds[0],
      minLat: m.bounds[1],
      maxLon: m.bounds[2],
      maxLat: m.bounds[3],
      centerZoom: m.center[2],
      centerLon: m.center[0],
      centerLat: m.center[1],
    };

    const out = openSync(this.tmpPath, 'w');
    try {
      let position = 0;
      const write = (bytes: Uint8Array) => {
        writeSync(out, bytes, 0, bytes.length, position);
        position += bytes.length;
      };
      write(serializeHeader(header));
      write(root);
      write(metadata);
      write(leaves);
      // Copy the contents into place in chunks of about 1 MiB.
      const chunk = Buffer.alloc(1 << 20);
      let used = 0;
      for (const content of copyOrder) {
        const length = this.contentLengths[content];
        if (used + length > chunk.length) {
          write(chunk.subarray(0, used));
          used = 0;
        }
        if (length > chunk.length) {
          const big = Buffer.alloc(length);
          readFully(this.dataFd, big, this.contentOffsets[content]);
          write(big);
          continue;
        }
        readFully(this.dataFd, chunk.subarray(used, used + length), this.contentOffsets[content]);
        used += length;
      }
      write(chunk.subarray(0, used));
      if (position !== header.tileDataOffset + header.tileDataLength) throw new Error(`${this.path}: wrote ${position} bytes, expected ${header.tileDataOffset + header.tileDataLength}`);
      fsyncSync(out);
    } catch (err) {
      closeSync(out);
      this.abort();
      throw err;
    }
    closeSync(out);
    closeSync(this.dataFd);
    this.dataFd = null;
    rmSync(this.dataPath, { force: true });
    renameSync(this.tmpPath, this.path);
    const summary: PMTilesSummary = {
      path: this.path,
      tiles: count,
      entries: entries.length,
      contents: copyOrder.length,
      leafDirectories: leafCount,
      bytes: header.tileDataOffset + header.tileDataLength,
    };
    this.tileIds = [];
    this.tileContents = [];
    return summary;
  }

  /** Removes the temporary files; the target path is left as it was. */
  abort(): void {
    if (this.dataFd !== null) closeSync(this.dataFd);
    this.dataFd = null;
    rmSync(this.dataPath, { force: true });
    rmSync(this.tmpPath, { force: true });
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let read = 0;
  while (read < into.length) {
    const n = readSync(fd, into, read, into.length - read, position + read);
    if (n === 0) throw new Error('PMTilesWriter: the side file ended early');
    read += n;
  }
}

/** The JSON metadata: TileJSON-like, with vector_layers as the spec asks for MVT archives. */
export function pmtilesMetadata(m: ExportMetadata): Record<string, unknown> {
  return {
    name: m.name,
    description: m.description,
    version: m.version,
    attribution: m.attribution,
    type: 'overlay',
    format: 'pbf',
    minzoom: String(m.minzoom),
    maxzoom: String(m.maxzoom),
    bounds: m.bounds.join(','),
    center: m.center.join(','),
    vector_layers: m.vector_layers,
  };
}
