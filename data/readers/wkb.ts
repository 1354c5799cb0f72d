/**
 * Well-known binary to GeoJSON geometry, for the seven OGC simple feature types. Z and M are read past and
 * dropped: areas and events are planar here. Both ways of flagging Z/M are accepted: ISO (type + 1000/2000/3000,
 * what GeoPackage requires) and the older OGC 2.5D high bits that some writers still use.
 */

/** A geometry that cannot be decoded; the caller knows which file and feature it came from. */
export class WkbError extends Error {
  override name = 'WkbError';
}

const Z_FLAG = 0x80000000;
const M_FLAG = 0x40000000;
const SRID_FLAG = 0x20000000;

interface PartCoordinates {
  Point: GeoJSON.Position;
  LineString: GeoJSON.Position[];
  Polygon: GeoJSON.Position[][];
}

export function parseWkb(bytes: Uint8Array): GeoJSON.Geometry {
  const reader = new WkbReader(bytes);
  let geometry: GeoJSON.Geometry;
  try {
    geometry = reader.geometry();
  } catch (err) {
    // DataView bounds checks stand in for our own: running off the end means the blob was cut short.
    if (err instanceof RangeError) throw new WkbError(`truncated WKB: needs more than its ${bytes.length} bytes`);
    throw err;
  }
  if (reader.offset !== bytes.length) {
    throw new WkbError(`${bytes.length - reader.offset} unexpected bytes after the ${geometry.type}`);
  }
  return geometry;
}

class WkbReader {
  offset = 0;
  private readonly view: DataView;
  private littleEndian = true;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  geometry(): GeoJSON.Geometry {
    const { type, size } = this.header();
    switch (type) {
      case 1:
        return { type: 'Point', coordinates: this.emptyIfNaN(this.position(size)) };
      case 2:
        return { type: 'LineString', coordinates: this.positions(size) };
      case 3:
        return { type: 'Polygon', coordinates: this.rings(size) };
      case 4:
        return { type: 'MultiPoint', coordinates: this.parts('Point') };
      case 5:
        return { type: 'MultiLineString', coordinates: this.parts('LineString') };
      case 6:
        return { type: 'MultiPolygon', coordinates: this.parts('Polygon') };
      default: // 7, checked by header()
        return { type: 'GeometryCollection', geometries: this.repeat(() => this.geometry()) };
    }
  }

  /** Byte order and type. Every geometry, including each part of a multi-geometry, carries its own. */
  private header(): { type: number; size: number } {
    const order = this.view.getUint8(this.offset++);
    if (order > 1) throw new WkbError(`byte order marker ${order} at byte ${this.offset - 1}: expected 0 or 1`);
    this.littleEndian = order === 1;
    const code = this.uint32();
    if (code & SRID_FLAG) throw new WkbError('extended WKB with an embedded SRID is not supported');
    const iso = code & 0x0fffffff;
    const type = iso % 1000;
    const isoDims = Math.floor(iso / 1000); // 0 XY, 1 XYZ, 2 XYM, 3 XYZM
    if (type < 1 || type > 7 || isoDims > 3) throw new WkbError(`unsupported WKB geometry type ${code}`);
    const hasZ = (code & Z_FLAG) !== 0 || isoDims === 1 || isoDims === 3;
    const hasM = (code & M_FLAG) !== 0 || isoDims >= 2;
    return { type, size: 2 + Number(hasZ) + Number(hasM) };
  }

  private uint32(): number {
    const value = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  private repeat<T>(read: () => T): T[] {
    const count = this.uint32();
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(read());
    return items;
  }

  private position(size: number): number[] {
    const x = this.view.getFloat64(this.offset, this.littleEndian);
    const y = this.view.getFloat64(this.offset + 8, this.littleEndian);
    this.offset += size * 8;
    return [x, y];
  }

  /** WKB has no empty point, so writers (GeoPackage among them) use NaN coordinates for one. */
  private emptyIfNaN(p: number[]): number[] {
    return Number.isNaN(p[0]) && Number.isNaN(p[1]) ? [] : p;
  }

  private positions(size: number): number[][] {
    return this.repeat(() => this.position(size));
  }

  private rings(size: number): number[][][] {
    return this.repeat(() => this.positions(size));
  }

  /** The parts of a multi-geometry: whole geometries of one type, each with its own header. */
  private parts<T extends keyof PartCoordinates>(partType: T): PartCoordinates[T][] {
    return this.repeat(() => {
      const part = this.geometry();
      if (part.type !== partType) throw new WkbError(`a Multi${partType} contains a ${part.type}`);
      return (part as GeoJSON.Point | GeoJSON.LineString | GeoJSON.Polygon).coordinates as PartCoordinates[T];
    });
  }
}
