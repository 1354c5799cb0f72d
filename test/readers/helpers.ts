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
