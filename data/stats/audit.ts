/**
 * Which margins of a metric's kommun × områdestyp table can be published on top of what tiles and features already
 * publish (area figures and block totals), decided by an audit rather than a rule of thumb: a margin is released
 * only if, together with every margin released before it, no suppressed value can be solved for.
 *
 * The unknowns are the suppressed blocks' residuals — a suppressed block's total minus its published areas, i.e. the
 * sum of its suppressed areas (a suppressed block without suppressed areas is known from its areas). A margin is one
 * linear equation over them. The audit keeps the released equations in reduced row echelon form and releases a
 * margin only if afterwards no residual (a single area, where the block holds one) and no small margin (a kommun,
 * type or national total below the threshold) is determined by the system. Candidates in order: the national type
 * totals, the national total, each kommun's total, then each type's total within a police region and within a län
 * (what a filtered table by områdestyp needs). Small margins are never released.
 */
import type { Dataset } from '../dataset.ts';
import { blockKey, type PublishedValues } from '../disclosure.ts';
import { policeRegionOf } from '../police-regions.ts';

export interface ReleasedMargins {
  national: boolean;
  types: ReadonlySet<number>;
  kommuner: ReadonlySet<string>;
  /** Keyed by typeWithin(region id, type). */
  regionTypes: ReadonlySet<string>;
  /** Keyed by typeWithin(lanskod, type). */
  lanTypes: ReadonlySet<string>;
}

/** The key of a type's total within a region or län. */
export function typeWithin(place: string, typ: number): string {
  return `${place}:${typ}`;
}

const TOLERANCE = 1e-9;

export function releasableMargins(dataset: Dataset, year: number, raw: ReadonlyMap<string, number>, areas: PublishedValues, blocks: PublishedValues, minCount: number): ReleasedMargins {
  const types = dataset.areaTypes.get(year);
  // Unknown residuals: suppressed blocks holding suppressed areas (an area without a type stands alone).
  const unitOf = new Map<string, number>();
  const units: { kommunkod: string; lan: string; region: string; typ: number }[] = [];
  const kommunRaw = new Map<string, number>();
  const typeRaw = new Map<number, number>();
  const regionTypeRaw = new Map<string, number>();
  const lanTypeRaw = new Map<string, number>();
  let total = 0;
  for (const a of dataset.areas) {
    const value = raw.get(a.regsokod) ?? 0;
    const typ = types?.get(a.regsokod) ?? 0;
    const region = policeRegionOf(a.lanskod)?.id ?? '';
    add(kommunRaw, a.kommunkod, value);
    add(typeRaw, typ, value);
    add(regionTypeRaw, typeWithin(region, typ), value);
    add(lanTypeRaw, typeWithin(a.lanskod, typ), value);
    total += value;
    if (areas.values.get(a.regsokod) !== null) continue;
    const key = typ === 0 ? a.regsokod : blockKey(a.kommunkod, typ);
    if (typ !== 0 && blocks.values.get(key) !== null) continue;
    if (!unitOf.has(key)) {
      unitOf.set(key, units.length);
      units.push({ kommunkod: a.kommunkod, lan: a.lanskod, region, typ });
    }
  }
  const indices = (keep: (u: (typeof units)[number]) => boolean) => units.flatMap((u, i) => (keep(u) ? [i] : []));
  const small = (v: number) => v > 0 && v < minCount;

  const protectedSets = units.map((_, i) => [i]);
  for (const [kommunkod, v] of kommunRaw) if (small(v)) protectedSets.push(indices((u) => u.kommunkod === kommunkod));
  for (const [typ, v] of typeRaw) if (small(v)) protectedSets.push(indices((u) => u.typ === typ));
  for (const [key, v] of regionTypeRaw) if (small(v)) protectedSets.push(indices((u) => typeWithin(u.region, u.typ) === key));
  for (const [key, v] of lanTypeRaw) if (small(v)) protectedSets.push(indices((u) => typeWithin(u.lan, u.typ) === key));
  if (small(total)) protectedSets.push(indices(() => true));

  const echelon = new Echelon(units.length);
  const release = (value: number, members: number[]) => !small(value) && echelon.tryAdd(members, protectedSets.filter((s) => s.length > 0));
  const released = { national: false, types: new Set<number>(), kommuner: new Set<string>(), regionTypes: new Set<string>(), lanTypes: new Set<string>() };
  for (const typ of [1, 2, 3, 4, 5]) if (release(typeRaw.get(typ) ?? 0, indices((u) => u.typ === typ))) released.types.add(typ);
  released.national = release(total, indices(() => true));
  for (const kommunkod of [...kommunRaw.keys()].sort()) if (release(kommunRaw.get(kommunkod)!, indices((u) => u.kommunkod === kommunkod))) released.kommuner.add(kommunkod);
  for (const key of [...regionTypeRaw.keys()].sort()) if (release(regionTypeRaw.get(key)!, indices((u) => typeWithin(u.region, u.typ) === key))) released.regionTypes.add(key);
  for (const key of [...lanTypeRaw.keys()].sort()) if (release(lanTypeRaw.get(key)!, indices((u) => typeWithin(u.lan, u.typ) === key))) released.lanTypes.add(key);
  return released;
}

function add<K>(map: Map<K, number>, key: K, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

/** Released equations (0/1 sums over the unknowns) in reduced row echelon form. */
class Echelon {
  readonly #rows = new Map<number, Float64Array>();
  constructor(readonly size: number) {}

  /** v minus its projection on the rows: in RREF only the rows of v's own pivot columns take part. */
  #reduce(members: readonly number[]): Float64Array {
    const r = new Float64Array(this.size);
    for (const i of members) r[i] = 1;
    for (const i of members) {
      const row = this.#rows.get(i);
      if (row) for (let j = 0; j < this.size; j++) r[j] -= row[j];
    }
    return r;
  }

  /** Adds the sum over `members` unless that would determine the sum over any protected set; returns whether added. */
  tryAdd(members: readonly number[], protectedSets: readonly (readonly number[])[]): boolean {
    const r = this.#reduce(members);
    const pivot = r.findIndex((x) => Math.abs(x) > TOLERANCE);
    if (pivot < 0) return true; // already follows from what is released
    const scale = r[pivot];
    for (let j = 0; j < this.size; j++) r[j] /= scale;
    // After adding r, a protected sum s is determined iff its reduction is a multiple of r.
    for (const s of protectedSets) {
      const t = this.#reduce(s);
      const k = t[pivot];
      let multiple = true;
      for (let j = 0; j < this.size && multiple; j++) multiple = Math.abs(t[j] - k * r[j]) < TOLERANCE;
      if (multiple) return false;
    }
    for (const row of this.#rows.values()) {
      const f = row[pivot];
      if (f !== 0) for (let j = 0; j < this.size; j++) row[j] -= f * r[j];
    }
    this.#rows.set(pivot, r);
    return true;
  }
}
