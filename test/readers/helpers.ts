/** Shared by the reader tests: fixture paths, scratch files, and the shape of a reported problem. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import { DataError, type ProblemLocation } from '../../data/report.ts';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/readers/${name}`, import.meta.url));
}

/** Returns a writer of scratch input files; the directory is removed after the test file has run. */
export function scratchDir(): (name: string, content: string | Uint8Array) => string {
  const dir = mkdtempSync(join(tmpdir(), 'regso-readers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
}

/**
 * Expects a DataError with exactly one problem, located exactly at `at` (no more, no less), whose message
 * matches; and the error's own message, which is what the operator sees, must name the file.
 */
export async function expectProblem(work: Promise<unknown>, at: ProblemLocation, message: RegExp): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  const { problems } = err as DataError;
  expect(problems).toHaveLength(1);
  const { severity, message: text, ...location } = problems[0];
  expect(severity).toBe('error');
  expect(location).toStrictEqual(at);
  expect(text).toMatch(message);
  expect((err as DataError).message).toContain(at.file);
}

/** The features of the fixtures areas.gpkg / areas.fgb / areas.geojson (SYNTHETIC test squares), as the readers return them. */
export const regsoFeatures = [
  {
    index: 0,
    properties: { regsokod: '1480R050', regsonamn: 'Hjällbo östra', n_deso: 3, andel: 0.25 },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [[322000, 6405000], [323000, 6405000], [323000, 6406000], [322000, 6406000], [322000, 6405000]],
        [[322200, 6405200], [322200, 6405400], [322400, 6405400], [322200, 6405200]],
      ],
    },
  },
  {
    index: 1,
    properties: { regsokod: '1480R049', regsonamn: 'Hjällbo västra', n_deso: 2, andel: null },
    geometry: {
      type: 'MultiPolygon',
      coordinates: [
        [[[320000, 6405000], [321000, 6405000], [321000, 6406000], [320000, 6405000]]],
        [[[321500, 6405000], [321900, 6405000], [321900, 6405500], [321500, 6405000]]],
      ],
    },
  },
  { index: 2, properties: { regsokod: '1480R999', regsonamn: 'Utan geometri', n_deso: 1, andel: 0.5 }, geometry: null },
];
