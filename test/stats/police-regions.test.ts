/**
 * The län → police region mapping, checked against the data: the kommun layer's län names (SCB) and the region
 * Polisen itself gives each utsatt område (REGION in its 2025 polygons) for the kommun the polygon lies in.
 */
import { describe, expect, it } from 'vitest';
import { publishedProperties } from '../../data/layers.ts';
import { LAN_NAMES, POLICE_REGIONS, policeRegionOf } from '../../data/police-regions.ts';
import { utsattOverlaps } from '../../data/stats/overlaps.ts';
import { nationalDataset } from '../helpers/national.ts';

describe('police regions', () => {
  it('put each of the 21 län in exactly one of the seven regions', () => {
    expect(POLICE_REGIONS.map((r) => r.name)).toEqual(['Nord', 'Mitt', 'Stockholm', 'Öst', 'Väst', 'Syd', 'Bergslagen']);
    const lan = POLICE_REGIONS.flatMap((r) => r.lan);
    expect(lan.sort()).toEqual(Object.keys(LAN_NAMES).sort());
    expect(new Set(lan).size).toBe(21);
    expect(policeRegionOf('09')?.name).toBe('Stockholm');
    expect(policeRegionOf('13')?.name).toBe('Väst');
    expect(policeRegionOf('99')).toBeUndefined();
  });

  it('agree with SCB’s län names and with the region Polisen gives each utsatt område', async () => {
    const dataset = await nationalDataset();
    const kommuner = dataset.layers.find((l) => l.id === 'kommuner')!;
    for (const f of kommuner.features) {
      const p = publishedProperties(kommuner, f);
      expect(LAN_NAMES[String(p.lanskod)]).toBe(p.lansnamn);
    }
    const lanOf = new Map(dataset.areas.map((a) => [a.regsokod, a.lanskod]));
    const overlaps = utsattOverlaps(dataset)!;
    expect(overlaps.length).toBe(65);
    for (const o of overlaps) {
      // The area that holds most of the polygon's overlap decides the län.
      const [code] = [...o.shares].sort((a, b) => b[1] - a[1])[0] ?? [];
      if (code === undefined) continue;
      expect(policeRegionOf(lanOf.get(code)!)?.name, String(o.properties.namn)).toBe(o.properties.region);
    }
  }, 300_000);
});
