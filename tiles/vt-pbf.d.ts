// vt-pbf ships no types; only the function we use is declared.
declare module 'vt-pbf' {
  export interface GeojsonVtLayer {
    features: { id?: number; type: 1 | 2 | 3; geometry: unknown; tags: Record<string, unknown> | null }[];
  }
  export function fromGeojsonVt(layers: Record<string, GeojsonVtLayer>, options?: { version?: number; extent?: number }): Uint8Array;
}
