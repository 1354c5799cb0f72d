/**
 * geojson-vt's Web Mercator: lon/lat to the unit square [0, 1]² (y down), the plane tiles are cut in. A tile pixel at
 * zoom z (of a 4096 extent) is 1 / (4096 · 2^z) of it.
 */

/** Earth's equatorial circumference in metres: one unit of x at the equator. */
export const EQUATOR_METRES = 40_075_016.686;

export function mercatorX(lon: number): number {
  return lon / 360 + 0.5;
}

export function mercatorY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/** Metres on the ground per unit of the square at a latitude (Mercator's scale factor is 1 / cos φ). */
export function metresPerUnit(lat: number): number {
  return EQUATOR_METRES * Math.cos((lat * Math.PI) / 180);
}
