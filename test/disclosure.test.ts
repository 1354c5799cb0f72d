/**
 * Disclosure control on SYNTHETIC counts (seeded random tables, not real data): small counts are suppressed for the
 * public, zero is shown, and no group (kommun, områdestyp, kommun × områdestyp) is left with exactly one suppressed
 * cell — so no suppressed value can be recovered from a group total.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../data/dataset.ts';
import { canSee, publishCounts, ratePer1000, type GroupOf } from '../data/disclosure.ts';
import { mulberry32 } from '../bench/points.ts';

const metric = (over: Partial<CatalogEntry> = {}): CatalogEntry => ({
  id: 'brott',
  label: { sv: 'Brott', en: 'Crime' },
  unit: { sv: 'antal', en: 'count' },
  definition: { sv: 'syntetiskt', en: 'synthetic' },
  source: 'SYNTHETIC TEST DATA',
  synthetic: true,
  access: 'public',
  disclosure: { minCount: 5 },
  level: 'regso',
  kind: 'count',
  years: [2023],
  ...over,
});

/** 400 synthetic areas in 12 kommuner, types 1–5, counts skewed small so that many cells are suppressed. */
function syntheticTable(seed: number) {
  const rnd = mulberry32(seed);
  const raw = new Map<string, number>();
  const type = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const code = `${String(1000 + (i % 12)).padStart(4, '0')}R${String(i).padStart(3, '0')}`;
    raw.set(code, Math.floor(rnd() ** 3 * 40));
    type.set(code, 1 + Math.floor(rnd() * 5));
  }
  const groups: GroupOf[] = [(c) => c.slice(0, 4), (c) => `t${type.get(c)}`, (c) => `${c.slice(0, 4)}-${type.get(c)}`];
  return { raw, groups };
}

describe('disclosure control', () => {
  it.each([1, 2, 3, 4, 5])('leaves no group with a single suppressed cell (seed %i)', (seed) => {
    const { raw, groups } = syntheticTable(seed);
    const { values, reasons } = publishCounts(raw, metric(), 'public', groups);
    for (const [code, value] of raw) {
      if (value > 0 && value < 5) expect(values.get(code), code).toBeNull();
      if (value === 0) expect(values.get(code), code).toBe(0);
      if (values.get(code) === null) expect(reasons.has(code)).toBe(true);
      else expect(values.get(code)).toBe(value);
    }
    expect([...reasons.values()]).toContain('complementary');
    for (const groupOf of groups) {
      const suppressedIn = new Map<string, number>();
      const nonZeroIn = new Map<string, number>();
      for (const [code, value] of raw) {
        const g = groupOf(code);
        if (values.get(code) === null) suppressedIn.set(g, (suppressedIn.get(g) ?? 0) + 1);
        if (value > 0) nonZeroIn.set(g, (nonZeroIn.get(g) ?? 0) + 1);
      }
      for (const [g, n] of suppressedIn) {
        // One suppressed cell is only safe if it is the group's only non-zero cell: then its total is that small count, suppressed too.
        if (n === 1) expect(nonZeroIn.get(g), `group ${g}`).toBe(1);
      }
    }
  });

  it('shows everything to cleared roles and rounds where the catalogue says', () => {
    const { raw, groups } = syntheticTable(7);
    expect([...publishCounts(raw, metric(), 'analyst', groups).values]).toEqual([...raw]);
    const rounded = publishCounts(raw, metric({ disclosure: { minCount: 0, roundTo: 5 } }), 'public', groups);
    for (const [code, value] of raw) expect(rounded.values.get(code)).toBe(Math.round(value / 5) * 5);
  });

  it('never suppresses the population denominator, and hides restricted metrics from the public', () => {
    const { raw, groups } = syntheticTable(8);
    expect([...publishCounts(raw, metric({ kind: 'population' }), 'public', groups).values]).toEqual([...raw]);
    expect(canSee('public', metric({ access: 'restricted' }))).toBe(false);
    expect(canSee('analyst', metric({ access: 'restricted' }))).toBe(true);
  });

  it('computes rates per 1,000 with one decimal, none for suppressed counts', () => {
    expect(ratePer1000(12, 3100)).toBe(3.9);
    expect(ratePer1000(null, 3100)).toBeNull();
    expect(ratePer1000(4, 0)).toBeNull();
  });
});
