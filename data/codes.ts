/**
 * SCB's area codes. A RegSO code is the 4-digit kommun code, R, a 3-digit serial (0114R001); a DeSO code is the
 * kommun code, A/B/C (rural, other population centre, central town) and 4 digits (0180C1010).
 */
export const REGSO_CODE = /^\d{4}R\d{3}$/;
export const DESO_CODE = /^\d{4}[ABC]\d{4}$/;
export const KOMMUN_CODE = /^\d{4}$/;

export function kommunkodOf(code: string): string {
  return code.slice(0, 4);
}

export function lanskodOf(kommunkod: string): string {
  return kommunkod.slice(0, 2);
}

/**
 * The stable numeric feature id of an area, the same in every tile, zoom, year and build: kommun code × 1000 +
 * serial (0114R001 → 114001, 2584R015 → 2584015). MapLibre feature-state needs numeric ids, and the RegSO code
 * is unique, so this is too.
 */
export function areaId(regsokod: string): number {
  return Number(regsokod.slice(0, 4)) * 1000 + Number(regsokod.slice(5));
}

/** SCB's statistics tables label an area "Kommunnamn (RegSO-namn)". */
export function scbAreaLabel(kommunnamn: string, regsonamn: string): string {
  return `${kommunnamn} (${regsonamn})`;
}
