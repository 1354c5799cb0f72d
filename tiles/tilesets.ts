/**
 * The tilesets of a dataset: one per year of områdestyp, and the alias `omradestyper` for the latest year.
 * Tiles are made on request from the shared geometry and the year's attributes, and encoded as MVT.
 */
import type { Dataset } from '../data/dataset.ts';
import type { Role } from '../data/disclosure.ts';
import { yearAttributes, type YearAttributes } from './attributes.ts';
import { MAX_ZOOM, TileGeometry } from './geometry.ts';
import { WEB_MERCATOR_QUAD, inTileMatrix, type TileAddress, type TileMatrixSet } from './grid.ts';
import { cleanFeature, encodeTile, type TileFeature } from './mvt.ts';
import type { PreparedBands } from './prepared.ts';

export const TILESET_PREFIX = 'omradestyper';
export const MIN_ZOOM = 0;
export { MAX_ZOOM };

export interface TilesetInfo {
  id: string;
  year: number;
  /** True for the alias of the latest year. */
  alias: boolean;
}

export function tilesetsOf(dataset: Dataset): TilesetInfo[] {
  const latest = Math.max(...dataset.years);
  return [...dataset.years.map((year) => ({ id: `${TILESET_PREFIX}-${year}`, year, alias: false })), { id: TILESET_PREFIX, year: latest, alias: true }];
}

export type TileResult = { status: 'ok'; bytes: Uint8Array } | { status: 'out-of-range'; reason: string };

export class TileMaker {
  readonly geometry: TileGeometry;
  readonly tilesets: Map<string, TilesetInfo>;
  private readonly attributeCache = new Map<string, YearAttributes>();

  constructor(
    readonly dataset: Dataset,
    prepared?: PreparedBands,
  ) {
    this.geometry = new TileGeometry(dataset, prepared);
    this.tilesets = new Map(tilesetsOf(dataset).map((t) => [t.id, t]));
  }

  /**
   * The encoded MVT of a tile (an empty array for a tile without features), or why there is no such tile. `layers`
   * keeps only the named tile layers (a collection's own tiles); by default a tile has every layer.
   */
  tile(tileset: TilesetInfo, address: TileAddress, role: Role, grid: TileMatrixSet = WEB_MERCATOR_QUAD, layers?: readonly string[]): TileResult {
    if (!inTileMatrix(grid, address)) return { status: 'out-of-range', reason: `${address.z}/${address.x}/${address.y} is not a tile of ${grid.id}` };
    if (address.z > MAX_ZOOM) return { status: 'out-of-range', reason: `zoom ${address.z} is beyond the tileset's maxzoom ${MAX_ZOOM}` };
    const tags = this.attributes(tileset.year, role);
    const encoded: Record<string, TileFeature[]> = {};
    for (const name of this.geometry.layerNames(address.z, grid)) {
      // The role's attributes hold only the layers it may see: a restricted layer is left out of its tiles.
      const layerTags = tags.layers.get(name);
      if (!layerTags || (layers && !layers.includes(name))) continue;
      const tile = this.geometry.index(name, address.z, tileset.year, grid).getTile(address.z, address.x, address.y);
      if (!tile) continue;
      const features: TileFeature[] = [];
      for (const f of tile.features) {
        const id = f.id as number;
        const cleaned = cleanFeature(f, id, layerTags.get(id) ?? {});
        if (cleaned) features.push(cleaned);
      }
      encoded[name] = features;
    }
    return { status: 'ok', bytes: encodeTile(encoded) };
  }

  /** The tags of every tile layer for a year and role (made once, then kept). */
  attributes(year: number, role: Role): YearAttributes {
    const key = `${year}/${role}`;
    let a = this.attributeCache.get(key);
    if (!a) this.attributeCache.set(key, (a = yearAttributes(this.dataset, year, role)));
    return a;
  }
}
