/**
 * The loop the tile sweeps share: every tile of one zoom (level) of a grid over the data's bounds, made in-process by
 * TileMaker (no HTTP, no compression), decoded and held to checkServedTile. Validity and seams
 * (test/clients/tile-sweep.test.ts), the SWEREF 99 TM sweep (test/tiles/grid3006.test.ts) and the disclosure checks
 * (test/helpers/leak-check.ts) read the same decoded tiles, so a sweep makes each tile once for all of them.
 */
import { datasetBounds } from '../../data/dataset.ts';
import type { Role } from '../../data/disclosure.ts';
import { tilesCovering, WEB_MERCATOR_QUAD, type TileAddress, type TileMatrixSet } from '../../tiles/grid.ts';
import type { TileMaker, TilesetInfo } from '../../tiles/tilesets.ts';
import { checkServedTile, type TileCheck } from './mvt-check.ts';

export interface SweptTile {
  address: TileAddress;
  /** Names the tile in problems: "omradestyper-2023 12/2184/1238", other grids by id ("… SWEREF99TM 10/x/y"). */
  where: string;
  /** The encoded tile (empty: no features); null where the maker refused the address (the reason is a problem). */
  bytes: Uint8Array | null;
  checked: TileCheck;
}

export interface SweepOptions {
  /** Whether the label layer may be in these tiles (not where the areas are dissolved). */
  labels: boolean;
  role?: Role;
  grid?: TileMatrixSet;
}

export function* sweepZoom(maker: TileMaker, tileset: TilesetInfo, z: number, { labels, role = 'public', grid = WEB_MERCATOR_QUAD }: SweepOptions): Generator<SweptTile> {
  for (const address of tilesCovering(datasetBounds(maker.dataset), z, grid)) {
    const where = `${tileset.id}${grid === WEB_MERCATOR_QUAD ? '' : ` ${grid.id}`} ${z}/${address.x}/${address.y}`;
    const made = maker.tile(tileset, address, role, grid);
    if (made.status !== 'ok') yield { address, where, bytes: null, checked: { problems: [`${where}: ${made.reason}`], layers: new Map() } };
    else yield { address, where, bytes: made.bytes, checked: checkServedTile(made.bytes, where, labels) };
  }
}
